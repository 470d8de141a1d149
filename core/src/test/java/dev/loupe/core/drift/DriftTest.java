package dev.loupe.core.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Drift between generated profiles, and the distribution functions against textbook values. */
class DriftTest {

  // ---- distribution functions ----

  @Test
  void kolmogorovSurvivalMatchesTableValues() {
    // critical values of the Kolmogorov distribution: P(K > 1.224) = 0.10, P(K > 1.358) = 0.05, P(K > 1.628) = 0.01
    assertEquals(0.10, Statistics.kolmogorovSurvival(1.2238), 2e-4);
    assertEquals(0.05, Statistics.kolmogorovSurvival(1.3581), 2e-4);
    assertEquals(0.01, Statistics.kolmogorovSurvival(1.6276), 2e-4);
    assertEquals(0.9639452, Statistics.kolmogorovSurvival(0.5), 1e-6);
    assertEquals(1.0, Statistics.kolmogorovSurvival(0.0));
    assertEquals(1.0, Statistics.kolmogorovSurvival(0.1), 1e-12);
    // the two series agree where the implementation switches between them
    double below = Statistics.kolmogorovSurvival(Math.nextDown(1.18));
    double at = Statistics.kolmogorovSurvival(1.18);
    assertEquals(below, at, 1e-12);
    assertEquals(2 * Math.exp(-2 * 9.0), Statistics.kolmogorovSurvival(3.0), 1e-12);
  }

  @Test
  void chiSquareSurvivalMatchesTableValues() {
    assertEquals(0.05, Statistics.chiSquareSurvival(3.841459, 1), 1e-7);
    assertEquals(0.10, Statistics.chiSquareSurvival(2.705543, 1), 1e-7);
    assertEquals(0.05, Statistics.chiSquareSurvival(5.991465, 2), 1e-7);
    assertEquals(0.01, Statistics.chiSquareSurvival(9.210340, 2), 1e-7);
    assertEquals(0.05, Statistics.chiSquareSurvival(18.307038, 10), 1e-7);
    assertEquals(0.95, Statistics.chiSquareSurvival(3.940299, 10), 1e-7);
    assertEquals(0.05, Statistics.chiSquareSurvival(124.342113, 100), 1e-7);
    assertEquals(Math.exp(-2.0), Statistics.chiSquareSurvival(4.0, 2), 1e-14); // df 2: sf = exp(-x/2)
    assertEquals(1.0, Statistics.chiSquareSurvival(0.0, 3));
    assertEquals(0.0, Statistics.chiSquareSurvival(Double.POSITIVE_INFINITY, 3));
    assertTrue(Statistics.chiSquareSurvival(500, 10) < 1e-90);
  }

  @Test
  void logGammaMatchesFactorials() {
    assertEquals(Math.log(Math.sqrt(Math.PI)), Statistics.logGamma(0.5), 1e-13);
    assertEquals(Math.log(362880), Statistics.logGamma(10), 1e-12);
    assertEquals(0.0, Statistics.logGamma(1), 1e-14);
    assertEquals(857.9336698258574, Statistics.logGamma(200), 1e-9);
  }

  // ---- profiles ----

  static ProfileView profile(int n, long seed, double shift, String[] cats, double[] weights, double trueShare) {
    Random r = new Random(seed);
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("x", r.nextGaussian() + shift);
      row.put("count", (long) Math.floor(Math.abs(r.nextGaussian() * 3 + shift * 3)));
      double u = r.nextDouble();
      double acc = 0;
      for (int k = 0; k < cats.length; k++) {
        acc += weights[k];
        if (u < acc || k == cats.length - 1) {
          row.put("cat", cats[k]);
          break;
        }
      }
      row.put("flag", r.nextDouble() < trueShare);
      p.track(row);
    }
    return p.view();
  }

  static final String[] ABC = {"A", "B", "C"};

  @Test
  void aProfileComparedWithItselfHasNoDrift() {
    ProfileView p = profile(20_000, 1, 0, ABC, new double[] {0.5, 0.3, 0.2}, 0.3);
    DriftReport r = Drift.compare(p, p);
    for (String c : new String[] {"x", "count", "cat", "flag"}) {
      ColumnDrift d = r.column(c).orElseThrow();
      assertEquals(DriftCategory.NO_DRIFT, d.category(), d.toString());
      assertEquals(0.0, d.statistic(), 1e-12, c);
      assertEquals(1.0, d.pValue(), 1e-12, c);
    }
    assertEquals(DriftAlgorithm.KOLMOGOROV_SMIRNOV, r.column("x").orElseThrow().algorithm());
    assertEquals(DriftAlgorithm.KOLMOGOROV_SMIRNOV, r.column("count").orElseThrow().algorithm());
    assertEquals(DriftAlgorithm.CHI_SQUARE, r.column("cat").orElseThrow().algorithm());
    assertEquals(DriftAlgorithm.CHI_SQUARE, r.column("flag").orElseThrow().algorithm());
    assertEquals(DriftReport.EXIT_NO_DRIFT, r.exitCode());
  }

  @Test
  void aSampleOfTheReferenceDistributionDoesNotDrift() {
    // the usual set-up: a large reference (training data) and a smaller batch
    ProfileView ref = profile(50_000, 11, 0, ABC, new double[] {0.5, 0.3, 0.2}, 0.3);
    ProfileView batch = profile(2_000, 12, 0, ABC, new double[] {0.5, 0.3, 0.2}, 0.3);
    DriftReport r = Drift.compare(ref, batch);
    r.columns().forEach(d -> assertEquals(DriftCategory.NO_DRIFT, d.category(), d.toString()));
    assertTrue(r.column("x").orElseThrow().statistic() < 0.04, r.column("x").toString());
  }

  @Test
  void goodnessOfFitOverstatesDriftBetweenEqualSamplesAndHomogeneityDoesNot() {
    ProfileView a = profile(5_000, 11, 0, ABC, new double[] {0.5, 0.3, 0.2}, 0.3);
    ProfileView b = profile(5_000, 12, 0, ABC, new double[] {0.5, 0.3, 0.2}, 0.3);
    ColumnDrift gof = Drift.compare(a, b, DriftOptions.builder().whylogsCompatible().build())
        .column("cat").orElseThrow();
    ColumnDrift hom = Drift.compare(a, b).column("cat").orElseThrow(); // the default
    // with equal sizes the goodness-of-fit statistic is about twice the homogeneity statistic
    assertEquals(2.0, gof.statistic() / hom.statistic(), 0.1);
    // for this pair of samples: goodness of fit calls it drift (p ~ 0.005), homogeneity does not (p ~ 0.07)
    assertEquals(DriftCategory.DRIFT, gof.category(), gof.toString());
    assertTrue(hom.category() != DriftCategory.DRIFT, hom.toString());
    assertTrue(hom.pValue() > gof.pValue());
  }

  @Test
  void homogeneityOfKnownCountsAndOfANewCategory() {
    DatasetProfile ref = new DatasetProfile(ProfileProperties.EMPTY);
    DatasetProfile tgt = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < 100; i++) {
      ref.track(Map.of("c", i < 50 ? "yes" : "no"));
      tgt.track(Map.of("c", i < 60 ? "yes" : i < 99 ? "no" : "new"));
    }
    DriftOptions plain = DriftOptions.builder().chiSquareHomogeneity(true).sketchErrorCorrection(false).build();
    ColumnDrift d = Drift.compare(ref.view(), tgt.view(), plain).column("c").orElseThrow();
    // pooled: yes 110/200, no 89/200, new 1/200; expected per side 55, 44.5, 0.5
    double expected = 2 * (25 / 55.0) + (5.5 * 5.5 / 44.5) * 2 + (0.5 * 0.5 / 0.5) * 2;
    assertEquals(expected, d.statistic(), 1e-9);
    assertEquals(Statistics.chiSquareSurvival(expected, 2), d.pValue(), 1e-15);
    assertEquals(2, d.degreesOfFreedom());
    // by default, 'new' (expected 0.5 < 5) is pooled, and the pool, still below 5, joins the smallest cell:
    // yes 50 | 60 against no+new 50 | 40; (n_a n_b / N) sum d^2 / p = 50 * 0.01 * (1 / 0.55 + 1 / 0.45)
    ColumnDrift pooled = Drift.compare(ref.view(), tgt.view()).column("c").orElseThrow();
    assertEquals(50 * 0.01 * (1 / 0.55 + 1 / 0.45), pooled.statistic(), 1e-9);
    assertEquals(pooled.statistic(), pooled.testedStatistic(), 0);
    assertEquals(1, pooled.degreesOfFreedom());
    assertEquals(Statistics.chiSquareSurvival(pooled.statistic(), 1), pooled.pValue(), 1e-15);
    // total variation over the tested cells: (|0.5 - 0.6| + |0.5 - 0.4|) / 2
    assertEquals(0.1, pooled.effectSize(), 1e-12);
    assertEquals(EffectMeasure.TOTAL_VARIATION, pooled.effectMeasure());
    assertEquals("target values absent from the reference: 'new'", pooled.note());
  }

  @Test
  void aShiftedDistributionDrifts() {
    ProfileView a = profile(5_000, 21, 0, ABC, new double[] {0.5, 0.3, 0.2}, 0.3);
    ProfileView b = profile(5_000, 22, 0.5, ABC, new double[] {0.2, 0.3, 0.5}, 0.6);
    DriftReport r = Drift.compare(a, b);
    for (String c : new String[] {"x", "count", "cat", "flag"}) {
      ColumnDrift d = r.column(c).orElseThrow();
      assertEquals(DriftCategory.DRIFT, d.category(), d.toString());
      assertTrue(d.pValue() < 1e-4, d.toString());
    }
    // N(0,1) vs N(0.5,1): the population KS distance is 2 Phi(0.25) - 1 = 0.1974
    assertEquals(0.1974, r.column("x").orElseThrow().statistic(), 0.03);
    assertEquals(DriftReport.EXIT_DRIFT, r.exitCode());
    assertEquals(DriftCategory.DRIFT, r.worst().orElseThrow());
  }

  @Test
  void ksStatisticAndPValueOfKnownSamples() {
    DatasetProfile a = new DatasetProfile(ProfileProperties.EMPTY);
    DatasetProfile b = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 1; i <= 100; i++) {
      a.track(Map.of("v", (long) i));
      b.track(Map.of("v", (long) i + 50));
    }
    ColumnDrift d = Drift.compare(a.view(), b.view()).column("v").orElseThrow();
    assertEquals(0.5, d.statistic(), 1e-12, "half of each sample lies outside the other");
    // n_eff = 100 * 100 / 200 = 50; lambda = sqrt(50) * 0.5
    double lambda = Math.sqrt(50) * 0.5;
    assertEquals(2 * (Math.exp(-2 * lambda * lambda) - Math.exp(-8 * lambda * lambda)), d.pValue(), 1e-15);
    assertEquals(Drift.ksPValue(0.5, 100, 100), d.pValue(), 0);
    // the textbook critical value: D = 1.358 / sqrt(n_eff) gives p = 0.05
    assertEquals(0.05, Drift.ksPValue(1.3581 / Math.sqrt(50), 100, 100), 2e-4);
  }

  @Test
  void chiSquareOfKnownCounts() {
    DatasetProfile ref = new DatasetProfile(ProfileProperties.EMPTY);
    DatasetProfile tgt = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < 100; i++) {
      ref.track(Map.of("c", i < 50 ? "yes" : "no"));
      tgt.track(Map.of("c", i < 60 ? "yes" : "no"));
    }
    ColumnDrift d = Drift.compare(ref.view(), tgt.view(), DriftOptions.builder().whylogsCompatible().build())
        .column("c").orElseThrow();
    // whylogs' goodness of fit: expected 50/50, observed 60/40: (10^2 / 50) * 2 = 4 on 1 degree of freedom
    assertEquals(4.0, d.statistic(), 1e-12);
    assertEquals(0.0455003, d.pValue(), 1e-6);
    assertEquals(DriftCategory.DRIFT, d.category());
    assertEquals(0.0455003, Drift.chiSquarePValue(4.0, 1), 1e-6);
    // the two-sample test of homogeneity (default): pooled 0.55/0.45, 50 * 0.01 * (1/0.55 + 1/0.45) = 2.0202
    ColumnDrift h = Drift.compare(ref.view(), tgt.view()).column("c").orElseThrow();
    assertEquals(2.0202020202, h.statistic(), 1e-9);
    assertEquals(0.1552185, h.pValue(), 1e-6); // df 1: P(X > x) = erfc(sqrt(x / 2))
    assertEquals(DriftCategory.NO_DRIFT, h.category());
  }

  @Test
  void aCategoryTheReferenceNeverSawIsDriftAndNamed() {
    DatasetProfile ref = new DatasetProfile(ProfileProperties.EMPTY);
    DatasetProfile tgt = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < 100; i++) {
      ref.track(Map.of("c", i % 2 == 0 ? "a" : "b"));
      tgt.track(Map.of("c", i % 2 == 0 ? "a" : i == 1 ? "new" : "b"));
    }
    ColumnDrift d = Drift.compare(ref.view(), tgt.view(), DriftOptions.builder().whylogsCompatible().build())
        .column("c").orElseThrow();
    assertEquals(DriftCategory.DRIFT, d.category());
    assertEquals(Double.POSITIVE_INFINITY, d.statistic());
    assertEquals("target values absent from the reference: 'new'", d.note());
    // the test of homogeneity names it too, but one new value in 100 is no evidence of drift
    ColumnDrift h = Drift.compare(ref.view(), tgt.view()).column("c").orElseThrow();
    assertEquals(DriftCategory.NO_DRIFT, h.category(), h.toString());
    assertEquals("target values absent from the reference: 'new'", h.note());
    // 40 new values in 100 are
    DatasetProfile many = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < 100; i++) {
      many.track(Map.of("c", i % 2 == 0 ? "a" : i < 80 ? "new" : "b"));
    }
    ColumnDrift m = Drift.compare(ref.view(), many.view()).column("c").orElseThrow();
    assertEquals(DriftCategory.DRIFT, m.category(), m.toString());
    assertTrue(m.pValue() < 1e-10, m.toString());
  }

  @Test
  void hellingerIsZeroForIdenticalAndOneForDisjointDistributions() {
    DriftOptions h = DriftOptions.builder().hellinger().build();
    DatasetProfile a = new DatasetProfile(ProfileProperties.EMPTY);
    DatasetProfile b = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < 1000; i++) {
      a.track(Map.of("v", (double) i, "c", "left"));
      b.track(Map.of("v", (double) i + 5000, "c", "right"));
    }
    DriftReport same = Drift.compare(a.view(), a.view(), h);
    assertEquals(0.0, same.column("v").orElseThrow().statistic(), 1e-9);
    assertEquals(DriftCategory.NO_DRIFT, same.column("c").orElseThrow().category());
    DriftReport apart = Drift.compare(a.view(), b.view(), h);
    for (String c : new String[] {"v", "c"}) {
      ColumnDrift d = apart.column(c).orElseThrow();
      assertEquals(DriftAlgorithm.HELLINGER, d.algorithm());
      assertEquals(1.0, d.statistic(), 1e-9, c);
      assertNull(d.pValue());
      assertEquals(DriftCategory.DRIFT, d.category());
    }
    // thresholds: 0.15 and 0.4
    assertEquals(DriftCategory.NO_DRIFT, h.categoryOfDistance(0.149));
    assertEquals(DriftCategory.POSSIBLE_DRIFT, h.categoryOfDistance(0.15));
    assertEquals(DriftCategory.DRIFT, h.categoryOfDistance(0.4));
  }

  @Test
  void pValueThresholdsAreWhylogs() {
    DriftOptions o = DriftOptions.defaults();
    assertEquals(DriftCategory.NO_DRIFT, o.categoryOfPValue(0.15));
    assertEquals(DriftCategory.POSSIBLE_DRIFT, o.categoryOfPValue(0.149));
    assertEquals(DriftCategory.POSSIBLE_DRIFT, o.categoryOfPValue(0.05));
    assertEquals(DriftCategory.DRIFT, o.categoryOfPValue(0.0499));
    assertThrows(IllegalArgumentException.class, () -> DriftOptions.builder().numericAlgorithm(DriftAlgorithm.CHI_SQUARE));
  }

  @Test
  void columnsWithoutATestAreSkippedWithAReasonAndReportedInJsonAndTable() throws Exception {
    DatasetProfile ref = new DatasetProfile(ProfileProperties.EMPTY);
    DatasetProfile tgt = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < 50; i++) {
      ref.track(Map.of("old", i, "v", (double) i, "blob", new byte[] {1}, "when", java.time.Instant.EPOCH));
      tgt.track(Map.of("new", i, "v", (double) i + 100, "blob", new byte[] {1}, "when", java.time.Instant.EPOCH));
    }
    DriftReport r = Drift.compare(ref.view(), tgt.view());
    assertEquals("only in the reference profile", r.column("old").orElseThrow().note());
    assertEquals("only in the target profile", r.column("new").orElseThrow().note());
    assertEquals("no drift test for object columns", r.column("blob").orElseThrow().note());
    // time is profiled as time (epoch milliseconds, core's value rules), so it gets the numeric test
    assertEquals(DriftAlgorithm.KOLMOGOROV_SMIRNOV, r.column("when").orElseThrow().algorithm());
    assertEquals(DriftCategory.NO_DRIFT, r.column("when").orElseThrow().category());
    assertEquals(3, r.skippedCount());
    JsonNode json = new ObjectMapper().readTree(r.toJson());
    assertEquals(5, json.get("summary").get("columns").asInt());
    assertEquals(1, json.get("summary").get("drift").asInt());
    assertEquals(3, json.get("summary").get("skipped").asInt());
    assertEquals("drift", json.get("summary").get("worst").asText());
    assertEquals("kolmogorov_smirnov", json.get("columns").get("v").get("algorithm").asText());
    assertEquals(1.0, json.get("columns").get("v").get("statistic").asDouble(), 1e-12);
    assertTrue(json.get("columns").get("old").get("category").isNull());
    String table = r.toTable();
    assertTrue(table.startsWith("column"), table);
    assertTrue(table.contains("only in the reference profile"), table);
    assertTrue(table.endsWith("5 columns: 1 drift, 0 possible drift, 1 no drift, 3 skipped\n"), table);
    assertEquals(DriftReport.EXIT_DRIFT, r.exitCode());
  }

  @Test
  void possibleDriftFailsOnlyWhenAsked() {
    DriftReport r = new DriftReport(java.util.List.of(new ColumnDrift("x", "fractional",
        DriftAlgorithm.KOLMOGOROV_SMIRNOV, 0.1, 0.1, DriftCategory.POSSIBLE_DRIFT, "")), DriftOptions.defaults());
    assertEquals(DriftReport.EXIT_NO_DRIFT, r.exitCode());
    assertEquals(DriftReport.EXIT_DRIFT, r.exitCode(true));
  }

  @Test
  void aTimeColumnIsTestedAsItsInstantsAndShownAsTime() {
    ProfileView[] sides = new ProfileView[2];
    for (int side = 0; side < 2; side++) {
      DatasetProfile p = new DatasetProfile();
      dev.loupe.core.ColumnAppender t = p.column("at", dev.loupe.core.ColumnKind.TIME);
      dev.loupe.core.ColumnAppender n = p.column("n");
      for (int i = 0; i < 2_000; i++) {
        // the second side is a week later: the instants drift, the plain numbers do not
        t.appendEpochMillis(1_700_000_000_000L + side * 7 * 86_400_000L + i * 60_000L);
        n.appendLong(i);
      }
      sides[side] = p.view();
    }
    DriftReport r = Drift.compare(sides[0], sides[1]);
    ColumnDrift at = r.column("at").orElseThrow();
    assertEquals("time", at.type());
    assertEquals(DriftAlgorithm.KOLMOGOROV_SMIRNOV, at.algorithm());
    assertEquals(DriftCategory.DRIFT, at.category());
    assertEquals(1.0, at.statistic(), 1e-12, "disjoint weeks: the KS distance is 1");
    ColumnDrift n = r.column("n").orElseThrow();
    assertEquals("integral", n.type());
    assertEquals(DriftCategory.NO_DRIFT, n.category());
  }
}
