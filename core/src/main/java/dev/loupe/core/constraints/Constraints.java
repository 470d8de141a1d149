package dev.loupe.core.constraints;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.drift.ColumnDrift;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.DriftCategory;
import dev.loupe.core.drift.DriftOptions;
import dev.loupe.core.internal.NumberFormat;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.TypesMetric;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The constraints Loupe knows, as factories. Each takes the column first; ranges take a minimum
 * and a maximum, either of which may be null (no bound). Numbers from sketches are estimates: the
 * result's {@code measured} text gives the estimate's error bounds, and the check is decided on the
 * estimate itself.
 *
 * <pre>{@code
 * ConstraintSet set = ConstraintSet.of(
 *     Constraints.valueBetween("age", 0.0, 120.0),
 *     Constraints.noMissingValues("id"),
 *     Constraints.frequentStringsIn("country", Set.of("NZ", "AU")));
 * ValidationReport report = set.validate(profile);
 * }</pre>
 */
public final class Constraints {
  /** Standard deviations of the HLL bounds used by the distinct-count checks (about 95% confidence). */
  static final int HLL_STD_DEVS = 2;

  private Constraints() {}

  // ---- values ----

  /** Every numeric value lies in [min, max] (the exact minimum and maximum of the distribution). */
  public static Constraint valueBetween(String column, Double min, Double max) {
    String expected = range("min", min, "max", max);
    requireBound(min, max, "value_between");
    return new Check(column, "value_between", expected, false, (c, r) -> withDistribution(c, d -> {
      boolean ok = (min == null || d.min().getAsDouble() >= min) && (max == null || d.max().getAsDouble() <= max);
      return new Outcome(ok, "min = " + num(d.min().getAsDouble()) + ", max = " + num(d.max().getAsDouble()));
    }));
  }

  /** No numeric value is negative. */
  public static Constraint nonNegative(String column) {
    return new Check(column, "non_negative", "min >= 0", false, (c, r) -> withDistribution(c,
        d -> new Outcome(d.min().getAsDouble() >= 0, "min = " + num(d.min().getAsDouble()))));
  }

  public static Constraint meanBetween(String column, Double min, Double max) {
    requireBound(min, max, "mean_between");
    return new Check(column, "mean_between", between("mean", min, max), false, (c, r) -> withDistribution(c,
        d -> new Outcome(in(d.mean().getAsDouble(), min, max), "mean = " + num(d.mean().getAsDouble()))));
  }

  public static Constraint stddevBetween(String column, Double min, Double max) {
    requireBound(min, max, "stddev_between");
    return new Check(column, "stddev_between", between("stddev", min, max), false, (c, r) -> withDistribution(c, d -> {
      if (d.n() < 2) {
        return new Outcome(false, "stddev undefined for " + d.n() + " value");
      }
      return new Outcome(in(d.stddev().getAsDouble(), min, max), "stddev = " + num(d.stddev().getAsDouble()));
    }));
  }

  /**
   * The quantile at normalized rank {@code quantile} (0..1) lies in [min, max]. The quantile comes
   * from the KLL sketch; the measured text gives the values at rank +- the sketch's rank error.
   */
  public static Constraint quantileBetween(String column, double quantile, Double min, Double max) {
    if (!(quantile >= 0 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile_between: quantile must be in [0, 1], got " + quantile);
    }
    requireBound(min, max, "quantile_between");
    String q = "q(" + num(quantile) + ")";
    return new Check(column, "quantile_between", between(q, min, max), false, (c, r) -> withDistribution(c, d -> {
      double v = d.quantile(quantile).getAsDouble();
      double eps = d.normalizedRankError();
      String measured = q + " ~ " + num(v);
      if (eps > 0 && d.n() > d.k()) {
        measured += " (KLL rank error +-" + pct(eps) + ": between " + num(d.quantile(Math.max(0, quantile - eps)).getAsDouble())
            + " and " + num(d.quantile(Math.min(1, quantile + eps)).getAsDouble()) + ")";
      }
      return new Outcome(in(v, min, max), measured);
    }));
  }

  // ---- missing values ----

  /** No nulls (null, NaN, missing) at all. */
  public static Constraint noMissingValues(String column) {
    return new Check(column, "no_missing_values", "0 nulls", false, (c, r) -> {
      long nulls = c.counts().nulls();
      return new Outcome(nulls == 0, nulls + " nulls in " + c.counts().n() + " values");
    });
  }

  /** nulls / values is at most {@code max}. */
  public static Constraint nullFractionBelow(String column, double max) {
    return new Check(column, "null_fraction_below", "null fraction <= " + num(max), false, (c, r) -> {
      long n = c.counts().n();
      if (n == 0) {
        return new Outcome(false, "no values, so no null fraction");
      }
      double f = (double) c.counts().nulls() / n;
      return new Outcome(f <= max, "null fraction = " + num(f) + " (" + c.counts().nulls() + " of " + n + ")");
    });
  }

  // ---- distinct values and frequent items ----

  /** The HLL distinct-count estimate, rounded to the nearest integer, lies in [min, max]. */
  public static Constraint distinctCountBetween(String column, Long min, Long max) {
    if (min == null && max == null) {
      throw new IllegalArgumentException("distinct_count_between: give min, max or both");
    }
    return new Check(column, "distinct_count_between", between("distinct count", min == null ? null : (double) min,
        max == null ? null : (double) max), false, (c, r) -> withCardinality(c, h -> {
          long est = h.isEmpty() ? 0 : Math.round(h.estimate()); // a count: compared as the nearest integer
          return new Outcome((min == null || est >= min) && (max == null || est <= max), distinct(h));
        }));
  }

  /**
   * Every item the frequent-items sketch holds is in {@code allowed}. Exact while the column has
   * at most ~768 distinct values; beyond that, rare values may not be held and cannot be checked.
   */
  public static Constraint frequentStringsIn(String column, Set<String> allowed) {
    Set<String> set = Set.copyOf(allowed);
    List<String> shown = new ArrayList<>(new java.util.TreeSet<>(set));
    String expected = "every frequent item in {" + String.join(", ", shown.size() > 10 ? shown.subList(0, 10) : shown)
        + (shown.size() > 10 ? ", ... (" + shown.size() + " values)" : "") + "}";
    return new Check(column, "frequent_strings_in", expected, false, (c, r) -> {
      Optional<FrequentItemsMetric> fi = c.frequentItems().filter(f -> !f.isEmpty());
      if (fi.isEmpty()) {
        return new Outcome(false, "no frequent items (no string or integer values)");
      }
      List<String> outside = new ArrayList<>();
      List<FrequentItemsMetric.Item> items = fi.get().allItems();
      for (FrequentItemsMetric.Item it : items) {
        if (!set.contains(it.value())) {
          outside.add("'" + it.value() + "' (~" + it.est() + ")");
        }
      }
      if (outside.isEmpty()) {
        return new Outcome(true, "all " + items.size() + " items held by the sketch are allowed");
      }
      String list = outside.size() > 5 ? String.join(", ", outside.subList(0, 5)) + " and " + (outside.size() - 5)
          + " more" : String.join(", ", outside);
      return new Outcome(false, outside.size() + " of " + items.size() + " items not allowed: " + list);
    });
  }

  // ---- types ----

  /** The inferred type ({@code integral, fractional, boolean, string, object, tensor, null}) is {@code type}. */
  public static Constraint typeIs(String column, String type) {
    String t = checkType(type, true);
    return new Check(column, "type_is", "inferred type " + t, false, (c, r) -> {
      TypesMetric ty = c.types();
      return new Outcome(c.inferredType().equals(t), "inferred type " + c.inferredType() + " (" + typeCounts(ty) + ")");
    });
  }

  /** The fraction of non-null values of kind {@code type} lies in [min, max]. */
  public static Constraint typeFractionBetween(String column, String type, Double min, Double max) {
    String t = checkType(type, false);
    requireBound(min, max, "type_fraction_between");
    return new Check(column, "type_fraction_between", between("types/" + t + " fraction", min, max), false, (c, r) -> {
      TypesMetric ty = c.types();
      long nonNull = ty.integral() + ty.fractional() + ty.bool() + ty.string() + ty.object() + ty.tensor();
      if (nonNull == 0) {
        return new Outcome(false, "no non-null values");
      }
      double f = (double) typeCount(ty, t) / nonNull;
      return new Outcome(in(f, min, max), "types/" + t + " fraction = " + num(f) + " (" + typeCount(ty, t) + " of "
          + nonNull + " non-null)");
    });
  }

  /**
   * Every non-null value is probably distinct: the non-null count lies within the HLL estimate's
   * bounds ({@value #HLL_STD_DEVS} standard deviations), so the data is consistent with no duplicates.
   */
  public static Constraint isProbablyUnique(String column) {
    return new Check(column, "is_probably_unique", "non-null count within the distinct estimate's bounds", false,
        (c, r) -> withCardinality(c, h -> {
          long nonNull = c.counts().n() - c.counts().nulls();
          boolean ok = nonNull >= Math.floor(h.lowerBound(HLL_STD_DEVS)) && nonNull <= Math.ceil(h.upperBound(HLL_STD_DEVS));
          return new Outcome(ok, nonNull + " non-null values, " + distinct(h));
        }));
  }

  // ---- against a reference profile ----

  /** The statistics {@link #withinReference} compares. */
  public static final List<String> REFERENCE_STATISTICS =
      List.of("mean", "stddev", "min", "max", "median", "null_fraction", "distinct", "count");

  /**
   * A statistic ({@link #REFERENCE_STATISTICS}) is within {@code percent} % of the reference's
   * value, or, with {@code absolute}, within that distance of it (give one of the two).
   */
  public static Constraint withinReference(String column, String statistic, Double percent, Double absolute) {
    if (!REFERENCE_STATISTICS.contains(statistic)) {
      throw new IllegalArgumentException("within_reference: statistic '" + statistic + "' is not one of "
          + REFERENCE_STATISTICS);
    }
    if ((percent == null) == (absolute == null)) {
      throw new IllegalArgumentException("within_reference: give exactly one of percent and absolute");
    }
    String expected = statistic + " within " + (percent != null ? num(percent) + "%" : "+-" + num(absolute))
        + " of the reference";
    return new Check(column, "within_reference", expected, true, (c, r) -> {
      Optional<Double> v = statistic(c, statistic);
      Optional<Double> ref = statistic(r, statistic);
      if (v.isEmpty() || ref.isEmpty()) {
        return new Outcome(false, "no " + statistic + " in the " + (v.isEmpty() ? "profile" : "reference"));
      }
      double tol = percent != null ? Math.abs(ref.get()) * percent / 100 : absolute;
      double diff = v.get() - ref.get();
      String rel = ref.get() != 0 ? String.format(Locale.ROOT, " (%+.2f%%)", 100 * diff / Math.abs(ref.get())) : "";
      return new Outcome(Math.abs(diff) <= tol, statistic + " = " + num(v.get()) + ", reference " + num(ref.get()) + rel);
    });
  }

  /** The column's drift against the reference (default tests) is not DRIFT, nor POSSIBLE_DRIFT unless allowed. */
  public static Constraint noDrift(String column, boolean allowPossibleDrift) {
    String expected = allowPossibleDrift ? "drift category no_drift or possible_drift" : "drift category no_drift";
    return new Check(column, "no_drift", expected, true, (c, r) -> {
      ColumnDrift d = Drift.compareColumn(column, Optional.of(r), Optional.of(c), DriftOptions.defaults());
      if (d.skipped()) {
        return new Outcome(false, "no drift test applies: " + d.note());
      }
      boolean ok = d.category() == DriftCategory.NO_DRIFT
          || (allowPossibleDrift && d.category() == DriftCategory.POSSIBLE_DRIFT);
      String p = d.pValue() == null ? "" : ", p = " + num(d.pValue());
      return new Outcome(ok, d.category().label() + " (" + d.algorithm().label() + " " + num(d.statistic()) + p + ")"
          + (d.note().isEmpty() ? "" : "; " + d.note()));
    });
  }

  // ---- suggestions ----

  /**
   * Constraints proposed from a reference profile, each with the reason it was proposed (types,
   * missing values, non-negative, ranges with a margin, the domain of low-cardinality strings,
   * probably-unique columns); see {@link Suggestions} for the rules.
   *
   * <pre>{@code
   * Suggestions s = Constraints.suggest(reference);
   * Files.writeString(Path.of("constraints.yaml"), s.toYaml("reference.bin"));
   * s.constraints().validate(today);
   * }</pre>
   */
  public static Suggestions suggest(ProfileView reference) {
    return Suggestions.of(reference);
  }

  // ---- helpers ----

  record Outcome(boolean passed, String measured) {}

  interface Evaluator {
    /** {@code ref} is the reference's column, non-null for checks that need a reference. */
    Outcome apply(ColumnView column, ColumnView ref);
  }

  /** A column check: looks the column (and the reference column) up, then evaluates. */
  record Check(String column, String check, String expected, boolean needsReference, Evaluator fn)
      implements Constraint {
    Check {
      Objects.requireNonNull(column, "column");
    }

    @Override
    public ConstraintResult evaluate(ProfileView profile, ProfileView reference) {
      Optional<ColumnView> c = profile.column(column);
      if (c.isEmpty()) {
        return result(false, "column '" + column + "' is not in the profile (columns: " + names(profile) + ")");
      }
      ColumnView ref = null;
      if (needsReference) {
        if (reference == null) {
          return result(false, "no reference profile given (set 'reference:' in the constraints file or pass one)");
        }
        Optional<ColumnView> rc = reference.column(column);
        if (rc.isEmpty()) {
          return result(false, "column '" + column + "' is not in the reference profile");
        }
        ref = rc.get();
      }
      Outcome o = fn.apply(c.get(), ref);
      return result(o.passed(), o.measured());
    }

    private ConstraintResult result(boolean passed, String measured) {
      return new ConstraintResult(column, check, expected, measured, passed);
    }

    @Override
    public String toString() {
      return column + " " + check + ": " + expected;
    }
  }

  private static String names(ProfileView p) {
    List<String> n = new ArrayList<>(p.columns().keySet());
    return n.size() > 10 ? String.join(", ", n.subList(0, 10)) + ", ..." : String.join(", ", n);
  }

  private static Outcome withDistribution(ColumnView c, java.util.function.Function<DistributionMetric, Outcome> f) {
    Optional<DistributionMetric> d = c.distribution().filter(m -> !m.isEmpty());
    return d.isEmpty() ? new Outcome(false, "no numeric values") : f.apply(d.get());
  }

  private static Outcome withCardinality(ColumnView c, java.util.function.Function<CardinalityMetric, Outcome> f) {
    Optional<CardinalityMetric> h = c.cardinality();
    if (h.isEmpty() || h.get().isEmpty()) {
      boolean anyValues = c.counts().n() > c.counts().nulls();
      return anyValues ? new Outcome(false, "no distinct-count sketch for this column's type")
          : f.apply(CardinalityMetric.EMPTY);
    }
    return f.apply(h.get());
  }

  private static String distinct(CardinalityMetric h) {
    if (h.isEmpty()) {
      return "distinct count 0";
    }
    return "distinct ~ " + num(Math.rint(h.estimate())) + " (HLL " + HLL_STD_DEVS + "-sigma bounds "
        + num(Math.floor(h.lowerBound(HLL_STD_DEVS))) + ".." + num(Math.ceil(h.upperBound(HLL_STD_DEVS))) + ")";
  }

  static Optional<Double> statistic(ColumnView c, String name) {
    Optional<DistributionMetric> d = c.distribution().filter(m -> !m.isEmpty());
    return switch (name) {
      case "mean" -> d.map(m -> m.mean().getAsDouble());
      case "stddev" -> d.filter(m -> m.n() >= 2).map(m -> m.stddev().getAsDouble());
      case "min" -> d.map(m -> m.min().getAsDouble());
      case "max" -> d.map(m -> m.max().getAsDouble());
      case "median" -> d.map(m -> m.quantile(0.5).getAsDouble());
      case "null_fraction" -> c.counts().n() == 0 ? Optional.empty()
          : Optional.of((double) c.counts().nulls() / c.counts().n());
      case "distinct" -> Optional.of(c.cardinality().map(h -> h.isEmpty() ? 0.0 : h.estimate()).orElse(0.0));
      case "count" -> Optional.of((double) c.counts().n());
      default -> throw new IllegalArgumentException(name);
    };
  }

  static final List<String> TYPES = List.of("integral", "fractional", "boolean", "string", "object", "tensor");

  private static String checkType(String type, boolean allowNull) {
    Set<String> ok = new LinkedHashSet<>(TYPES);
    if (allowNull) {
      ok.add("null");
    }
    if (!ok.contains(type)) {
      throw new IllegalArgumentException("type '" + type + "' is not one of " + ok);
    }
    return type;
  }

  private static long typeCount(TypesMetric t, String type) {
    return switch (type) {
      case "integral" -> t.integral();
      case "fractional" -> t.fractional();
      case "boolean" -> t.bool();
      case "string" -> t.string();
      case "object" -> t.object();
      case "tensor" -> t.tensor();
      default -> 0;
    };
  }

  private static String typeCounts(TypesMetric t) {
    List<String> parts = new ArrayList<>();
    for (String type : TYPES) {
      long n = typeCount(t, type);
      if (n > 0) {
        parts.add(type + " " + n);
      }
    }
    return parts.isEmpty() ? "no non-null values" : String.join(", ", parts);
  }

  private static void requireBound(Double min, Double max, String check) {
    if (min == null && max == null) {
      throw new IllegalArgumentException(check + ": give min, max or both");
    }
    if (min != null && max != null && min > max) {
      throw new IllegalArgumentException(check + ": min " + num(min) + " is greater than max " + num(max));
    }
  }

  private static boolean in(double v, Double min, Double max) {
    return !Double.isNaN(v) && (min == null || v >= min) && (max == null || v <= max);
  }

  private static String range(String lo, Double min, String hi, Double max) {
    if (min != null && max != null) {
      return lo + " >= " + num(min) + " and " + hi + " <= " + num(max);
    }
    return min != null ? lo + " >= " + num(min) : hi + " <= " + num(max);
  }

  private static String between(String what, Double min, Double max) {
    if (min != null && max != null) {
      return what + " in [" + num(min) + ", " + num(max) + "]";
    }
    return min != null ? what + " >= " + num(min) : what + " <= " + num(max);
  }

  /** Integers without a decimal point, others with up to 6 significant digits ({@link NumberFormat#MESSAGE}). */
  static String num(double v) {
    return NumberFormat.MESSAGE.format(v);
  }

  private static String pct(double f) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * f);
  }
}
