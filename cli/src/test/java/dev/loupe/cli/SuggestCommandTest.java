package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loupe suggest} on the real weather data, and examples/constraints/weather.yaml: the rules
 * pass on the data and on another sample of it, and fail on broken copies, each on its own rule.
 */
class SuggestCommandTest {
  static final Path WEATHER = Path.of("..", "examples", "data", "weather.csv");
  static final Path EXAMPLE = Path.of("..", "examples", "constraints", "weather.yaml");

  @TempDir
  Path dir;

  private Path profile(String name, List<String> lines) throws IOException {
    Path csv = dir.resolve(name + ".csv");
    Files.write(csv, lines, StandardCharsets.UTF_8);
    Path bin = dir.resolve(name + ".bin");
    CliRun p = CliRun.run("profile", csv.toString(), "-o", bin.toString(), "--quiet");
    assertEquals(0, p.code(), p.err());
    return bin;
  }

  private static List<String> weather() throws IOException {
    return Files.readAllLines(WEATHER, StandardCharsets.UTF_8);
  }

  /** The weather rows with {@code edit} applied to the fields of every 50th data row. */
  private static List<String> broken(List<String> lines, UnaryOperator<String[]> edit) {
    List<String> out = new ArrayList<>(List.of(lines.get(0)));
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",", -1);
      out.add(String.join(",", i % 50 == 0 ? edit.apply(f) : f));
    }
    return out;
  }

  /** The failed rules, "column check", of validating {@code bin} against {@code constraints}. */
  private static Set<String> failures(Path bin, Path constraints) {
    CliRun r = CliRun.run("validate", bin.toString(), "--constraints", constraints.toString());
    Set<String> failed = new TreeSet<>();
    r.out().lines().filter(l -> l.startsWith("FAIL")).forEach(l -> {
      String[] w = l.trim().split("\\s+");
      failed.add(w[1] + " " + w[2]);
    });
    assertEquals(failed.isEmpty() ? 0 : 3, r.code(), r.out() + r.err());
    return failed;
  }

  @Test
  void suggestWritesACommentedFileThatPassesOnTheReferenceAndOnAnotherSample() throws IOException {
    List<String> lines = weather();
    List<String> even = new ArrayList<>(List.of(lines.get(0)));
    List<String> odd = new ArrayList<>(List.of(lines.get(0)));
    for (int i = 1; i < lines.size(); i++) {
      (i % 2 == 0 ? even : odd).add(lines.get(i));
    }
    Path ref = profile("even", even);
    Path yaml = dir.resolve("constraints.yaml");
    CliRun s = CliRun.run("suggest", ref.toString(), "-o", yaml.toString());
    assertEquals(0, s.code(), s.err());
    assertTrue(s.out().matches("wrote \\d+ constraints on 7 columns to " + java.util.regex.Pattern.quote(yaml.toString())
        + "; check a profile with: loupe validate PROFILE.bin --constraints .*\\R"), s.out());
    String text = Files.readString(yaml);
    assertTrue(text.contains("  # 5 distinct values, the rarest seen"), text);
    assertTrue(text.contains("    values: [drizzle, fog, rain, snow, sun]\n"), text);
    assertEquals(Set.of(), failures(ref, yaml));
    assertEquals(Set.of(), failures(profile("odd", odd), yaml), "another sample of the same data");
    // without -o the file goes to stdout
    CliRun printed = CliRun.run("suggest", ref.toString());
    assertEquals(0, printed.code(), printed.err());
    assertEquals(text, printed.out());
  }

  @Test
  void theAnnotatedExamplePassesOnTheWeatherDataAndFailsOnBrokenCopies() throws IOException {
    List<String> lines = weather();
    Path whole = profile("weather", lines);
    assertEquals(Set.of(), failures(whole, EXAMPLE));
    // and the file suggest writes for the whole data catches the same breakage
    Path suggested = dir.resolve("suggested.yaml");
    assertEquals(0, CliRun.run("suggest", whole.toString(), "-o", suggested.toString()).code());
    for (Path constraints : List.of(EXAMPLE, suggested)) {
      // columns: location,date,precipitation,temp_max,temp_min,wind,weather
      assertEquals(Set.of("temp_max no_missing_values"), failures(profile("nulls", broken(lines, f -> {
        f[3] = "";
        return f;
      })), constraints), constraints.toString());
      assertEquals(Set.of("precipitation non_negative", "precipitation value_between"),
          failures(profile("negative", broken(lines, f -> {
            f[2] = "-1.0";
            return f;
          })), constraints), constraints.toString());
      assertEquals(Set.of("wind value_between"), failures(profile("gale", broken(lines, f -> {
        f[5] = "75.0";
        return f;
      })), constraints), constraints.toString());
      assertEquals(Set.of("weather frequent_strings_in"), failures(profile("hail", broken(lines, f -> {
        f[6] = "hail";
        return f;
      })), constraints), constraints.toString());
      // a word among the first rows makes the CSV reader read the whole column as text: no numbers left
      assertEquals(Set.of("temp_min type_fraction_between", "temp_min value_between"),
          failures(profile("text", broken(lines, f -> {
            f[4] = "cold";
            return f;
          })), constraints), constraints.toString());
    }
  }
}
