package dev.loupe.core.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.core.internal.NumberFormat;
import dev.loupe.core.internal.TextTable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The result of {@link Drift#compare}: one {@link ColumnDrift} per column of either profile, in
 * column-name order, and a summary. {@link #toJson()} and {@link #toTable()} are what
 * {@code loupe drift} prints; {@link #exitCode()} is its exit status.
 */
public final class DriftReport {
  /** Exit status when no column drifted (possible drift does not fail unless asked to). */
  public static final int EXIT_NO_DRIFT = 0;
  /** Exit status when at least one column drifted; 1 and 2 stay free for "bad input" and "usage". */
  public static final int EXIT_DRIFT = 3;

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final List<ColumnDrift> columns;
  private final DriftOptions options;

  DriftReport(List<ColumnDrift> columns, DriftOptions options) {
    this.columns = List.copyOf(columns);
    this.options = options;
  }

  public List<ColumnDrift> columns() {
    return columns;
  }

  public Optional<ColumnDrift> column(String name) {
    return columns.stream().filter(c -> c.column().equals(name)).findFirst();
  }

  public DriftOptions options() {
    return options;
  }

  /** Tested columns per category (every category present, zero when none). */
  public Map<DriftCategory, Integer> counts() {
    Map<DriftCategory, Integer> out = new EnumMap<>(DriftCategory.class);
    for (DriftCategory c : DriftCategory.values()) {
      out.put(c, 0);
    }
    columns.stream().filter(c -> !c.skipped()).forEach(c -> out.merge(c.category(), 1, Integer::sum));
    return out;
  }

  public int skippedCount() {
    return (int) columns.stream().filter(ColumnDrift::skipped).count();
  }

  /** The most severe category of any tested column; empty when no column could be tested. */
  public Optional<DriftCategory> worst() {
    return columns.stream().filter(c -> !c.skipped()).map(ColumnDrift::category).max(Enum::compareTo);
  }

  /** Columns in the given category. */
  public List<String> columnsIn(DriftCategory category) {
    List<String> out = new ArrayList<>();
    columns.stream().filter(c -> c.category() == category).forEach(c -> out.add(c.column()));
    return out;
  }

  /** {@link #EXIT_DRIFT} when some column drifted, else {@link #EXIT_NO_DRIFT}. */
  public int exitCode() {
    return exitCode(false);
  }

  /** As {@link #exitCode()}; with {@code failOnPossibleDrift}, possible drift also gives {@link #EXIT_DRIFT}. */
  public int exitCode(boolean failOnPossibleDrift) {
    DriftCategory w = worst().orElse(DriftCategory.NO_DRIFT);
    boolean fail = w == DriftCategory.DRIFT || (failOnPossibleDrift && w == DriftCategory.POSSIBLE_DRIFT);
    return fail ? EXIT_DRIFT : EXIT_NO_DRIFT;
  }

  /**
   * The report as JSON:
   * <pre>
   * {"summary": {"columns": 3, "no_drift": 1, "possible_drift": 0, "drift": 1, "skipped": 1, "worst": "drift",
   *              "min_effect": 0.0},
   *  "columns": {"age": {"type": "integral", "algorithm": "kolmogorov_smirnov", "statistic": 0.31,
   *                      "p_value": 1.2e-9, "category": "drift", "note": "",
   *                      "effect_size": 0.31, "effect_measure": "ks_distance", "tested_statistic": 0.30,
   *                      "sketch_error": 0.007, "degrees_of_freedom": null, "counts_estimated": false,
   *                      "negligible": false}, ...}}
   * </pre>
   * Skipped columns have null algorithm, statistic, p_value and category (and null effect fields);
   * an infinite statistic is the string "Infinity". The fields after "note" and "min_effect" were
   * added in the second version; the first version's fields keep their names and meanings.
   */
  public ObjectNode toNode() {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode s = root.putObject("summary");
    s.put("columns", columns.size());
    counts().forEach((c, n) -> s.put(c.label(), n));
    s.put("skipped", skippedCount());
    Optional<DriftCategory> w = worst();
    if (w.isPresent()) {
      s.put("worst", w.get().label());
    } else {
      s.putNull("worst");
    }
    s.put("min_effect", options.minEffect());
    ObjectNode cols = root.putObject("columns");
    for (ColumnDrift c : columns) {
      ObjectNode n = cols.putObject(c.column());
      n.put("type", c.type());
      if (c.algorithm() == null) {
        n.putNull("algorithm");
      } else {
        n.put("algorithm", c.algorithm().label());
      }
      putNumber(n, "statistic", c.statistic());
      putNumber(n, "p_value", c.pValue());
      if (c.category() == null) {
        n.putNull("category");
      } else {
        n.put("category", c.category().label());
      }
      n.put("note", c.note());
      putNumber(n, "effect_size", c.effectSize());
      if (c.effectMeasure() == null) {
        n.putNull("effect_measure");
      } else {
        n.put("effect_measure", c.effectMeasure().label());
      }
      putNumber(n, "tested_statistic", c.testedStatistic());
      putNumber(n, "sketch_error", c.sketchError());
      if (c.degreesOfFreedom() == null) {
        n.putNull("degrees_of_freedom");
      } else {
        n.put("degrees_of_freedom", c.degreesOfFreedom());
      }
      n.put("counts_estimated", c.countsEstimated());
      n.put("negligible", c.negligible());
    }
    return root;
  }

  private static void putNumber(ObjectNode n, String key, Double v) {
    if (v == null) {
      n.putNull(key);
    } else if (Double.isFinite(v)) {
      n.put(key, v);
    } else {
      n.put(key, v.toString());
    }
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(toNode());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("drift JSON cannot fail to serialize", e);
    }
  }

  /** A plain-text table, one row per column, then a summary line. */
  public String toTable() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"column", "type", "test", "statistic", "p-value", "effect", "drift", "note"});
    for (ColumnDrift c : columns) {
      rows.add(new String[] {c.column(), c.type(),
          c.algorithm() == null ? "-" : c.algorithm().label(),
          format(c.statistic()), format(c.pValue()), effect(c),
          c.category() == null ? "skipped" : c.category().label(), c.note()});
    }
    StringBuilder sb = new StringBuilder(TextTable.render(rows));
    Map<DriftCategory, Integer> n = counts();
    sb.append(String.format(Locale.ROOT, "%d columns: %d drift, %d possible drift, %d no drift, %d skipped%n",
        columns.size(), n.get(DriftCategory.DRIFT), n.get(DriftCategory.POSSIBLE_DRIFT), n.get(DriftCategory.NO_DRIFT),
        skippedCount()));
    return sb.toString();
  }

  /** The effect size as the table shows it: "0.0123 ks" / "0.0400 tv" / "-". */
  static String effect(ColumnDrift c) {
    if (c.effectSize() == null || c.effectMeasure() == null) {
      return "-";
    }
    String unit = switch (c.effectMeasure()) {
      case KS_DISTANCE -> "ks";
      case TOTAL_VARIATION -> "tv";
      case HELLINGER -> "hellinger";
    };
    return format(c.effectSize()) + " " + unit;
  }

  /** A number as the table shows it: 4 decimals, scientific below 1e-4, "inf", "-" for null. */
  static String format(Double v) {
    return NumberFormat.fixed(v, 4);
  }

  @Override
  public String toString() {
    return "DriftReport" + counts() + ", skipped=" + skippedCount();
  }
}
