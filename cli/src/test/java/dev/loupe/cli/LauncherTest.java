package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/loupe's class-data sharing: the first run of a command dumps an archive into the user's cache
 * dir, later runs map it, and neither puts anything but loupe's own output on stdout, so
 * {@code loupe profile --json} stays valid JSON. The launcher runs the real command through a thin
 * jar (LOUPE_JAR) whose manifest Class-Path lists this test's classpath, directories packed into
 * jars, since CDS archives classes from jars only.
 */
class LauncherTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path WEATHER = ROOT.resolve("examples/data/weather.csv");

  @TempDir
  static Path jars;

  static Path thinJar;

  @BeforeAll
  static void buildThinJar() throws IOException {
    List<String> classPath = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath();
      if (Files.isDirectory(p)) {
        Path packed = jars.resolve("dir" + n++ + ".jar");
        packDirectory(p, packed);
        p = packed;
      }
      if (Files.isRegularFile(p)) {
        classPath.add(jars.relativize(p).toString()); // relative: CDS checks Class-Path entries as paths, not URLs
      }
    }
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
    m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
    thinJar = jars.resolve("loupe-thin.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(thinJar), m)) {
      // the manifest is the whole jar
    }
  }

  private static void packDirectory(Path dir, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
         Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
  }

  record Run(int code, String out, String err) {}

  static Run launch(Path cache, Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/loupe").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LOUPE_JAR", thinJar.toString());
    pb.environment().put("XDG_CACHE_HOME", cache.toString());
    pb.environment().remove("LOUPE_CDS");
    pb.environment().remove("LOUPE_JAVA_OPTS");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(jars, "out", ".txt");
    Path err = Files.createTempFile(jars, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    int code = p.waitFor();
    return new Run(code, Files.readString(out), Files.readString(err));
  }

  static List<Path> archives(Path cache) throws IOException {
    Path dir = cache.resolve("loupe/cds");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static void assertWeatherJson(Run r) throws IOException {
    assertEquals(0, r.code(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out()); // throws on anything but one JSON document
    assertEquals(2922, json.path("columns").path("temp_max").path("counts/n").asLong(), r.out());
  }

  @Test
  void profileJsonIsValidOnTheFirstRunThatDumpsTheArchiveAndOnTheRunThatMapsIt(@TempDir Path cache) throws Exception {
    Run first = launch(cache, Map.of(), "profile", WEATHER.toString(), "--json");
    assertWeatherJson(first);
    assertFalse(first.err().contains("[cds]"), "the dump's warnings are not shown: " + first.err());
    List<Path> made = archives(cache);
    assertEquals(1, made.size(), made.toString());
    assertTrue(made.get(0).getFileName().toString().endsWith("-profile-csv.jsa"), made.toString());
    assertTrue(Files.size(made.get(0)) > 1_000_000, "archive of " + Files.size(made.get(0)) + " bytes");

    Path classLog = jars.resolve("classes.log");
    Run second = launch(cache, Map.of("LOUPE_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog + " -Xlog:class+path=info,cds=info:file=" + classLog + ".path"),
        "profile", WEATHER.toString(), "--json");
    assertWeatherJson(second);
    assertEquals(made, archives(cache), "the second run maps the archive, it does not write another");
    String log = Files.readString(classLog);
    assertTrue(log.lines().anyMatch(l -> l.contains("dev.loupe.core.ColumnTracker source: shared objects file")),
        "loupe's classes come from the archive: " + second.err() + log.lines().filter(l -> l.contains("ColumnTracker")
            || l.contains("dev.loupe.cli.Main ")).toList() + Files.readString(Path.of(classLog + ".path")));

    // a rebuilt jar (new modification time) gets a new archive, and the old one is removed
    Files.setLastModifiedTime(thinJar, java.nio.file.attribute.FileTime.fromMillis(
        Files.getLastModifiedTime(thinJar).toMillis() + 10_000));
    Run rebuilt = launch(cache, Map.of(), "profile", WEATHER.toString(), "--json");
    assertWeatherJson(rebuilt);
    List<Path> now = archives(cache);
    assertEquals(1, now.size(), now.toString());
    assertFalse(now.equals(made), "a new archive for the new jar: " + now);
  }

  @Test
  void profileOfASmallFileRunsC1OnlyWithTheSerialCollectorAndUserOptionsWin(@TempDir Path cache) throws Exception {
    Path out = jars.resolve("w.bin");
    Run small = launch(cache, Map.of("LOUPE_CDS", "0", "LOUPE_JAVA_OPTS", "-XX:+PrintFlagsFinal"),
        "profile", WEATHER.toString(), "--quiet", "-o", out.toString());
    assertEquals(0, small.code(), small.err());
    assertTrue(small.out().lines().anyMatch(l -> l.matches("\\s*intx TieredStopAtLevel\\s+= 1\\s.*command line.*")));
    assertTrue(small.out().lines().anyMatch(l -> l.matches("\\s*bool UseSerialGC\\s+= true\\s.*command line.*")));
    Run mine = launch(cache, Map.of("LOUPE_CDS", "0",
        "LOUPE_JAVA_OPTS", "-XX:+PrintFlagsFinal -XX:+UseParallelGC -XX:TieredStopAtLevel=4"),
        "profile", WEATHER.toString(), "--quiet", "-o", out.toString());
    assertEquals(0, mine.code(), mine.err());
    assertTrue(mine.out().lines().anyMatch(l -> l.matches("\\s*intx TieredStopAtLevel\\s+= 4\\s.*")));
    assertTrue(mine.out().lines().anyMatch(l -> l.matches("\\s*bool UseParallelGC\\s+= true\\s.*")));
  }

  /**
   * Where the kernel gives transparent huge pages on request, {@code profile} asks for them; a user's own
   * page-size choice in LOUPE_JAVA_OPTS wins: with the launcher's flag also set, the JVM would silently take
   * transparent pages over an explicit {@code -XX:+UseLargePages -XX:+UseHugeTLBFS} (reserved huge pages).
   */
  @Test
  void transparentHugePagesOnlyWhereTheKernelGivesThemOnRequestAndNeverOverAUsersPageChoice(@TempDir Path cache)
      throws Exception {
    Path out = jars.resolve("thp.bin");
    Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    boolean madvise = Files.isReadable(thp) && Files.readString(thp).contains("[madvise]");
    Run plain = launch(cache, Map.of("LOUPE_CDS", "0", "LOUPE_JAVA_OPTS", "-XX:+PrintFlagsFinal"),
        "profile", WEATHER.toString(), "--quiet", "-o", out.toString());
    assertEquals(0, plain.code(), plain.err());
    assertEquals(madvise, plain.out().lines()
        .anyMatch(l -> l.matches("\\s*bool UseTransparentHugePages\\s+= true\\s.*command line.*")), plain.out());
    for (String choice : List.of("-XX:+UseLargePages", "-XX:+UseLargePages -XX:+UseHugeTLBFS", "-XX:+UseSHM")) {
      Run mine = launch(cache, Map.of("LOUPE_CDS", "0", "LOUPE_JAVA_OPTS", "-XX:+PrintFlagsFinal " + choice),
          "profile", WEATHER.toString(), "--quiet", "-o", out.toString());
      assertEquals(0, mine.code(), mine.err());
      assertTrue(mine.out().lines().anyMatch(l -> l.matches("\\s*bool UseTransparentHugePages\\s+= false\\s.*")),
          choice + ": " + mine.out().lines().filter(l -> l.contains("Pages") || l.contains("TLBFS")).toList());
    }
  }

  @Test
  void arrowBoundsChecksAreOffForFilesLoupeDecodesAndOnForArrowInput(@TempDir Path cache) throws Exception {
    Path out = jars.resolve("u.bin");
    String flag = "arrow.enable_unsafe_memory_access = true";
    Map<String, String> env = Map.of("LOUPE_CDS", "0", "LOUPE_JAVA_OPTS", "-XshowSettings:properties");
    Run csv = launch(cache, env, "profile", WEATHER.toString(), "--quiet", "-o", out.toString());
    assertEquals(0, csv.code(), csv.err());
    assertTrue(csv.err().contains(flag), "CSV: the vectors are Loupe's own, no bounds checks");
    // an Arrow IPC input (by name or by --format) keeps Arrow's checks: its offsets come from outside
    Path arrow = Files.copy(WEATHER, jars.resolve("not-really.arrow"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Run ipc = launch(cache, env, "profile", arrow.toString(), "--quiet", "-o", out.toString());
    assertEquals(1, ipc.code(), "not an Arrow file: " + ipc.err());
    assertFalse(ipc.err().contains(flag), ipc.err());
    Run forced = launch(cache, env, "profile", WEATHER.toString(), "--format", "arrow", "--quiet", "-o", out.toString());
    assertEquals(1, forced.code(), forced.err());
    assertFalse(forced.err().contains(flag), forced.err());
  }

  @Test
  void anUnwritableCacheDirMeansNoArchiveAndTheSameOutput() throws Exception {
    Path notADir = Files.writeString(jars.resolve("a-file"), "x");
    Run r = launch(notADir.resolve("cache"), Map.of(), "profile", WEATHER.toString(), "--json");
    assertWeatherJson(r);
    assertEquals("", r.err());
  }

  @Test
  void theDumpingRunKeepsTheCommandsExitCodeAndStderr(@TempDir Path cache) throws Exception {
    Run r = launch(cache, Map.of(), "profile", ROOT.resolve("no-such-file.csv").toString(), "--json");
    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("loupe: error: "), r.err());
    Run off = launch(cache, Map.of("LOUPE_CDS", "0"), "show", ROOT.resolve("no-such.bin").toString());
    assertEquals(1, off.code(), off.err());
    assertTrue(archives(cache).stream().noneMatch(p -> p.toString().contains("-show")), "LOUPE_CDS=0 dumps nothing");
  }

  @Test
  void serveIsExecdSoThatSigtermReachesTheServerAndNoArchiveIsDumped(@TempDir Path cache) throws Exception {
    List<String> cmd = List.of(ROOT.resolve("bin/loupe").toString(), "serve");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LOUPE_JAR", thinJar.toString());
    pb.environment().put("XDG_CACHE_HOME", cache.toString());
    pb.environment().remove("LOUPE_CDS");
    pb.environment().remove("LOUPE_JAVA_OPTS");
    pb.environment().putAll(Map.of("PORT", "0", "LOUPE_HOST", "127.0.0.1", "DISABLE_AUTH", "true",
        "LOUPE_DATA_DIR", cache.resolve("data").toString(), "UPLOAD_DESTINATION", "DEBUG_FILE_SYSTEM",
        "FILE_SYSTEM_WRITER_ROOT", cache.resolve("profiles").toString()));
    Path out = Files.createTempFile(jars, "serve", ".txt");
    Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!Files.readString(out).contains("listening on") && p.isAlive() && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(Files.readString(out).contains("listening on"), Files.readString(out));
      // exec'd: the process the supervisor started is the JVM itself, not a shell that would keep SIGTERM from it
      String command = p.info().command().orElse("");
      assertTrue(command.endsWith("/java"), "the launcher's process is " + command);
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the server stops on SIGTERM");
      assertTrue(Files.readString(out).contains("stopped") || p.exitValue() == 143 || p.exitValue() == 0,
          "exit " + p.exitValue() + ": " + Files.readString(out));
      assertEquals(List.of(), archives(cache), "serve dumps no class archive");
    } finally {
      p.destroyForcibly();
    }
  }

}
