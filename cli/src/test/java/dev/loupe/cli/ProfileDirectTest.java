package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProfileCommand#direct}, the common {@code profile} command line run without building
 * picocli's model: for every command line it takes, the exit code, stdout, stderr and written
 * profile are picocli's for the same arguments; every other command line (help, other options,
 * repeated options, values picocli would read differently or reject) it leaves to picocli, printing
 * nothing.
 */
class ProfileDirectTest {
  @TempDir
  Path dir;
  private String a;
  private String b;

  @BeforeEach
  void files() throws IOException {
    StringBuilder s = new StringBuilder("name,age,height,member,when\n");
    for (int i = 0; i < 60; i++) { // fewer rows than KLL's k: every number of the summary is exact
      s.append(i % 9 == 0 ? "" : "n" + i % 13).append(',').append(i % 5 == 0 ? "" : Integer.toString(20 + i))
          .append(',').append(1.5 + i / 100.0).append(',').append(i % 3 == 0).append(",2024-01-0")
          .append(1 + i % 9).append("T10:00:00Z\n");
    }
    a = write("a.csv", s.toString());
    b = write("b.csv", "name,age\nAda,36\nBob,\n");
  }

  private String write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p.toString();
  }

  private record Run(Integer code, String out, String err) {}

  private static Run direct(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Integer code = ProfileCommand.direct(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  /** The run's output without the one thing that differs from run to run: the profile's timestamps. */
  private static String stable(String s) {
    return s.replaceAll("\"(dataset|creation)_timestamp\" : \\d+", "\"$1_timestamp\" : T");
  }

  private void assertSameAsPicocli(String... args) throws IOException {
    // each run writes its own -o file, compared afterwards
    String[] picoArgs = args.clone();
    for (int i = 0; i + 1 < args.length; i++) {
      if ((args[i].equals("-o") || args[i].equals("--output")) && args[i + 1].endsWith(".bin")) {
        picoArgs[i + 1] = args[i + 1].replace(".bin", "-picocli.bin");
      }
    }
    Run d = direct(args);
    CliRun p = CliRun.run(picoArgs);
    String what = String.join(" ", args);
    assertNotNull(d.code(), "not run directly: " + what);
    assertEquals(p.code(), d.code(), what);
    assertEquals(stable(p.out()), stable(d.out()), what);
    assertEquals(p.err().replace("-picocli.bin", ".bin"), d.err(), what);
    for (int i = 0; i + 1 < args.length; i++) {
      Path direct = Path.of(args[i + 1]);
      Path pico = Path.of(picoArgs[i + 1]);
      if (!direct.equals(pico)) {
        assertEquals(Files.exists(pico), Files.exists(direct), what);
        if (Files.exists(pico)) {
          assertEquals(ProfileView.read(pico).summary(), ProfileView.read(direct).summary(), what);
        }
      }
    }
  }

  @Test
  void theCommonCommandLinesGivePicocliOutputErrorsAndFiles() throws IOException {
    String out = dir.resolve("out.bin").toString();
    assertSameAsPicocli("profile", a);
    assertSameAsPicocli("profile", a, "--json");
    assertSameAsPicocli("profile", "--json", a, b, "--threads", "1");
    assertSameAsPicocli("profile", "-q", a, "-o", out);
    assertSameAsPicocli("profile", a, "--output", dir.resolve("out2.bin").toString(), "--threads", "3");
    assertSameAsPicocli("profile", "--quiet", "--json", a, "--output", dir.resolve("out3.bin").toString());
    // failures: the same one line and exit code
    assertSameAsPicocli("profile", dir.resolve("missing.csv").toString());
    assertSameAsPicocli("profile", a, dir.resolve("missing.parquet").toString());
    assertSameAsPicocli("profile", write("ragged.csv", "x,y\n1,2\n3\n"));
    assertSameAsPicocli("profile", write("text.parquet", "x,y\n1,2\n"), "--json");
    assertSameAsPicocli("profile", dir.toString());
    assertSameAsPicocli("profile", a, "-o", dir.resolve("no/such/dir/x.bin").toString());
  }

  @Test
  void everyOtherCommandLineIsLeftToPicocliAndPrintsNothing() throws IOException {
    Files.writeString(dir.resolve("args.txt"), a);
    List<String[]> others = new ArrayList<>(List.of(
        new String[] {"profile"},
        new String[] {"merge", a, b},
        new String[] {"profile", "--help"},
        new String[] {"profile", a, "-h"},
        new String[] {"profile", a, "--version"},
        new String[] {"profile", a, "--verbose"},
        new String[] {"profile", a, "--format", "csv"},
        new String[] {"profile", a, "-d", ";"},
        new String[] {"profile", a, "--time-column", "when", "-o", dir.toString()},
        new String[] {"profile", a, "--threads", "0"},
        new String[] {"profile", a, "--threads", "+2"},
        new String[] {"profile", a, "--threads", "99999999999"},
        new String[] {"profile", a, "--threads"},
        new String[] {"profile", a, "--threads", "-1"},
        new String[] {"profile", a, "-o"},
        new String[] {"profile", a, "-o", "--json"},
        new String[] {"profile", a, "-o", "x.bin", "-o", "y.bin"},
        new String[] {"profile", a, "--output=x.bin"},
        new String[] {"profile", a, "-q", "--quiet"},
        new String[] {"profile", a, "--json", "--json"},
        new String[] {"profile", a, "-qo", "x.bin"},
        new String[] {"profile", "@" + dir.resolve("args.txt")},
        new String[] {"profile", a, "--"},
        new String[] {"profile", "-"},
        new String[] {"profile", ""},
        new String[] {"profile", "a\0.csv"},
        new String[] {"profile", a, "--s3-endpoint", "http://127.0.0.1:1"}));
    for (String[] args : others) {
      Run d = direct(args);
      String what = String.join(" ", args);
      assertNull(d.code(), what);
      assertEquals("", d.out(), what);
      assertEquals("", d.err(), what);
    }
    assertEquals(List.of("a.csv", "args.txt", "b.csv"), fileNames(), "nothing written");
  }

  private List<String> fileNames() throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * The direct path sets the defaults of {@code profile}'s options itself (picocli's model is not
   * built): an option given a default since then must be set there too, or the two paths part.
   */
  @Test
  void everyOptionDefaultIsOneTheDirectPathSets() throws NoSuchMethodException {
    Object none = picocli.CommandLine.Option.class.getMethod("defaultValue").getDefaultValue();
    java.util.Set<String> withDefaults = new java.util.TreeSet<>();
    for (Class<?> k : List.of(ProfileCommand.class, S3Options.class)) {
      for (java.lang.reflect.Field f : k.getDeclaredFields()) {
        picocli.CommandLine.Option o = f.getAnnotation(picocli.CommandLine.Option.class);
        if (o != null && !o.defaultValue().equals(none)) {
          withDefaults.add(o.names()[o.names().length - 1] + "=" + o.defaultValue());
        }
      }
    }
    assertEquals(java.util.Set.of("--quote=\""), withDefaults,
        "options with a default: ProfileCommand.direct must set each as picocli would");
  }
}
