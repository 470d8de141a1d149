package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** loupe drift's effect sizes, --min-effect and --whylogs, on real files. */
class DriftCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** 20,000 rows: 'flag' true with probability {@code p}, 'score' gaussian around {@code mean}. */
  private Path profile(String name, double p, double mean) throws IOException {
    Random r = new Random(name.hashCode());
    StringBuilder csv = new StringBuilder("flag,score\n");
    for (int i = 0; i < 20_000; i++) {
      csv.append(r.nextDouble() < p).append(',').append(String.format(Locale.ROOT, "%.5f", mean + r.nextGaussian()))
          .append('\n');
    }
    Path file = dir.resolve(name + ".csv");
    Files.writeString(file, csv, StandardCharsets.UTF_8);
    Path bin = dir.resolve(name + ".bin");
    CliRun run = CliRun.run("profile", file.toString(), "-o", bin.toString(), "--quiet");
    assertEquals(0, run.code(), run.err());
    return bin;
  }

  @Test
  void aSmallButSignificantChangeIsDriftUntilAMinimumEffectMakesItNegligible() throws IOException {
    Path ref = profile("ref", 0.30, 0);
    Path tgt = profile("tgt", 0.33, 0.5); // flag: +0.03 (significant at 20,000 a side); score: 0.5 sd
    CliRun plain = CliRun.run("drift", ref.toString(), tgt.toString(), "--json");
    assertEquals(3, plain.code(), plain.out() + plain.err());
    JsonNode flag = JSON.readTree(plain.out()).path("columns").path("flag");
    assertEquals("drift", flag.path("category").asText(), plain.out());
    assertEquals("total_variation", flag.path("effect_measure").asText());
    double tv = flag.path("effect_size").asDouble();
    assertTrue(tv > 0.02 && tv < 0.04, plain.out());
    assertEquals(0.0, JSON.readTree(plain.out()).path("summary").path("min_effect").asDouble());

    CliRun gated = CliRun.run("drift", ref.toString(), tgt.toString(), "--json", "--min-effect", "0.05");
    assertEquals(3, gated.code(), "score still drifts: KS distance ~0.2 > 0.05\n" + gated.out());
    JsonNode cols = JSON.readTree(gated.out()).path("columns");
    assertEquals("no_drift", cols.path("flag").path("category").asText(), gated.out());
    assertTrue(cols.path("flag").path("negligible").asBoolean(), gated.out());
    assertTrue(cols.path("flag").path("note").asText().contains("but negligible: total_variation"), gated.out());
    assertEquals("drift", cols.path("score").path("category").asText(), gated.out());

    CliRun table = CliRun.run("drift", ref.toString(), tgt.toString(), "--min-effect", "0.05");
    assertTrue(table.out().lines().findFirst().orElseThrow().contains("effect"), table.out());
    assertTrue(table.out().contains(" ks "), table.out());

    CliRun bad = CliRun.run("drift", ref.toString(), tgt.toString(), "--min-effect", "1.5");
    bad.assertError(2, "--min-effect must be in [0, 1), got 1.5 (see 'loupe drift --help')");
  }

  @Test
  void whylogsComputationsAreAnExplicitOption() throws IOException {
    Path a = profile("a", 0.5, 0);
    CliRun w = CliRun.run("drift", a.toString(), a.toString(), "--whylogs", "--json");
    assertEquals(0, w.code(), w.out() + w.err());
    JsonNode score = JSON.readTree(w.out()).path("columns").path("score");
    assertEquals(0.0, score.path("sketch_error").asDouble(), "whylogs' KS takes no sketch error out");
    assertEquals(1.0, score.path("p_value").asDouble());
    CliRun d = CliRun.run("drift", a.toString(), a.toString(), "--json");
    assertTrue(JSON.readTree(d.out()).path("columns").path("score").path("sketch_error").asDouble() > 0, d.out());
  }
}
