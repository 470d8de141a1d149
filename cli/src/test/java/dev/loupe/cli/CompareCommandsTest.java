package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** drift, validate, report and serve, run in-process on real files. */
class CompareCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;



  /** A profile of 2,000 rows: a gaussian 'score' around {@code mean} and a 'color' column. */
  private Path profile(String name, double mean, String rareColor) throws IOException {
    Random r = new Random(name.hashCode());
    StringBuilder csv = new StringBuilder("score,color\n");
    String[] colors = {"red", "green", "blue"};
    for (int i = 0; i < 2000; i++) {
      csv.append(String.format(java.util.Locale.ROOT, "%.4f", mean + r.nextGaussian() * 10)).append(',')
          .append(i % 50 == 0 ? rareColor : colors[r.nextInt(3)]).append('\n');
    }
    Path file = dir.resolve(name + ".csv");
    Files.writeString(file, csv, StandardCharsets.UTF_8);
    Path bin = dir.resolve(name + ".bin");
    CliRun p = CliRun.run("profile", file.toString(), "-o", bin.toString(), "--quiet");
    assertEquals(0, p.code(), p.err());
    return bin;
  }

  @Test
  void driftExitsZeroForTheSameDistributionAndThreeForAShiftedOne() throws IOException {
    Path ref = profile("ref", 50, "red");
    Path same = profile("same", 50, "red");
    Path shifted = profile("shifted", 80, "purple");

    CliRun quiet = CliRun.run("drift", ref.toString(), same.toString());
    assertEquals(0, quiet.code(), quiet.out() + quiet.err());
    assertTrue(quiet.out().contains("score"), quiet.out());

    CliRun drifted = CliRun.run("drift", ref.toString(), shifted.toString(), "--json");
    assertEquals(3, drifted.code(), drifted.out() + drifted.err());
    JsonNode json = JSON.readTree(drifted.out());
    assertEquals("drift", json.path("columns").path("score").path("category").asText(), drifted.out());
    assertEquals("kolmogorov_smirnov", json.path("columns").path("score").path("algorithm").asText());
  }

  @Test
  void validateExitsThreeWhenAConstraintFailsAndSaysWhatItMeasured() throws IOException {
    Path bin = profile("data", 50, "red");
    Path ok = dir.resolve("ok.yaml");
    Files.writeString(ok, "constraints:\n  - {column: score, check: mean_between, min: 45, max: 55}\n"
        + "  - {column: color, check: no_missing_values}\n");
    CliRun pass = CliRun.run("validate", bin.toString(), "--constraints", ok.toString());
    assertEquals(0, pass.code(), pass.out() + pass.err());
    assertTrue(pass.out().contains("PASS"), pass.out());

    Path strict = dir.resolve("strict.yaml");
    Files.writeString(strict, "constraints:\n  - {column: score, check: mean_between, min: 60, max: 70}\n");
    CliRun fail = CliRun.run("validate", bin.toString(), "--constraints", strict.toString());
    assertEquals(3, fail.code(), fail.out() + fail.err());
    assertTrue(fail.out().contains("FAIL") && fail.out().contains("mean"), fail.out());

    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "constraints:\n  - {column: score, check: no_such_check}\n");
    CliRun bad = CliRun.run("validate", bin.toString(), "--constraints", broken.toString());
    bad.assertError(1, broken + " line 2, field 'constraints[0].check': unknown check 'no_such_check'; expected one "
        + "of [value_between, non_negative, mean_between, stddev_between, quantile_between, no_missing_values, "
        + "null_fraction_below, distinct_count_between, frequent_strings_in, type_is, type_fraction_between, "
        + "is_probably_unique, within_reference, no_drift]");
  }

  @Test
  void reportWritesOneSelfContainedHtmlFile() throws IOException {
    Path ref = profile("ref", 50, "red");
    Path tgt = profile("tgt", 60, "red");
    Path html = dir.resolve("report.html");
    CliRun r = CliRun.run("report", tgt.toString(), "--reference", ref.toString(), "-o", html.toString());
    assertEquals(0, r.code(), r.err());
    String page = Files.readString(html);
    assertTrue(page.contains("score") && page.contains("color"), "column names in the report");
    assertTrue(!page.contains("http://") && !page.contains("https://") || !page.contains("<script src"),
        "no external resources");
  }

  @Test
  void serveHelpListsTheSettingsAndABadFlagIsAUsageError() {
    CliRun help = CliRun.run("serve", "--help");
    assertEquals(0, help.code(), help.err());
    assertTrue(help.out().contains("CONTAINER_API_KEY") && help.out().contains("LOUPE_WINDOW"), help.out());
    CliRun bad = CliRun.run("serve", "--no-such-flag");
    // the list of known options is the server's settings table (ServerConfig), checked there
    assertEquals(2, bad.code());
    assertEquals(1, bad.errLines().size(), bad.err());
    assertTrue(bad.err().startsWith("loupe: error: unknown option '--no-such-flag'; known options: --port, --host, "),
        bad.err());
    assertTrue(bad.err().strip().endsWith(" (see 'loupe serve --help')"), bad.err());
  }
}
