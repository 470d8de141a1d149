package dev.loupe.core.segments;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Profiles data per value of one or more key columns: one {@link DatasetProfile} per segment, in
 * one result set ({@link #view()}). Each row goes to the segment of its key values; the key
 * columns are profiled too, as whylogs does.
 *
 * <pre>{@code
 * SegmentedProfile profile = SegmentedProfile.builder("country").maxSegments(500).build();
 * profile.trackDataframe(batch);
 * profile.track(Map.of("country", "NZ", "amount", 12.5));
 * SegmentedView view = profile.view();
 * }</pre>
 *
 * <p>The number of segments is capped (default {@value #DEFAULT_MAX_SEGMENTS}): every segment holds a
 * whole profile in memory, so a key column with unbounded distinct values would otherwise grow
 * the heap without limit. A row or batch that would exceed the cap is refused whole with a
 * {@link TooManySegmentsException}. Not thread-safe, like {@link DatasetProfile}.
 */
public final class SegmentedProfile {
  public static final int DEFAULT_MAX_SEGMENTS = 1000;

  private final List<String> columns;
  private final int maxSegments;
  private final String nullKey;
  private final ProfileProperties properties;
  private final Map<Segment, DatasetProfile> profiles = new HashMap<>();

  private SegmentedProfile(Builder b) {
    this.columns = List.copyOf(b.columns);
    this.maxSegments = b.maxSegments;
    this.nullKey = b.nullKey;
    this.properties = b.properties;
  }

  /** Segments on the given key columns (at least one). */
  public static Builder builder(String... columns) {
    return builder(Arrays.asList(columns));
  }

  public static Builder builder(List<String> columns) {
    return new Builder(columns);
  }

  public static final class Builder {
    private final List<String> columns;
    private int maxSegments = DEFAULT_MAX_SEGMENTS;
    private String nullKey = Segment.DEFAULT_NULL_KEY;
    private ProfileProperties properties;

    private Builder(List<String> columns) {
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("segment on at least one column");
      }
      if (columns.stream().distinct().count() != columns.size()) {
        throw new IllegalArgumentException("segment columns must be distinct: " + columns);
      }
      columns.forEach(c -> Objects.requireNonNull(c, "segment column"));
      this.columns = List.copyOf(columns);
      Instant now = Instant.now();
      this.properties = ProfileProperties.EMPTY.withCreationTimestamp(now).withDatasetTimestamp(now);
    }

    /** The most segments the profile may hold (default {@value #DEFAULT_MAX_SEGMENTS}). */
    public Builder maxSegments(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxSegments must be at least 1, got " + max);
      }
      this.maxSegments = max;
      return this;
    }

    /** The key value of a null or missing key column (default {@value Segment#DEFAULT_NULL_KEY}). */
    public Builder nullKey(String value) {
      this.nullKey = Objects.requireNonNull(value, "nullKey");
      return this;
    }

    /** The header every segment's profile starts with (default: both timestamps now). */
    public Builder properties(ProfileProperties p) {
      this.properties = Objects.requireNonNull(p, "properties");
      return this;
    }

    public Builder datasetTimestamp(Instant t) {
      this.properties = properties.withDatasetTimestamp(t);
      return this;
    }

    public SegmentedProfile build() {
      return new SegmentedProfile(this);
    }
  }

  public List<String> columns() {
    return columns;
  }

  public int maxSegments() {
    return maxSegments;
  }

  /** Segments so far. */
  public int segmentCount() {
    return profiles.size();
  }

  /** Profiles one row in the segment of its key values (a missing key column counts as null). */
  public SegmentedProfile track(Map<String, ?> row) {
    List<String> values = new ArrayList<>(columns.size());
    for (String c : columns) {
      values.add(Segment.valueOf(row.get(c), nullKey));
    }
    Segment key = Segment.of(columns, values);
    DatasetProfile p = profiles.get(key);
    if (p == null) {
      checkCap(1);
      p = new DatasetProfile(properties);
      profiles.put(key, p);
    }
    p.track(row);
    return this;
  }

  /** Profiles an Arrow batch: rows are grouped by segment and each group is tracked in its segment. */
  public SegmentedProfile trackDataframe(VectorSchemaRoot batch) {
    return trackDataframe(batch, null);
  }

  /** As {@link #trackDataframe(VectorSchemaRoot)}, decoding dictionary-encoded columns through {@code dictionaries}. */
  public SegmentedProfile trackDataframe(VectorSchemaRoot batch, DictionaryProvider dictionaries) {
    int rows = batch.getRowCount();
    if (rows == 0) {
      return this;
    }
    String[][] keyValues = new String[columns.size()][];
    for (int c = 0; c < columns.size(); c++) {
      FieldVector v = batch.getVector(columns.get(c));
      if (v == null) {
        List<String> names = new ArrayList<>();
        batch.getFieldVectors().forEach(f -> names.add(f.getName()));
        throw new IllegalArgumentException("segment column '" + columns.get(c) + "' is not in the batch; its columns are "
            + names);
      }
      keyValues[c] = keyStrings(v, rows, dictionaries);
    }
    // group row indices by segment, in order of first appearance
    Map<List<String>, Rows> groups = new LinkedHashMap<>();
    String[] key = new String[columns.size()];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < key.length; c++) {
        key[c] = keyValues[c][r];
      }
      groups.computeIfAbsent(List.of(key), k -> new Rows()).add(r);
    }
    Map<Segment, int[]> bySegment = new LinkedHashMap<>();
    int fresh = 0;
    for (Map.Entry<List<String>, Rows> e : groups.entrySet()) {
      Segment s = Segment.of(columns, e.getKey());
      bySegment.put(s, e.getValue().toArray());
      if (!profiles.containsKey(s)) {
        fresh++;
      }
    }
    checkCap(fresh); // before anything is tracked: a refused batch leaves the profile as it was
    for (Map.Entry<Segment, int[]> e : bySegment.entrySet()) {
      DatasetProfile p = profiles.computeIfAbsent(e.getKey(), k -> new DatasetProfile(properties));
      if (bySegment.size() == 1) {
        p.trackDataframe(batch, dictionaries); // the whole batch is one segment: no copy
      } else {
        try (VectorSchemaRoot part = select(batch, e.getValue())) {
          p.trackDataframe(part, dictionaries);
        }
      }
    }
    return this;
  }

  /** A growable list of row indices. */
  private static final class Rows {
    private int[] rows = new int[16];
    private int size;

    void add(int r) {
      if (size == rows.length) {
        rows = Arrays.copyOf(rows, size * 2);
      }
      rows[size++] = r;
    }

    int[] toArray() {
      return Arrays.copyOf(rows, size);
    }
  }

  private void checkCap(int fresh) {
    if (fresh > 0 && profiles.size() + fresh > maxSegments) {
      throw new TooManySegmentsException(columns, maxSegments, profiles.size() + fresh);
    }
  }

  /** The key strings of a column's first {@code rows} values (one lookup per row; dictionaries decoded). */
  private String[] keyStrings(FieldVector v, int rows, DictionaryProvider dictionaries) {
    String[] out = new String[rows];
    DictionaryEncoding enc = v.getField().getDictionary();
    if (enc != null) {
      if (dictionaries == null || dictionaries.lookup(enc.getId()) == null) {
        throw new IllegalArgumentException("segment column '" + v.getName() + "' is dictionary-encoded (dictionary id "
            + enc.getId() + ") but its dictionary was not given; call trackDataframe(batch, provider)");
      }
      Dictionary d = dictionaries.lookup(enc.getId());
      ValueVector dict = d.getVector();
      String[] decoded = new String[dict.getValueCount()];
      BaseIntVector idx = (BaseIntVector) v;
      for (int r = 0; r < rows; r++) {
        if (v.isNull(r)) {
          out[r] = nullKey;
        } else {
          int k = (int) idx.getValueAsLong(r);
          if (decoded[k] == null) {
            decoded[k] = Segment.valueOf(plain(dict.getObject(k)), nullKey);
          }
          out[r] = decoded[k];
        }
      }
      return out;
    }
    for (int r = 0; r < rows; r++) {
      out[r] = v.isNull(r) ? nullKey : Segment.valueOf(plain(v.getObject(r)), nullKey);
    }
    return out;
  }

  private static Object plain(Object o) {
    return o instanceof org.apache.arrow.vector.util.Text t ? t.toString() : o;
  }

  /** A new batch holding the given rows of {@code batch} (same schema; the caller closes it). */
  private static VectorSchemaRoot select(VectorSchemaRoot batch, int[] rows) {
    List<FieldVector> out = new ArrayList<>();
    try {
      for (FieldVector src : batch.getFieldVectors()) {
        FieldVector dst = src.getField().createVector(src.getAllocator());
        out.add(dst);
        dst.allocateNew();
        TransferPair tp = src.makeTransferPair(dst);
        for (int i = 0; i < rows.length; i++) {
          tp.copyValueSafe(rows[i], i);
        }
        dst.setValueCount(rows.length);
      }
    } catch (RuntimeException e) {
      out.forEach(FieldVector::close);
      throw e;
    }
    VectorSchemaRoot root = new VectorSchemaRoot(out);
    root.setRowCount(rows.length);
    return root;
  }

  /** An immutable snapshot of every segment's profile; the profile goes on accepting data. */
  public SegmentedView view() {
    Map<Segment, ProfileView> out = new TreeMap<>();
    profiles.forEach((k, p) -> out.put(k, p.view()));
    return SegmentedView.of(columns, out);
  }
}
