package dev.loupe.spark;

import dev.loupe.core.segments.Segment;
import dev.loupe.core.segments.SegmentFile;

import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.KeyTemplate;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.Writer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import scala.Tuple2;

/**
 * Profiles Spark Datasets with Loupe: each partition is profiled on its executor (columnar, read
 * by field index) into a {@code DatasetProfile}, and the serialized views are merged on the
 * executors, tree-shaped, never one by one through the driver.
 *
 * <pre>{@code
 * ProfileView all = SparkProfiler.builder().build().profile(df);
 *
 * SparkProfiler daily = SparkProfiler.builder()
 *     .datasetId("trips")
 *     .timeColumn("pickup_time", Duration.ofDays(1))   // UTC-aligned windows, as RollingLogger's
 *     .segmentColumns("vendor")                         // optional: a profile per vendor and day
 *     .build();
 * daily.write(df, new LocalDirectoryWriter(Path.of("profiles")));   // or an S3Writer
 * }</pre>
 *
 * Column names are used only to look up field indices in the schema, so names with dots,
 * spaces, backticks or any Unicode work as they are. Thread-safe and reusable: a profiler holds
 * only its settings.
 */
public final class SparkProfiler {
  private static final System.Logger LOG = System.getLogger(SparkProfiler.class.getName());

  private final String datasetId;
  private final String timeColumn;
  private final Duration window;
  private final List<String> segmentColumns;
  private final Instant batchWindowStart;
  private final Duration batchWindowLength;
  private final Instant datasetTimestamp;
  private final Map<String, String> tags;
  private final int treeDepth;
  private final int batchRows;
  private final int maxReducePartitions;

  private SparkProfiler(Builder b) {
    this.datasetId = b.datasetId;
    this.timeColumn = b.timeColumn;
    this.window = b.window;
    this.segmentColumns = List.copyOf(b.segmentColumns);
    this.batchWindowStart = b.batchWindowStart;
    this.batchWindowLength = b.batchWindowLength;
    this.datasetTimestamp = b.datasetTimestamp;
    this.tags = Collections.unmodifiableMap(new TreeMap<>(b.tags));
    this.treeDepth = b.treeDepth;
    this.batchRows = b.batchRows;
    this.maxReducePartitions = b.maxReducePartitions;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The profile of every row of {@code df} (time and segment settings are not used). Its dataset
   * timestamp is {@link Builder#datasetTimestamp} or now, its creation timestamp now, and it
   * carries the builder's tags.
   */
  public ProfileView profile(Dataset<Row> df) {
    PartitionProfiler p = plan(df.schema(), false);
    Instant now = Instant.now();
    JavaRDD<byte[]> views = rows(df).mapPartitions(p::profileAll);
    ProfileView merged = treeMerge(views);
    if (merged == null) {
      merged = PartitionProfiler.read(p.profileAll(Collections.emptyIterator()).next());
    }
    ProfileProperties props = ProfileProperties.of(null, null, Map.of(), merged.properties().metadata()) // time markers
        .withCreationTimestamp(now).withDatasetTimestamp(datasetTimestamp != null ? datasetTimestamp : now);
    for (Map.Entry<String, String> t : tags.entrySet()) {
      props = props.withTag(t.getKey(), t.getValue());
    }
    return merged.withProperties(props);
  }

  /**
   * Merges the partitions' views tree-shaped, like {@code treeReduce(f, depth)}: with
   * {@code fanIn = ceil(partitions^(1/depth))}, while more than {@code fanIn} views remain they
   * are spread over {@code 1/fanIn} as many partitions, and each partition merges its views in
   * memory on an executor; the last (at most {@code fanIn}) views are merged on the driver. Each
   * view is read and written once per level, not once per pairwise merge. Null for no partitions.
   */
  private ProfileView treeMerge(JavaRDD<byte[]> views) {
    JavaRDD<byte[]> level = views;
    int partitions = level.getNumPartitions();
    int fanIn = Math.max(2, (int) Math.ceil(Math.pow(partitions, 1.0 / treeDepth)));
    while (partitions > fanIn) {
      partitions = (partitions + fanIn - 1) / fanIn;
      level = level.repartition(partitions).mapPartitions(PartitionProfiler::mergeAll);
    }
    ProfileView merged = null;
    for (byte[] b : level.collect()) {
      ProfileView v = PartitionProfiler.read(b);
      merged = merged == null ? v : merged.merge(v);
    }
    return merged;
  }

  /**
   * One profile per group (time window and/or segment values), sorted by window start, then
   * dataset id. Groups are merged on the executors; only their finished views reach the driver.
   * For many large groups prefer {@link #forEachGroup}, which streams them.
   */
  public List<ProfileGroup> profileGroups(Dataset<Row> df) {
    List<ProfileGroup> out = new ArrayList<>();
    forEachGroup(df, out::add);
    out.sort(Comparator.comparing((ProfileGroup g) -> g.window().map(WindowInfo::start).orElse(Instant.MIN))
        .thenComparing(g -> g.window().map(WindowInfo::datasetId).orElse(""))
        .thenComparing(g -> String.valueOf(g.segment())));
    return out;
  }

  /** Streams each group's profile to {@code sink} on the driver, one reduce partition at a time. */
  public void forEachGroup(Dataset<Row> df, Consumer<ProfileGroup> sink) {
    requireDatasetId();
    PartitionProfiler p = plan(df.schema(), true);
    Instant now = Instant.now();
    JavaPairRDD<String, byte[]> views = rows(df).mapPartitionsToPair(p::profileGroups);
    int partitions = Math.max(1, Math.min(views.getNumPartitions(), maxReducePartitions));
    // every group's views to one reducer, merged there in memory; only finished groups reach the driver
    Iterator<Tuple2<String, byte[]>> it = views.partitionBy(new HashPartitioner(partitions))
        .mapPartitionsToPair(PartitionProfiler::mergeByKey).toLocalIterator();
    while (it.hasNext()) {
      Tuple2<String, byte[]> e = it.next();
      sink.accept(group(e._1(), PartitionProfiler.read(e._2()), now));
    }
  }

  /**
   * Profiles each group and writes it with {@code writer}, named by the writer's
   * {@link KeyTemplate} exactly as {@code RollingLogger} names its windows, so batch and
   * streaming outputs line up. Needs a time column or a batch window. The writer is not closed
   * (close an {@code S3Writer} to wait for its uploads).
   *
   * @throws IOException when the writer refuses a window; windows written before stay written
   */
  public WriteSummary write(Dataset<Row> df, Writer writer) throws IOException {
    Objects.requireNonNull(writer, "writer");
    if (timeColumn == null && batchWindowStart == null) {
      throw new IllegalStateException("write needs a window per profile: set timeColumn(column, interval) to window "
          + "rows by their time, or batchWindow(start, length) to write the whole batch as one window");
    }
    List<WindowInfo> written = new ArrayList<>();
    long[] withoutTime = {0};
    try {
      forEachGroup(df, g -> {
        if (g.window().isEmpty()) {
          withoutTime[0] += g.rows();
          return;
        }
        try {
          writer.write(g.view(), g.window().get());
        } catch (IOException e) {
          throw new WriteFailed(e); // stops the stream: no further windows are fetched
        }
        written.add(g.window().get());
      });
    } catch (WriteFailed e) {
      throw new IOException("writing profiles with " + writer + " failed after " + written.size() + " window(s): "
          + e.getCause().getMessage(), e.getCause());
    }
    if (withoutTime[0] > 0) {
      LOG.log(System.Logger.Level.WARNING, withoutTime[0] + " row(s) of dataset '" + datasetId
          + "' have a null in time column '" + timeColumn + "' and belong to no window; they were not written");
    }
    written.sort(Comparator.comparing(WindowInfo::start).thenComparing(WindowInfo::datasetId));
    return new WriteSummary(written, withoutTime[0]);
  }

  /** A writer's IOException carried out of the group stream. */
  private static final class WriteFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WriteFailed(IOException cause) {
      super(cause);
    }
  }

  /**
   * The dataset id a segment's windows are written under: the profiler's dataset id, then for each
   * segment column ".{column}={value}", both percent-encoded outside [A-Za-z0-9_-] (a null value
   * is "~"), e.g. {@code trips.vendor=acme.zone=north%20east}. Deterministic and safe in file
   * names and S3 keys.
   */
  public static String segmentDatasetId(String datasetId, Map<String, String> segment) {
    StringBuilder sb = new StringBuilder(datasetId);
    segment.forEach((col, value) -> sb.append('.').append(GroupKey.escape(col)).append('=')
        .append(value == null ? GroupKey.NULL : GroupKey.escape(value)));
    return sb.toString();
  }

  private ProfileGroup group(String key, ProfileView view, Instant now) {
    long start = GroupKey.windowOf(key);
    List<String> values = GroupKey.segmentOf(key);
    Map<String, String> segment = new LinkedHashMap<>();
    for (int i = 0; i < segmentColumns.size(); i++) {
      segment.put(segmentColumns.get(i), values.get(i));
    }
    segment = Collections.unmodifiableMap(segment);
    // core's segment model: the null key, whylogs.tag.* tags and segp_* metadata, so that the view is
    // written as a whylogs segmented file by any writer, as core's SegmentedProfile writes its segments
    Segment seg = null;
    Map<String, String> groupTags = new TreeMap<>(tags);
    if (!segment.isEmpty()) {
      List<String> keyValues = new ArrayList<>();
      segment.values().forEach(v -> keyValues.add(v == null ? Segment.DEFAULT_NULL_KEY : v));
      seg = Segment.of(List.copyOf(segment.keySet()), keyValues);
      seg.asMap().forEach((col, value) -> groupTags.put(SegmentFile.TAG_PREFIX + col, value));
    }
    Optional<WindowInfo> w;
    if (start != GroupKey.NO_TIME) {
      Instant s = Instant.ofEpochMilli(start);
      w = Optional.of(new WindowInfo(segmentDatasetId(datasetId, segment), s, s.plus(window), 0, groupTags));
    } else if (timeColumn == null && batchWindowStart != null) {
      w = Optional.of(new WindowInfo(segmentDatasetId(datasetId, segment), batchWindowStart,
          batchWindowStart.plus(batchWindowLength), 0, groupTags));
    } else {
      w = Optional.empty();
    }
    Instant dataTime = w.map(WindowInfo::start).orElse(datasetTimestamp != null ? datasetTimestamp : now);
    ProfileProperties props = ProfileProperties.of(dataTime, now, tags, view.properties().metadata()); // time markers
    if (seg != null) {
      props = SegmentFile.withSegment(props, seg);
    }
    return new ProfileGroup(w, segment, view.withProperties(props));
  }

  private void requireDatasetId() {
    if (datasetId == null) {
      throw new IllegalStateException("profiles per group are named by dataset id: set datasetId(...) on the builder");
    }
  }

  /** The rows as Spark's internal rows: no conversion to external Row objects. */
  private static JavaRDD<InternalRow> rows(Dataset<Row> df) {
    return df.queryExecution().toRdd().toJavaRDD();
  }

  private PartitionProfiler plan(StructType schema, boolean grouped) {
    ColumnSpec[] columns = ColumnSpec.of(schema);
    int rowsPerBatch = batchRows > 0 ? batchRows : PartitionProfiler.defaultBatchRows(columns.length);
    if (!grouped) {
      return new PartitionProfiler(columns, rowsPerBatch, -1, null, 0, new int[0], new DataType[0]);
    }
    int timeIndex = -1;
    PartitionProfiler.TimeKind kind = null;
    if (timeColumn != null) {
      timeIndex = fieldIndex(schema, timeColumn, "time column");
      DataType t = schema.fields()[timeIndex].dataType();
      if (t instanceof TimestampType || t instanceof TimestampNTZType) {
        kind = PartitionProfiler.TimeKind.MICROS;
      } else if (t instanceof DateType) {
        kind = PartitionProfiler.TimeKind.DAYS;
      } else {
        throw new IllegalArgumentException("time column '" + timeColumn + "' is " + t.simpleString()
            + "; it must be a timestamp, timestamp_ntz (read as UTC) or date: convert it first");
      }
    }
    int[] segIndex = new int[segmentColumns.size()];
    DataType[] segTypes = new DataType[segIndex.length];
    for (int s = 0; s < segIndex.length; s++) {
      segIndex[s] = fieldIndex(schema, segmentColumns.get(s), "segment column");
      segTypes[s] = schema.fields()[segIndex[s]].dataType();
      if (!PartitionProfiler.isSegmentType(segTypes[s])) {
        throw new IllegalArgumentException("segment column '" + segmentColumns.get(s) + "' is "
            + segTypes[s].simpleString() + "; segments take string, integer, boolean, decimal, date or timestamp "
            + "columns");
      }
    }
    long windowMicros = window == null ? 0 : window.toMillis() * 1000;
    return new PartitionProfiler(columns, rowsPerBatch, timeIndex, kind, windowMicros, segIndex, segTypes);
  }

  /** The index of a field by its exact name, else by a unique case-insensitive match (as Spark resolves). */
  static int fieldIndex(StructType schema, String name, String role) {
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].name().equals(name)) {
        return i;
      }
    }
    int found = -1;
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].name().equalsIgnoreCase(name)) {
        if (found >= 0) {
          throw new IllegalArgumentException(role + " '" + name + "' matches both '" + fields[found].name() + "' and '"
              + fields[i].name() + "' ignoring case; give the exact name");
        }
        found = i;
      }
    }
    if (found < 0) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < Math.min(fields.length, 20); i++) {
        names.add(fields[i].name());
      }
      throw new IllegalArgumentException(role + " '" + name + "' is not in the DataFrame; its columns are " + names
          + (fields.length > 20 ? " and " + (fields.length - 20) + " more" : ""));
    }
    return found;
  }

  public static final class Builder {
    private String datasetId;
    private String timeColumn;
    private Duration window;
    private final List<String> segmentColumns = new ArrayList<>();
    private Instant batchWindowStart;
    private Duration batchWindowLength;
    private Instant datasetTimestamp;
    private final Map<String, String> tags = new TreeMap<>();
    private int treeDepth = 2;
    private int batchRows;
    private int maxReducePartitions = 64;

    private Builder() {}

    /** The dataset id windows are written under (as {@code RollingLogger.log(datasetId, ...)}). */
    public Builder datasetId(String id) {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("dataset id must not be blank");
      }
      this.datasetId = id;
      return this;
    }

    /**
     * Windows rows by this timestamp, timestamp_ntz (read as UTC) or date column: one profile per
     * window, aligned to UTC multiples of {@code interval} like {@code RollingLogger}'s (daily
     * windows start at 00:00 UTC). Rows with a null time are reported, not written.
     */
    public Builder timeColumn(String column, Duration interval) {
      Objects.requireNonNull(column, "column");
      Objects.requireNonNull(interval, "interval");
      if (interval.toMillis() <= 0 || !interval.equals(Duration.ofMillis(interval.toMillis()))) {
        throw new IllegalArgumentException("window interval " + interval + " must be a positive whole number of "
            + "milliseconds");
      }
      this.timeColumn = column;
      this.window = interval;
      return this;
    }

    /** One profile per combination of these columns' values (within each window, if windowed). */
    public Builder segmentColumns(String... columns) {
      for (String c : columns) {
        segmentColumns.add(Objects.requireNonNull(c, "segment column"));
      }
      return this;
    }

    /** Without a time column: the window every group of this batch is written as. */
    public Builder batchWindow(Instant start, Duration length) {
      Objects.requireNonNull(start, "start");
      if (length == null || length.isZero() || length.isNegative()) {
        throw new IllegalArgumentException("batch window length must be positive, found " + length);
      }
      this.batchWindowStart = start;
      this.batchWindowLength = length;
      return this;
    }

    /** The dataset timestamp of {@link #profile} results (default: now). */
    public Builder datasetTimestamp(Instant t) {
      this.datasetTimestamp = t;
      return this;
    }

    /** A tag written into every profile (and, for windows, into the writer's metadata). */
    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Depth of the merge tree of partition profiles, as {@code treeReduce}'s depth (default 2). */
    public Builder treeDepth(int depth) {
      if (depth < 1) {
        throw new IllegalArgumentException("tree depth must be at least 1, found " + depth);
      }
      this.treeDepth = depth;
      return this;
    }

    /** Rows buffered per column batch before profiling; default about a million values' worth (64 to 4,096). */
    public Builder batchRows(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("batch rows must be positive, found " + rows);
      }
      this.batchRows = rows;
      return this;
    }

    /** At most this many partitions merge the groups' profiles (default 64). */
    public Builder maxReducePartitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("reduce partitions must be positive, found " + partitions);
      }
      this.maxReducePartitions = partitions;
      return this;
    }

    public SparkProfiler build() {
      if (timeColumn != null && batchWindowStart != null) {
        throw new IllegalArgumentException("set either timeColumn (windows from the data) or batchWindow (one window "
            + "for the batch), not both");
      }
      return new SparkProfiler(this);
    }
  }
}
