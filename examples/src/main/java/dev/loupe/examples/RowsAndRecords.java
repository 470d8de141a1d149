package dev.loupe.examples;

import dev.loupe.core.ColumnView;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Profiling Java objects row by row, then reading the numbers back with their error bounds.
 *
 * <ul>
 *   <li>{@link DatasetProfile#track(Map)}: one row as column name to value (say, parsed JSON);
 *       a null value counts as a null.</li>
 *   <li>{@link DatasetProfile#track(Object)}: a record by its components (or a JavaBean by its
 *       getters), each one a column.</li>
 * </ul>
 * Both feed the same columns when the names match, so here half the orders arrive as maps and
 * half as records. {@link #show} then prints, per column, what each metric says and how far it can
 * be off: exact counts; mean and stddev (exact up to floating point); quantiles with the KLL
 * sketch's rank error; distinct counts with the HLL sketch's one-standard-deviation bounds; and
 * frequent items with each estimate's [lower, upper] interval.
 *
 * <pre>
 * java dev.loupe.examples.RowsAndRecords [orders]
 * </pre>
 *
 * The row path boxes each value and looks up each column by name; for millions of rows, prefer
 * Arrow batches (see {@link ArrowBatches}).
 */
public final class RowsAndRecords {

  /** An order as the application knows it; each component becomes a column. */
  public record Order(long id, String customer, double amount, int quantity, boolean gift, Instant placedAt) {}

  static final String[] CUSTOMERS = {"alice", "bob", "carol", "dave", "erin", "frank", "grace"};

  private RowsAndRecords() {}

  public static void main(String[] args) {
    int orders = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;

    DatasetProfile profile = new DatasetProfile();
    for (int i = 0; i < orders; i++) {
      Order o = order(i);
      if (i % 2 == 0) {
        profile.track(asRow(o)); // e.g. a row decoded from JSON
      } else {
        profile.track(o);
      }
    }
    show(profile.view(), System.out);
  }

  /** The i-th generated order. */
  static Order order(int i) {
    String customer = CUSTOMERS[(i * i + i / 3) % CUSTOMERS.length];
    double amount = i % 25 == 24 ? Double.NaN : 5 + (i * 37 % 1000) / 10.0;
    return new Order(i, customer, amount, 1 + i % 5, i % 10 == 0, Instant.ofEpochSecond(1_700_000_000L + i * 60L));
  }

  /** The same order as a map row, as a JSON decoder would give it; a missing customer is null. */
  static Map<String, Object> asRow(Order o) {
    Map<String, Object> row = new LinkedHashMap<>(); // Map.of rejects null values
    row.put("id", o.id());
    row.put("customer", o.id() % 100 == 0 ? null : o.customer());
    row.put("amount", o.amount());
    row.put("quantity", o.quantity());
    row.put("gift", o.gift());
    row.put("placedAt", o.placedAt());
    return row;
  }

  /** Prints each column's numbers with their error bounds. */
  static void show(ProfileView view, PrintStream out) {
    for (Map.Entry<String, ColumnView> e : view.columns().entrySet()) {
      ColumnView col = e.getValue();
      // a time column holds epoch milliseconds and is marked in the profile's metadata (docs/file-format.md)
      String type = view.isTime(e.getKey()) ? "time" : col.inferredType();
      out.printf(Locale.ROOT, "%s (%s)%n", e.getKey(), type);
      // counts and types are exact
      out.printf(Locale.ROOT, "  count %d, nulls %d (of which NaN %d), trues %d%n",
          col.counts().n(), col.counts().nulls(), col.counts().nan(), col.counts().trueCount());

      col.distribution().filter(d -> !d.isEmpty()).ifPresent(d -> showDistribution(d, out));
      col.ints().filter(m -> !m.isEmpty()).ifPresent(m ->
          out.printf(Locale.ROOT, "  integer range [%d, %d] (exact)%n", m.min().getAsLong(), m.max().getAsLong()));
      col.cardinality().filter(c -> !c.isEmpty()).ifPresent(c -> showCardinality(c, out));
      col.frequentItems().filter(f -> !f.isEmpty()).ifPresent(f -> showFrequentItems(f, out));
    }
  }

  private static void showDistribution(DistributionMetric d, PrintStream out) {
    out.printf(Locale.ROOT, "  mean %.4f, stddev %.4f, min %s, max %s (exact, from %d values)%n",
        d.mean().getAsDouble(), d.stddev().orElse(Double.NaN), d.min().getAsDouble(), d.max().getAsDouble(), d.n());
    // Quantiles come from a KLL sketch: the value reported for rank r has a true rank within
    // r +- normalizedRankError (99% confidence). Exclusive quantiles, as whylogs reports them.
    double[] q = d.quantiles(DistributionMetric.summaryRanks()).orElseThrow();
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < q.length; i++) {
      line.append(i == 0 ? "" : ", ").append(DistributionMetric.summaryNames().get(i)).append(' ').append(q[i]);
    }
    out.printf(Locale.ROOT, "  quantiles %s (rank error +-%.3f%%)%n", line, 100 * d.normalizedRankError());
  }

  private static void showCardinality(CardinalityMetric c, PrintStream out) {
    // HLL estimate with DataSketches' bounds at one standard deviation (about 68% confidence)
    out.printf(Locale.ROOT, "  distinct ~%.1f, within [%.1f, %.1f] at 1 stddev%n",
        c.estimate(), c.lowerBound(1), c.upperBound(1));
  }

  private static void showFrequentItems(FrequentItemsMetric f, PrintStream out) {
    // Each true count lies within [lower, upper]; no estimate is off by more than maximumError().
    List<FrequentItemsMetric.Item> items = f.frequentItems();
    out.printf(Locale.ROOT, "  frequent items (max error %d of %d values):%s%n", f.maximumError(), f.streamLength(),
        items.isEmpty() ? " none stands out from the error" : "");
    for (FrequentItemsMetric.Item it : items.subList(0, Math.min(5, items.size()))) {
      out.printf(Locale.ROOT, "    %-12s ~%d in [%d, %d]%n", it.value(), it.est(), it.lower(), it.upper());
    }
  }
}
