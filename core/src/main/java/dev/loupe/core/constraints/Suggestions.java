package dev.loupe.core.constraints;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.internal.NumberFormat;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.TypesMetric;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Constraints proposed from a reference profile ({@link Constraints#suggest(ProfileView)}), each
 * with the reason it was proposed; {@link #toYaml(String)} writes them as a commented constraints
 * file, what {@code loupe suggest} prints.
 *
 * <p>The rules, per column, are chosen to pass on the reference and on another sample of the same
 * data, and to fail when the column breaks:
 * <ul>
 * <li>{@code type_fraction_between} with min 1 when every non-null value is of one kind (a value of
 *     another kind fails it), else {@code type_is} when at least 99% are of the inferred type;
 * <li>{@code no_missing_values} when the reference has none, else {@code null_fraction_below} the
 *     reference's fraction plus max(0.02, half of it);
 * <li>numeric: {@code non_negative} when the minimum is &gt;= 0, and {@code value_between} the
 *     minimum and maximum widened on each side by the larger of 25% of the range and twice the
 *     width of the outer 1% tail (maximum - q99, q01 - minimum), rounded outward to 3 significant
 *     digits (whole numbers for integral columns; the lower bound stays at 0 for non-negative
 *     columns). A new sample's extremes go past the reference's about half the time; the margin
 *     keeps that from failing while values far outside (a sentinel, a unit change) still fail;
 * <li>strings with at most {@value #MAX_DOMAIN} distinct values, all held exactly by the
 *     frequent-items sketch and each seen at least {@value #MIN_CATEGORY_COUNT} times (so that a
 *     value the reference missed is unlikely to appear in a new sample): {@code frequent_strings_in}
 *     that domain;
 * <li>string and integral columns of more than {@value #MIN_UNIQUE_ROWS} values that are all
 *     distinct: {@code is_probably_unique}, and no value range (identifiers grow).
 * </ul>
 */
public final class Suggestions {
  static final int MAX_DOMAIN = 50;
  static final int MIN_CATEGORY_COUNT = 10;
  static final int MIN_UNIQUE_ROWS = 100;
  static final double TYPE_SHARE = 0.99;

  /** One proposed constraint: the rule, its fields as the YAML file spells them, and why. */
  public record Suggestion(Constraint constraint, Map<String, Object> fields, String why) {
    public Suggestion {
      fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
  }

  private final List<Suggestion> suggestions;
  private final long rows;
  private final int columns;

  private Suggestions(List<Suggestion> suggestions, long rows, int columns) {
    this.suggestions = List.copyOf(suggestions);
    this.rows = rows;
    this.columns = columns;
  }

  public List<Suggestion> suggestions() {
    return suggestions;
  }

  /** The suggested constraints, ready to validate. */
  public ConstraintSet constraints() {
    List<Constraint> c = new ArrayList<>();
    suggestions.forEach(s -> c.add(s.constraint()));
    return ConstraintSet.of(c);
  }

  static Suggestions of(ProfileView reference) {
    List<Suggestion> out = new ArrayList<>();
    long rows = 0;
    for (Map.Entry<String, ColumnView> e : reference.columns().entrySet()) {
      rows = Math.max(rows, e.getValue().counts().n());
      column(e.getKey(), e.getValue(), out);
    }
    return new Suggestions(out, rows, reference.columns().size());
  }

  private static void column(String name, ColumnView c, List<Suggestion> out) {
    long n = c.counts().n();
    long nulls = c.counts().nulls();
    if (n == 0) {
      return;
    }
    TypesMetric t = c.types();
    String type = c.inferredType();
    long nonNull = t.integral() + t.fractional() + t.bool() + t.string() + t.object() + t.tensor();
    long ofType = switch (type) {
      case "integral" -> t.integral();
      case "fractional" -> t.fractional();
      case "boolean" -> t.bool();
      case "string" -> t.string();
      case "object" -> t.object();
      case "tensor" -> t.tensor();
      default -> 0;
    };
    if (!type.equals("null") && nonNull > 0 && ofType == nonNull) {
      out.add(new Suggestion(Constraints.typeFractionBetween(name, type, 1.0, null),
          fields(name, "type_fraction_between", "type", type, "min", 1.0),
          "all " + count(nonNull) + " non-null values are " + type + "; a value of any other kind fails this"));
    } else if (!type.equals("null") && nonNull > 0 && ofType >= TYPE_SHARE * nonNull) {
      out.add(new Suggestion(Constraints.typeIs(name, type), fields(name, "type_is", "type", type),
          count(ofType) + " of " + count(nonNull) + " non-null values are " + type + "; the inferred type (the "
              + "most common kind) must stay " + type));
    }
    if (nulls == 0) {
      out.add(new Suggestion(Constraints.noMissingValues(name), fields(name, "no_missing_values"),
          "no missing values in " + count(n) + " rows"));
    } else {
      double f = (double) nulls / n;
      double max = Math.min(1, up(f + Math.max(0.02, f / 2)));
      if (max < 1) {
        out.add(new Suggestion(Constraints.nullFractionBelow(name, max), fields(name, "null_fraction_below", "max", max),
            "null fraction " + num(f) + " (" + count(nulls) + " of " + count(n) + "), plus max(0.02, half of it)"));
      }
    }
    Optional<CardinalityMetric> h = c.cardinality().filter(x -> !x.isEmpty());
    boolean unique = false;
    if ((type.equals("string") || type.equals("integral")) && h.isPresent() && nonNull > MIN_UNIQUE_ROWS) {
      unique = Constraints.isProbablyUnique(name).evaluate(
          ProfileView.of(dev.loupe.core.ProfileProperties.EMPTY, Map.of(name, c)), null).passed();
    }
    Optional<DistributionMetric> dist = c.distribution().filter(d -> !d.isEmpty());
    boolean numeric = type.equals("integral") || type.equals("fractional");
    if (numeric && dist.isPresent() && Double.isFinite(dist.get().min().getAsDouble())
        && Double.isFinite(dist.get().max().getAsDouble())) {
      DistributionMetric d = dist.get();
      boolean integral = type.equals("integral");
      double min = d.min().getAsDouble();
      double max = d.max().getAsDouble();
      if (min >= 0) {
        out.add(new Suggestion(Constraints.nonNegative(name), fields(name, "non_negative"),
            "the minimum is " + num(min) + ", never negative"));
      }
      double range = max - min;
      double lowMargin = Math.max(0.25 * range, 2 * (d.quantile(0.01).getAsDouble() - min));
      double highMargin = Math.max(0.25 * range, 2 * (max - d.quantile(0.99).getAsDouble()));
      double lo = integral ? Math.floor(min - lowMargin) : down(min - lowMargin);
      double hi = integral ? Math.ceil(max + highMargin) : up(max + highMargin);
      if (min >= 0) {
        lo = Math.max(0, lo);
      }
      if (range > 0 && Double.isFinite(lo) && Double.isFinite(hi) && !unique) {
        out.add(new Suggestion(Constraints.valueBetween(name, lo, hi), fields(name, "value_between", "min", lo, "max", hi),
            "the reference ranges from " + num(min) + " to " + num(max) + "; widened on each side by the larger of "
                + "25% of the range and twice its outer 1% tail"));
      }
    }
    Optional<FrequentItemsMetric> fi = c.frequentItems().filter(f -> !f.isEmpty());
    if (type.equals("string") && fi.isPresent() && fi.get().maximumError() == 0) {
      List<FrequentItemsMetric.Item> items = fi.get().allItems();
      long rarest = items.stream().mapToLong(FrequentItemsMetric.Item::est).min().orElse(0);
      if (!items.isEmpty() && items.size() <= MAX_DOMAIN && rarest >= MIN_CATEGORY_COUNT) {
        TreeSet<String> values = new TreeSet<>();
        items.forEach(i -> values.add(i.value()));
        out.add(new Suggestion(Constraints.frequentStringsIn(name, values),
            fields(name, "frequent_strings_in", "values", List.copyOf(values)),
            items.size() + " distinct values, the rarest seen " + count(rarest) + " times; a new value fails this"));
      }
    }
    if (unique) {
      out.add(new Suggestion(Constraints.isProbablyUnique(name), fields(name, "is_probably_unique"),
          "all " + count(nonNull) + " non-null values look distinct (HLL estimate " + num(Math.rint(h.get().estimate()))
              + "): an identifier, so no value range (new ids move it)"));
    }
  }

  private static Map<String, Object> fields(String column, String check, Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("column", column);
    m.put("check", check);
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /**
   * The suggestions as a constraints file: a header, then each rule preceded by a comment saying
   * why. {@code source} names the reference in the header (null to leave it out).
   */
  public String toYaml(String source) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Constraints suggested by `loupe suggest` from ").append(source == null ? "a reference profile" : source)
        .append(" (").append(count(rows)).append(" rows, ").append(columns).append(" columns).\n")
        .append("# Each rule says why it was proposed; keep, edit or delete it. Check a new profile with:\n")
        .append("#   loupe validate NEW.bin --constraints THIS_FILE.yaml\n")
        .append("constraints:\n");
    String last = null;
    for (Suggestion s : suggestions) {
      String col = (String) s.fields().get("column");
      if (!col.equals(last)) {
        sb.append('\n').append("  # ---- ").append(oneLine(col)).append(" ----\n");
        last = col;
      }
      sb.append("  # ").append(oneLine(s.why())).append('\n');
      boolean first = true;
      for (Map.Entry<String, Object> f : s.fields().entrySet()) {
        sb.append(first ? "  - " : "    ").append(f.getKey()).append(": ").append(yaml(f.getValue())).append('\n');
        first = false;
      }
    }
    return sb.toString();
  }

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_ .-]*[A-Za-z0-9_.]|[A-Za-z_]");
  private static final Set<String> YAML_WORDS = Set.of("y", "n", "yes", "no", "true", "false", "on", "off", "null");

  /** A scalar or list in YAML: plain where that is unambiguous, else a double-quoted (JSON) string. */
  static String yaml(Object v) {
    if (v instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      list.forEach(x -> parts.add(yaml(x)));
      return "[" + String.join(", ", parts) + "]";
    }
    if (v instanceof Double d) {
      return num(d);
    }
    String s = String.valueOf(v);
    if (PLAIN.matcher(s).matches() && !YAML_WORDS.contains(s.toLowerCase(Locale.ROOT))) {
      return s;
    }
    StringBuilder q = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\t' -> q.append("\\t");
        default -> {
          if (ch < 0x20) {
            q.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            q.append(ch);
          }
        }
      }
    }
    return q.append('"').toString();
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n]+", " ");
  }

  /** Rounds outward (down) to 3 significant digits, so the bound still holds. */
  static double down(double v) {
    return v == 0 ? 0 : new BigDecimal(v).round(new MathContext(3, RoundingMode.FLOOR)).doubleValue();
  }

  /** Rounds outward (up) to 3 significant digits. */
  static double up(double v) {
    return v == 0 ? 0 : new BigDecimal(v).round(new MathContext(3, RoundingMode.CEILING)).doubleValue();
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static String count(long n) {
    return NumberFormat.grouped(n);
  }
}
