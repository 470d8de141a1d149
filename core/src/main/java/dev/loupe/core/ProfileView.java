package dev.loupe.core;

import dev.loupe.core.metrics.FrequentItemsMetric;

import dev.loupe.core.metrics.DistributionMetric;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable dataset profile: header properties and one {@link ColumnView} per column.
 * Views merge associatively and commutatively ({@link #merge}), with {@link #empty()} as the
 * identity, so any number of workers can profile chunks and reduce their views in any order.
 * They are written in the whylogs v1 file format and read from whylogs v1 and v0 files.
 */
public final class ProfileView {
  /**
   * Metadata key prefix that marks a column as time: {@code loupe.time.<column>} =
   * {@value #TIME_MARKER_VALUE} says the column's integral values are epoch milliseconds (UTC).
   * whylogs keeps unknown metadata, so a file with time columns still opens there (as integers).
   */
  public static final String TIME_MARKER_PREFIX = "loupe.time.";
  public static final String TIME_MARKER_VALUE = "epoch_millis";

  /** Summary keys whose numbers are instants in a time column. */
  private static final java.util.Set<String> TIME_KEYS = timeKeys();

  private static java.util.Set<String> timeKeys() {
    java.util.Set<String> keys = new java.util.HashSet<>(java.util.List.of("distribution/mean", "distribution/max",
        "distribution/min", "ints/max", "ints/min"));
    DistributionMetric.summaryNames().forEach(q -> keys.add(DistributionMetric.NAMESPACE + "/" + q));
    return java.util.Set.copyOf(keys);
  }

  private static final ProfileView EMPTY = new ProfileView(ProfileProperties.EMPTY, Map.of());

  private final ProfileProperties properties;
  private final Map<String, ColumnView> columns; // sorted by name

  private ProfileView(ProfileProperties properties, Map<String, ColumnView> columns) {
    this.properties = properties;
    this.columns = Collections.unmodifiableMap(new TreeMap<>(columns));
  }

  /** The identity of merge: no columns, no properties. */
  public static ProfileView empty() {
    return EMPTY;
  }

  public static ProfileView of(ProfileProperties properties, Map<String, ColumnView> columns) {
    return new ProfileView(properties, columns);
  }

  public ProfileProperties properties() {
    return properties;
  }

  /** Columns by name, sorted. */
  public Map<String, ColumnView> columns() {
    return columns;
  }

  public Optional<ColumnView> column(String name) {
    return Optional.ofNullable(columns.get(name));
  }

  public ProfileView withProperties(ProfileProperties p) {
    return new ProfileView(p, columns);
  }

  /** The profile of both inputs' data together; neither input changes. */
  public ProfileView merge(ProfileView other) {
    return merge(other, false);
  }

  /**
   * The same merge with the columns merged in parallel (the common fork-join pool): for callers
   * that merge wide profiles on a hot path, such as a monitor's trailing baseline.
   */
  public ProfileView mergeParallel(ProfileView other) {
    return merge(other, true);
  }

  private ProfileView merge(ProfileView other, boolean parallel) {
    if (other == EMPTY || (other.columns.isEmpty() && other.properties.equals(ProfileProperties.EMPTY))) {
      return this;
    }
    if (this == EMPTY || (columns.isEmpty() && properties.equals(ProfileProperties.EMPTY))) {
      return other;
    }
    Map<String, ColumnView> out = new TreeMap<>(columns);
    if (parallel) {
      List<Map.Entry<String, ColumnView>> both = new ArrayList<>();
      other.columns.forEach((name, col) -> {
        if (out.containsKey(name)) {
          both.add(Map.entry(name, col));
        } else {
          out.put(name, col);
        }
      });
      List<ColumnView> merged = both.parallelStream().map(e -> out.get(e.getKey()).merge(e.getValue())).toList();
      for (int i = 0; i < both.size(); i++) {
        out.put(both.get(i).getKey(), merged.get(i));
      }
    } else {
      other.columns.forEach((name, col) -> out.merge(name, col, ColumnView::merge));
    }
    return new ProfileView(properties.merge(other.properties), out);
  }

  /** Writes this profile as a whylogs v1 file. */
  public void write(Path path) throws IOException {
    Files.write(path, toBytes());
  }

  public void write(OutputStream out) throws IOException {
    out.write(toBytes());
  }

  /** This profile as whylogs v1 file bytes. */
  public byte[] toBytes() {
    return ProfileFile.write(this);
  }

  /** Reads a whylogs v1 or v0 profile file; garbage gives a {@link ProfileFormatException}. */
  public static ProfileView read(Path path) throws IOException {
    long size = Files.size(path);
    if (size > ProfileFile.MAX_FILE_BYTES) {
      throw new ProfileFormatException(path + ": " + size + " bytes is larger than any profile Loupe reads ("
          + ProfileFile.MAX_FILE_BYTES + "); is this a data file rather than a profile?");
    }
    return ProfileFile.read(Files.readAllBytes(path), path.toString());
  }

  public static ProfileView read(InputStream in) throws IOException {
    return read(in, "<stream>");
  }

  public static ProfileView read(InputStream in, String source) throws IOException {
    byte[] bytes = in.readNBytes(ProfileFile.MAX_FILE_BYTES + 1);
    if (bytes.length > ProfileFile.MAX_FILE_BYTES) {
      throw new ProfileFormatException(source + ": more than " + ProfileFile.MAX_FILE_BYTES
          + " bytes, larger than any profile Loupe reads");
    }
    return ProfileFile.read(bytes, source);
  }

  public static ProfileView read(byte[] bytes, String source) throws ProfileFormatException {
    return ProfileFile.read(bytes, source);
  }

  /** True when column {@code name} holds time (epoch milliseconds), as marked in the metadata. */
  public boolean isTime(String name) {
    return TIME_MARKER_VALUE.equals(properties.metadata().get(TIME_MARKER_PREFIX + name));
  }

  /**
   * Per-column summaries (see {@link ColumnView#summary()}), by column name. In a time column
   * ({@link #isTime}) the type is {@code "time"} and min, max, mean and quantiles are ISO-8601 UTC
   * instants ({@code 2024-01-31T12:00:00Z}); the standard deviation stays in milliseconds.
   */
  public Map<String, Map<String, Object>> summary() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    columns.forEach((name, col) -> out.put(name, columnSummary(name)));
    return out;
  }

  /** The summary of one column, as {@link #summary()} gives it. */
  public Map<String, Object> columnSummary(String name) {
    ColumnView col = columns.get(name);
    if (col == null) {
      throw new IllegalArgumentException("no column '" + name + "' in the profile; columns: " + columns.keySet());
    }
    Map<String, Object> s = col.summary();
    if (isTime(name)) {
      if (col.types().integral() > 0 || "null".equals(s.get("type"))) {
        s.put("type", "time");
      }
      s.replaceAll((k, v) -> TIME_KEYS.contains(k) && v instanceof Number x ? isoInstant(x.doubleValue()) : v);
      if (s.get(FREQUENT_KEY) instanceof List<?> items) {
        s.put(FREQUENT_KEY, items.stream().map(o -> o instanceof FrequentItemsMetric.Item it
            ? new FrequentItemsMetric.Item(timeItemText(it.value()), it.est(), it.upper(), it.lower()) : o).toList());
      }
    }
    return s;
  }

  private static final String FREQUENT_KEY = "frequent_items/frequent_strings";

  /**
   * How a frequent item of a time column ({@link #isTime}) is shown: the sketch keeps the epoch
   * milliseconds as integer text, shown as ISO-8601 UTC like the column's other values
   * ({@link #instantText}); any other item (a string in a time column) as it is.
   */
  public static String timeItemText(String item) {
    try {
      return instantText(Long.parseLong(item)).orElse(item);
    } catch (NumberFormatException e) {
      return item;
    }
  }

  /** Epoch milliseconds as ISO-8601 UTC (rounded to the millisecond); a value beyond Instant's range as it is. */
  private static Object isoInstant(double epochMillis) {
    return instantText(epochMillis).<Object>map(t -> t).orElse(epochMillis);
  }

  /**
   * How a value of a time column ({@link #isTime}: epoch milliseconds) is written wherever Loupe shows one (the
   * summary, {@code --json}, the table, the HTML report): ISO-8601 UTC rounded to the millisecond; empty for a
   * value beyond {@link java.time.Instant}'s range (NaN, infinities), which is then shown as a number.
   */
  public static java.util.Optional<String> instantText(double epochMillis) {
    if (!Double.isFinite(epochMillis) || Math.abs(epochMillis) > 3.1e17) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(java.time.Instant.ofEpochMilli(Math.round(epochMillis)).toString());
  }

  /** The summary as JSON in the shape {@code loupe show --json} prints. */
  public String toJson() {
    return SummaryJson.toJson(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProfileView v && properties.equals(v.properties) && columns.equals(v.columns);
  }

  @Override
  public int hashCode() {
    return properties.hashCode() * 31 + columns.hashCode();
  }

  @Override
  public String toString() {
    return "ProfileView[" + properties + ", columns=" + columns.keySet() + "]";
  }
}
