package dev.loupe.core.constraints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code Constraints.suggest}: rules that pass on the reference and a new sample, and fail on broken columns. */
class SuggestTest {
  static final String[] COUNTRIES = {"NZ", "AU", "US", "GB", "DE"};

  /** n rows of an orders-like table; {@code breaker} may change each row before it is tracked. */
  static ProfileView sample(int n, long seed, long firstId, Consumer<Map<String, Object>> breaker) {
    Random r = new Random(seed);
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", firstId + i);
      row.put("age", (long) (18 + r.nextInt(70)));
      row.put("amount", Math.exp(r.nextGaussian()) * 20);
      row.put("delta", r.nextGaussian() * 5);
      row.put("country", COUNTRIES[Math.min(4, (int) Math.floor(-Math.log(1 - r.nextDouble()) * 1.5))]);
      row.put("email", r.nextDouble() < 0.1 ? null : "user" + r.nextInt(5_000) + "@example.com");
      row.put("express", r.nextBoolean());
      breaker.accept(row);
      p.track(row);
    }
    return p.view();
  }

  static ProfileView sample(int n, long seed, long firstId) {
    return sample(n, seed, firstId, row -> { });
  }

  static Map<String, String> checks(Suggestions s) {
    return s.suggestions().stream().collect(Collectors.groupingBy(x -> (String) x.fields().get("column"),
        java.util.TreeMap::new, Collectors.mapping(x -> (String) x.fields().get("check"), Collectors.joining(","))));
  }

  @Test
  void suggestsTheExpectedRulesPerColumn() {
    Suggestions s = Constraints.suggest(sample(20_000, 1, 0));
    Map<String, String> c = checks(s);
    assertEquals("type_fraction_between,no_missing_values,non_negative,value_between", c.get("age"));
    assertEquals("type_fraction_between,no_missing_values,non_negative,value_between", c.get("amount"));
    assertEquals("type_fraction_between,no_missing_values,value_between", c.get("delta"));
    assertEquals("type_fraction_between,no_missing_values,frequent_strings_in", c.get("country"));
    assertEquals("type_fraction_between,null_fraction_below", c.get("email"), "many distinct emails: no domain, and repeats: not unique");
    assertEquals("type_fraction_between,no_missing_values,non_negative,is_probably_unique", c.get("id"));
    assertEquals("type_fraction_between,no_missing_values", c.get("express"));
    // age 18..87 in whole numbers: widened by 25% of the range (17.25), rounded outward, floor 0 kept
    Suggestions.Suggestion range = s.suggestions().stream()
        .filter(x -> x.fields().get("column").equals("age") && x.fields().get("check").equals("value_between"))
        .findFirst().orElseThrow();
    assertEquals(0.0, range.fields().get("min"));
    assertEquals(105.0, range.fields().get("max"));
    assertTrue(range.why().startsWith("the reference ranges from 18 to 87"), range.why());
    // email: 10% nulls -> 0.1 + max(0.02, 0.05) rounded up
    Suggestions.Suggestion nulls = s.suggestions().stream()
        .filter(x -> x.fields().get("check").equals("null_fraction_below")).findFirst().orElseThrow();
    double f = (double) nulls.fields().get("max");
    assertTrue(f > 0.14 && f <= 0.16, "null bound " + f);
    Suggestions.Suggestion domain = s.suggestions().stream()
        .filter(x -> x.fields().get("check").equals("frequent_strings_in")).findFirst().orElseThrow();
    assertEquals(List.of("AU", "DE", "GB", "NZ", "US"), domain.fields().get("values"));
  }

  @Test
  void suggestionsPassOnTheReferenceAndOnAnotherSample() {
    ProfileView reference = sample(20_000, 1, 0);
    Suggestions s = Constraints.suggest(reference);
    ValidationReport onRef = s.constraints().validate(reference);
    assertTrue(onRef.passed(), onRef.toTable());
    for (long seed = 2; seed < 6; seed++) {
      ValidationReport other = s.constraints().validate(sample(20_000, seed, 1_000_000 * seed));
      assertTrue(other.passed(), "seed " + seed + "\n" + other.toTable());
    }
    ValidationReport smaller = s.constraints().validate(sample(2_000, 9, 77_000_000));
    assertTrue(smaller.passed(), smaller.toTable());
  }

  @Test
  void suggestionsFailOnBrokenColumns() {
    Suggestions s = Constraints.suggest(sample(20_000, 1, 0));
    assertFailures(s, sample(20_000, 2, 0, row -> {
      if (row.get("id").hashCode() % 10 == 0) {
        row.put("age", null);
      }
    }), Set.of("age no_missing_values"));
    assertFailures(s, sample(20_000, 2, 0, row -> row.put("email", ((Long) row.get("id")) % 3 == 0 ? null
        : row.get("email"))), Set.of("email null_fraction_below"));
    assertFailures(s, sample(20_000, 2, 0, row -> {
      if ((Long) row.get("id") == 500) {
        row.put("amount", -3.0);
        row.put("age", 140L);
      }
    }), Set.of("amount non_negative", "amount value_between", "age value_between"));
    assertFailures(s, sample(20_000, 2, 0, row -> {
      if ((Long) row.get("id") % 100 == 0) {
        row.put("country", "FR");
      }
    }), Set.of("country frequent_strings_in"));
    assertFailures(s, sample(20_000, 2, 0, row -> row.put("id", (Long) row.get("id") / 2)),
        Set.of("id is_probably_unique"));
    assertFailures(s, sample(20_000, 2, 0, row -> row.put("express", row.get("express").toString())),
        Set.of("express type_fraction_between"));
  }

  private static void assertFailures(Suggestions s, ProfileView broken, Set<String> expected) {
    ValidationReport r = s.constraints().validate(broken);
    Set<String> failed = r.failures().stream().map(x -> x.column() + " " + x.check()).collect(Collectors.toSet());
    assertEquals(expected, failed, r.toTable());
  }

  @Test
  void theYamlIsCommentedAndReadsBackAsTheSameConstraints() throws Exception {
    ProfileView reference = sample(5_000, 1, 0);
    Suggestions s = Constraints.suggest(reference);
    String yaml = s.toYaml("reference.bin");
    assertTrue(yaml.startsWith("# Constraints suggested by `loupe suggest` from reference.bin (5,000 rows, 7 columns)."),
        yaml);
    assertTrue(yaml.contains("  # no missing values in 5,000 rows\n  - column: age\n    check: no_missing_values\n"), yaml);
    assertTrue(yaml.contains("    check: frequent_strings_in\n    values: [AU, DE, GB, NZ, US]\n"), yaml);
    ConstraintSet back = ConstraintSet.parse(yaml, "suggested.yaml");
    assertEquals(s.suggestions().size(), back.constraints().size());
    for (int i = 0; i < back.constraints().size(); i++) {
      assertEquals(s.suggestions().get(i).constraint().toString(), back.constraints().get(i).toString());
    }
    assertTrue(back.validate(reference).passed());
    assertFalse(back.validate(sample(5_000, 2, 0, row -> row.put("country", "FR"))).passed());
  }

  @Test
  void yamlScalarsAreQuotedWhenPlainWouldChangeTheirMeaning() {
    assertEquals("age", Suggestions.yaml("age"));
    assertEquals("\"yes\"", Suggestions.yaml("yes"));
    assertEquals("\"1st\"", Suggestions.yaml("1st"));
    assertEquals("\"a: b\"", Suggestions.yaml("a: b"));
    assertEquals("\"say \\\"hi\\\"\"", Suggestions.yaml("say \"hi\""));
    assertEquals("[NZ, \"null\"]", Suggestions.yaml(List.of("NZ", "null")));
    assertEquals("-0.125", Suggestions.yaml(-0.125));
    assertEquals(0.123, Suggestions.down(0.12345));
    assertEquals(0.124, Suggestions.up(0.12345));
    assertEquals(-0.124, Suggestions.down(-0.12345));
  }
}
