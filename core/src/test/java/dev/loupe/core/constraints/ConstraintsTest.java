package dev.loupe.core.constraints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each constraint passing and failing with a message of measured vs expected; the YAML file and its errors. */
class ConstraintsTest {
  /** 1000 rows: id 0..999 (unique), age 18..67, score ~ N(50, 10), country NZ/AU, email with 10% nulls. */
  static ProfileView people(long seed, double scoreShift) {
    Random r = new Random(seed);
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < 1000; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", (long) i);
      row.put("age", (long) (18 + i % 50));
      row.put("score", 50 + 10 * r.nextGaussian() + scoreShift);
      row.put("country", i % 3 == 0 ? "AU" : "NZ");
      row.put("email", i % 10 == 0 ? null : "u" + (i % 7) + "@x");
      p.track(row);
    }
    return p.view();
  }

  static final ProfileView P = people(1, 0);

  static ConstraintResult check(Constraint c) {
    return c.evaluate(P, null);
  }

  @Test
  void valueRangeAndNonNegative() {
    ConstraintResult ok = check(Constraints.valueBetween("age", 0.0, 120.0));
    assertTrue(ok.passed(), ok.message());
    assertEquals("PASS age value_between: expected min >= 0 and max <= 120; measured min = 18, max = 67", ok.message());
    ConstraintResult bad = check(Constraints.valueBetween("age", 20.0, null));
    assertFalse(bad.passed());
    assertEquals("min >= 20", bad.expected());
    assertTrue(check(Constraints.nonNegative("age")).passed());
    assertFalse(Constraints.nonNegative("score").evaluate(people(1, -60), null).passed());
  }

  @Test
  void meanStddevAndQuantileWithTheSketchErrorBounds() {
    assertTrue(check(Constraints.meanBetween("age", 42.0, 43.0)).passed()); // mean of 18..67 is 42.5
    assertFalse(check(Constraints.meanBetween("age", 50.0, null)).passed());
    ConstraintResult sd = check(Constraints.stddevBetween("score", 9.0, 11.0));
    assertTrue(sd.passed(), sd.message());
    assertTrue(sd.measured().startsWith("stddev = "), sd.measured());
    ConstraintResult q = check(Constraints.quantileBetween("age", 0.5, 40.0, 45.0));
    assertTrue(q.passed(), q.message());
    assertEquals("q(0.5) in [40, 45]", q.expected());
    assertTrue(q.measured().startsWith("q(0.5) ~ "), q.measured());
    assertFalse(check(Constraints.quantileBetween("age", 0.9, null, 50.0)).passed());
    // past k values the sketch is approximate: the message gives the values at rank +- the rank error
    DatasetProfile big = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < 100_000; i++) {
      big.track(Map.of("v", (double) i));
    }
    ConstraintResult approx = Constraints.quantileBetween("v", 0.5, 49_000.0, 51_000.0).evaluate(big.view(), null);
    assertTrue(approx.passed(), approx.message());
    assertTrue(approx.measured().contains("(KLL rank error +-0."), approx.measured());
  }

  @Test
  void missingValues() {
    assertTrue(check(Constraints.noMissingValues("id")).passed());
    ConstraintResult e = check(Constraints.noMissingValues("email"));
    assertFalse(e.passed());
    assertEquals("100 nulls in 1000 values", e.measured());
    assertTrue(check(Constraints.nullFractionBelow("email", 0.1)).passed());
    ConstraintResult f = check(Constraints.nullFractionBelow("email", 0.05));
    assertFalse(f.passed());
    assertEquals("null fraction = 0.1 (100 of 1000)", f.measured());
  }

  @Test
  void distinctCountsFrequentStringsAndUniqueness() {
    ConstraintResult d = check(Constraints.distinctCountBetween("country", 2L, 2L));
    assertTrue(d.passed(), d.message());
    assertTrue(d.measured().startsWith("distinct ~ 2 (HLL 2-sigma bounds "), d.measured());
    assertTrue(check(Constraints.frequentStringsIn("country", Set.of("NZ", "AU", "FR"))).passed());
    ConstraintResult fs = check(Constraints.frequentStringsIn("country", Set.of("NZ")));
    assertFalse(fs.passed());
    assertEquals("1 of 2 items not allowed: 'AU' (~334)", fs.measured());
    ConstraintResult u = check(Constraints.isProbablyUnique("id"));
    assertTrue(u.passed(), u.message());
    ConstraintResult notUnique = check(Constraints.isProbablyUnique("age"));
    assertFalse(notUnique.passed(), notUnique.message());
    assertTrue(notUnique.measured().startsWith("1000 non-null values, distinct ~ 50"), notUnique.measured());
  }

  @Test
  void typeChecks() {
    assertTrue(check(Constraints.typeIs("age", "integral")).passed());
    ConstraintResult t = check(Constraints.typeIs("score", "integral"));
    assertFalse(t.passed());
    assertEquals("inferred type fractional (fractional 1000)", t.measured());
    assertTrue(check(Constraints.typeFractionBetween("email", "string", 1.0, null)).passed());
    assertFalse(check(Constraints.typeFractionBetween("email", "integral", 0.5, null)).passed());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Constraints.typeIs("x", "int"));
    assertEquals("type 'int' is not one of [integral, fractional, boolean, string, object, tensor, null]", e.getMessage());
  }

  @Test
  void aMissingColumnFailsAndSaysSo() {
    ConstraintResult r = check(Constraints.nonNegative("nope"));
    assertFalse(r.passed());
    assertEquals("column 'nope' is not in the profile (columns: age, country, email, id, score)", r.measured());
  }

  @Test
  void comparisonsWithAReference() {
    ProfileView shifted = people(2, 10);
    ConstraintResult same = Constraints.withinReference("score", "mean", 5.0, null).evaluate(people(2, 0), P);
    assertTrue(same.passed(), same.message());
    ConstraintResult moved = Constraints.withinReference("score", "mean", 5.0, null).evaluate(shifted, P);
    assertFalse(moved.passed(), moved.message());
    assertTrue(moved.measured().matches("mean = \\d+\\.\\d+, reference \\d+\\.\\d+ \\(\\+\\d+\\.\\d\\d%\\)"), moved.measured());
    assertTrue(Constraints.noDrift("score", true).evaluate(P, P).passed());
    ConstraintResult drift = Constraints.noDrift("score", true).evaluate(shifted, P);
    assertFalse(drift.passed());
    assertTrue(drift.measured().startsWith("drift (kolmogorov_smirnov "), drift.measured());
    ConstraintResult noRef = Constraints.noDrift("score", true).evaluate(P, null);
    assertFalse(noRef.passed());
    assertTrue(noRef.measured().startsWith("no reference profile given"), noRef.measured());
  }

  // ---- YAML ----

  static final String EXAMPLE = """
      # constraints for the people table
      reference: people-reference.bin
      constraints:
        - column: age
          check: value_between
          min: 0
          max: 120
        - {column: age, check: non_negative}
        - column: score
          check: mean_between
          min: 40
          max: 60
        - column: score
          check: quantile_between
          quantile: 0.99
          max: 90
        - column: email
          check: null_fraction_below
          max: 0.2
        - column: country
          check: frequent_strings_in
          values: [NZ, AU]
        - column: id
          check: is_probably_unique
        - column: age
          check: type_is
          type: integral
        - column: score
          check: within_reference
          statistic: mean
          percent: 10
        - column: score
          check: no_drift
          allow_possible_drift: false
      """;

  @Test
  void aYamlFileValidatesAProfileAndResolvesItsReference(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("c.yaml");
    Files.writeString(yaml, EXAMPLE);
    P.write(dir.resolve("people-reference.bin"));
    ConstraintSet set = ConstraintSet.load(yaml);
    assertEquals(10, set.constraints().size());
    assertEquals(dir.resolve("people-reference.bin").toAbsolutePath(), set.referencePath().orElseThrow());
    assertTrue(set.needsReference());
    ValidationReport ok = set.validate(people(3, 0), set.loadReference().orElseThrow());
    assertTrue(ok.passed(), ok.toTable());
    assertEquals(ValidationReport.EXIT_PASSED, ok.exitCode());
    ValidationReport bad = set.validate(people(3, 15), set.loadReference().orElseThrow());
    assertFalse(bad.passed());
    assertEquals(ValidationReport.EXIT_FAILED, bad.exitCode());
    assertEquals(List.of("mean_between", "within_reference", "no_drift"),
        bad.failures().stream().map(ConstraintResult::check).toList(), bad.toTable());
    String table = bad.toTable();
    assertTrue(table.startsWith("result  column   check"), table);
    assertTrue(table.contains("FAIL    score    mean_between"), table);
    assertTrue(table.endsWith("10 constraints: 7 passed, 3 failed\n"), table);
    JsonNode json = new ObjectMapper().readTree(bad.toJson());
    assertFalse(json.get("passed").asBoolean());
    assertEquals(3, json.get("failed").asInt());
    assertEquals("value_between", json.get("results").get(0).get("check").asText());
  }

  static ConstraintsFileException bad(String yaml) {
    return assertThrows(ConstraintsFileException.class, () -> ConstraintSet.parse(yaml, "c.yaml"));
  }

  @Test
  void badYamlNamesTheLineAndTheField() {
    ConstraintsFileException unknown = bad("""
        constraints:
          - column: age
            check: value_between
            min: 0
          - column: age
            check: is_positive
        """);
    assertEquals("c.yaml line 6, field 'constraints[1].check': unknown check 'is_positive'; expected one of "
        + "[value_between, non_negative, mean_between, stddev_between, quantile_between, no_missing_values, "
        + "null_fraction_below, distinct_count_between, frequent_strings_in, type_is, type_fraction_between, "
        + "is_probably_unique, within_reference, no_drift]", unknown.getMessage());
    assertEquals(6, unknown.line());
    assertEquals("constraints[1].check", unknown.field());

    ConstraintsFileException notNumber = bad("""
        constraints:
          - column: age
            check: value_between
            min: zero
        """);
    assertEquals("c.yaml line 4, field 'constraints[0].min': expected a number, found 'zero'", notNumber.getMessage());

    ConstraintsFileException extra = bad("""
        constraints:
          - column: age
            check: non_negative
            max: 3
        """);
    assertEquals("c.yaml line 4, field 'constraints[0].max': check 'non_negative' does not take this field; it takes "
        + "no fields besides column and check", extra.getMessage());

    ConstraintsFileException missing = bad("""
        constraints:
          - check: non_negative
        """);
    assertEquals("c.yaml line 2, field 'constraints[0].column': missing; every constraint names its column",
        missing.getMessage());

    ConstraintsFileException required = bad("""
        constraints:
          - column: s
            check: quantile_between
            max: 3
        """);
    assertEquals("c.yaml line 2, field 'constraints[0].quantile': missing; check 'quantile_between' needs it",
        required.getMessage());

    ConstraintsFileException semantic = bad("""
        constraints:
          - column: s
            check: mean_between
            min: 5
            max: 1
        """);
    assertEquals("c.yaml line 2, field 'constraints[0]': mean_between: min 5 is greater than max 1", semantic.getMessage());

    ConstraintsFileException notYaml = bad("constraints: [ {column: a, check: non_negative\n");
    assertEquals("c.yaml line 1: not valid YAML: expected ',' or '}', but got <stream end> at line 2, column 1 "
        + "(while parsing a flow mapping from line 1, column 16)", notYaml.getMessage(), "one line, word for word");

    assertEquals("c.yaml line 1, field 'rules': unknown top-level field; expected 'constraints' (and optionally "
        + "'reference')", bad("rules: []\n").getMessage());
    assertEquals("c.yaml line 1: the file is empty; expected a mapping with a 'constraints' list", bad("").getMessage());
    assertEquals("c.yaml line 3, field 'constraints[0].values[1]': expected a string, found true (quote it: frequent "
        + "items are strings)", bad("""
        constraints:
          - {column: c, check: frequent_strings_in,
             values: [a, true]}
        """).getMessage());
  }
}
