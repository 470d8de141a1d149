package dev.loupe.spark;

import dev.loupe.core.segments.Segment;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileFormatException;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.internal.Windows;
import java.io.Serializable;
import java.time.Duration;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import scala.Tuple2;

/**
 * The work of one Spark task: profile the rows of a partition, either into one profile or into
 * one profile per group (time window and segment values), and return the views as whylogs v1
 * bytes so that Spark can move them between executors. Serializable: it holds only the schema
 * plan (field indices and types), never column names in any expression.
 */
final class PartitionProfiler implements Serializable {
  private static final long serialVersionUID = 1L;
  static final long MICROS_PER_DAY = 86_400_000_000L;

  private final ColumnSpec[] columns;
  private final int batchRows;
  private final int timeIndex; // -1: no time column
  private final TimeKind timeKind;
  private final Windows windows; // null without a time column
  private final int[] segmentIndex;
  private final DataType[] segmentTypes;

  enum TimeKind { MICROS, DAYS }

  PartitionProfiler(ColumnSpec[] columns, int batchRows, int timeIndex, TimeKind timeKind, long windowMicros,
      int[] segmentIndex, DataType[] segmentTypes) {
    this.columns = columns;
    this.batchRows = batchRows;
    this.timeIndex = timeIndex;
    this.timeKind = timeKind;
    this.windows = windowMicros <= 0 ? null : Windows.of(Duration.ofMillis(windowMicros / 1000), Duration.ZERO);
    this.segmentIndex = segmentIndex;
    this.segmentTypes = segmentTypes;
  }

  /** Rows a batch holds before it is profiled: about a million values, 64 to 4,096 rows. */
  static int defaultBatchRows(int columnCount) {
    return (int) Math.max(64, Math.min(4096, (1 << 20) / Math.max(1, columnCount)));
  }

  /** The whole partition as one profile (its columns present even when the partition is empty). */
  Iterator<byte[]> profileAll(Iterator<InternalRow> rows) {
    try (BufferAllocator allocator = new RootAllocator();
        ColumnBatch batch = new ColumnBatch(columns, allocator, batchRows, new DatasetProfile(ProfileProperties.EMPTY))) {
      while (rows.hasNext()) {
        batch.add(rows.next());
      }
      batch.flush();
      batch.close();
      return List.of(batch.profile.view().toBytes()).iterator();
    }
  }

  /**
   * One profile per group of the partition, keyed by {@link GroupKey#encode}. Batches of all
   * groups together hold at most about 8 million values; past that every batch is flushed and
   * freed, so a partition with many small groups does not keep a full batch per group.
   */
  Iterator<Tuple2<String, byte[]>> profileGroups(Iterator<InternalRow> rows) {
    long budget = 8L << 20;
    Map<String, ColumnBatch> groups = new HashMap<>();
    String[] segment = new String[segmentIndex.length];
    try (BufferAllocator allocator = new RootAllocator()) {
      try {
        long buffered = 0;
        long lastWindow = Long.MIN_VALUE;
        ColumnBatch last = null;
        String lastKey = null;
        while (rows.hasNext()) {
          InternalRow row = rows.next();
          long window = windowStartMillis(row);
          ColumnBatch batch;
          if (segment.length == 0 && last != null && window == lastWindow) {
            batch = last; // consecutive rows of one window: no key, no lookup
          } else {
            for (int s = 0; s < segment.length; s++) {
              segment[s] = segmentValue(row, s);
            }
            String key = GroupKey.encode(window, segment);
            if (last != null && key.equals(lastKey)) {
              batch = last;
            } else {
              batch = groups.get(key);
              if (batch == null) {
                batch = new ColumnBatch(columns, allocator, batchRows, new DatasetProfile(ProfileProperties.EMPTY));
                groups.put(key, batch);
              }
              lastKey = key;
            }
            last = batch;
            lastWindow = window;
          }
          batch.add(row);
          buffered += columns.length;
          if (buffered >= budget) {
            for (ColumnBatch b : groups.values()) {
              b.release();
            }
            buffered = 0;
          }
        }
        List<Tuple2<String, byte[]>> out = new ArrayList<>(groups.size());
        for (Map.Entry<String, ColumnBatch> e : groups.entrySet()) {
          e.getValue().release();
          out.add(new Tuple2<>(e.getKey(), e.getValue().profile.view().toBytes()));
        }
        return out.iterator();
      } finally {
        for (ColumnBatch b : groups.values()) {
          b.close();
        }
      }
    }
  }

  /** The start of the row's window in epoch milliseconds; {@link GroupKey#NO_TIME} without one. */
  long windowStartMillis(InternalRow row) {
    if (timeIndex < 0 || row.isNullAt(timeIndex)) {
      return GroupKey.NO_TIME;
    }
    long micros = timeKind == TimeKind.DAYS ? row.getInt(timeIndex) * MICROS_PER_DAY : row.getLong(timeIndex);
    // floor(floor(micros / 1000) / w) = floor(micros / (1000 w)): aligned in millis exactly as in micros
    return windows.startOf(Math.floorDiv(micros, 1000L));
  }

  /**
   * A segment column's value as text (null stays null), spelled as core's segment keys are:
   * strings as they are, integers in decimal, booleans True/False, decimals as plain strings;
   * dates as ISO dates and timestamps as ISO instants.
   */
  String segmentValue(InternalRow row, int s) {
    int i = segmentIndex[s];
    if (row.isNullAt(i)) {
      return null;
    }
    DataType t = segmentTypes[s];
    if (t instanceof StringType) {
      return row.getUTF8String(i).toString();
    } else if (t instanceof LongType) {
      return Long.toString(row.getLong(i));
    } else if (t instanceof IntegerType) {
      return Integer.toString(row.getInt(i));
    } else if (t instanceof ShortType) {
      return Short.toString(row.getShort(i));
    } else if (t instanceof ByteType) {
      return Byte.toString(row.getByte(i));
    } else if (t instanceof BooleanType) {
      return row.getBoolean(i) ? "True" : "False"; // whylogs' (Python's) spelling, as core's segments
    } else if (t instanceof DecimalType d) {
      BigDecimal v = row.getDecimal(i, d.precision(), d.scale()).toJavaBigDecimal();
      return Segment.valueOf(v, null); // core's spelling of a decimal: its plain string
    } else if (t instanceof DateType) {
      return LocalDate.ofEpochDay(row.getInt(i)).toString();
    } else if (t instanceof TimestampType || t instanceof TimestampNTZType) {
      long micros = row.getLong(i);
      return Instant.EPOCH.plusSeconds(Math.floorDiv(micros, 1_000_000L))
          .plusNanos(Math.floorMod(micros, 1_000_000L) * 1000).toString();
    }
    throw new IllegalStateException("segment type " + t + " was accepted but has no reader");
  }

  static boolean isSegmentType(DataType t) {
    return t instanceof StringType || t instanceof LongType || t instanceof IntegerType || t instanceof ShortType
        || t instanceof ByteType || t instanceof BooleanType || t instanceof DecimalType || t instanceof DateType
        || t instanceof TimestampType || t instanceof TimestampNTZType;
  }

  /**
   * One node of the merge tree: every serialized view of the partition, read and merged in memory,
   * serialized once. (A pairwise merge of bytes would write and read every intermediate result.)
   */
  static Iterator<byte[]> mergeAll(Iterator<byte[]> views) {
    ProfileView merged = null;
    while (views.hasNext()) {
      ProfileView v = read(views.next());
      merged = merged == null ? v : merged.merge(v);
    }
    return merged == null ? java.util.Collections.emptyIterator() : List.of(merged.toBytes()).iterator();
  }

  /** Per key, the merge of every serialized view of the partition with that key, serialized once. */
  static Iterator<Tuple2<String, byte[]>> mergeByKey(Iterator<Tuple2<String, byte[]>> views) {
    Map<String, ProfileView> merged = new HashMap<>();
    while (views.hasNext()) {
      Tuple2<String, byte[]> e = views.next();
      merged.merge(e._1(), read(e._2()), ProfileView::merge);
    }
    List<Tuple2<String, byte[]>> out = new ArrayList<>(merged.size());
    merged.forEach((k, v) -> out.add(new Tuple2<>(k, v.toBytes())));
    return out.iterator();
  }

  static ProfileView read(byte[] bytes) {
    try {
      return ProfileView.read(bytes, "a partition profile");
    } catch (ProfileFormatException e) {
      throw new UncheckedIOException("a partition profile does not read back; is the same Loupe version on every "
          + "executor?", e);
    }
  }
}
