package dev.loupe.core.constraints;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.core.internal.TextTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The results of validating a profile against a {@link ConstraintSet}, in the set's order.
 * {@link #toTable()} and {@link #toJson()} are what {@code loupe validate} prints;
 * {@link #exitCode()} is its exit status.
 */
public final class ValidationReport {
  public static final int EXIT_PASSED = 0;
  /** Exit status when a constraint failed; 1 and 2 stay free for "bad input" and "usage". */
  public static final int EXIT_FAILED = 3;

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final List<ConstraintResult> results;

  ValidationReport(List<ConstraintResult> results) {
    this.results = List.copyOf(results);
  }

  public List<ConstraintResult> results() {
    return results;
  }

  /** True when every constraint passed (also when there are none). */
  public boolean passed() {
    return results.stream().allMatch(ConstraintResult::passed);
  }

  public List<ConstraintResult> failures() {
    return results.stream().filter(r -> !r.passed()).toList();
  }

  public int exitCode() {
    return passed() ? EXIT_PASSED : EXIT_FAILED;
  }

  /** A pass/fail table, one row per constraint, then a summary line. */
  public String toTable() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"result", "column", "check", "expected", "measured"});
    for (ConstraintResult r : results) {
      rows.add(new String[] {r.passed() ? "PASS" : "FAIL", r.column(), r.check(), r.expected(), r.measured()});
    }
    int failed = failures().size();
    return TextTable.render(rows) + results.size() + " constraints: " + (results.size() - failed) + " passed, " + failed
        + " failed\n";
  }

  /**
   * <pre>
   * {"passed": false, "total": 2, "failed": 1,
   *  "results": [{"column": "age", "check": "value_between", "expected": "...", "measured": "...", "passed": true}, ...]}
   * </pre>
   */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("passed", passed());
    root.put("total", results.size());
    root.put("failed", failures().size());
    ArrayNode arr = root.putArray("results");
    for (ConstraintResult r : results) {
      arr.addObject().put("column", r.column()).put("check", r.check()).put("expected", r.expected())
          .put("measured", r.measured()).put("passed", r.passed());
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("validation JSON cannot fail to serialize", e);
    }
  }

  @Override
  public String toString() {
    return "ValidationReport[" + results.size() + " constraints, " + failures().size() + " failed]";
  }
}
