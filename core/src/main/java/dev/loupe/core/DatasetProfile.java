package dev.loupe.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;

/**
 * The mutable profile one thread feeds: Arrow batches ({@link #trackDataframe}), rows
 * ({@link #track(Map)}) or records and JavaBeans ({@link #track(Object)}). Memory is bounded by
 * the sketches, not by the number of rows. {@link #view()} takes an immutable snapshot.
 *
 * <p>Not thread-safe, by design: give each thread (or partition) its own profile and merge their
 * views, which is also how separate processes combine their work.
 *
 * <pre>{@code
 * DatasetProfile profile = new DatasetProfile();
 * profile.trackDataframe(batch);
 * profile.track(Map.of("age", 42, "name", "Ada"));
 * ProfileView view = profile.view();
 * }</pre>
 */
public final class DatasetProfile {
  private final Map<String, ColumnTracker> columns = new HashMap<>();
  private ProfileProperties properties;

  /** A profile whose creation and dataset timestamps are now (set another with {@link #datasetTimestamp}). */
  public DatasetProfile() {
    this(nowProperties());
  }

  private static ProfileProperties nowProperties() {
    Instant now = Instant.now();
    return ProfileProperties.EMPTY.withCreationTimestamp(now).withDatasetTimestamp(now);
  }

  public DatasetProfile(ProfileProperties properties) {
    this.properties = Objects.requireNonNull(properties, "properties");
  }

  /** Sets the time the data is from (whylogs' dataset timestamp). */
  public DatasetProfile datasetTimestamp(Instant t) {
    properties = properties.withDatasetTimestamp(t);
    return this;
  }

  public DatasetProfile tag(String key, String value) {
    properties = properties.withTag(key, value);
    return this;
  }

  public DatasetProfile metadata(String key, String value) {
    properties = properties.withMetadata(key, value);
    return this;
  }

  /** Profiles every column of an Arrow batch. Dictionary-encoded columns need {@link #trackDataframe(VectorSchemaRoot, DictionaryProvider)}. */
  public DatasetProfile trackDataframe(VectorSchemaRoot batch) {
    return trackDataframe(batch, null);
  }

  /**
   * Checks that {@link #trackDataframe(VectorSchemaRoot, DictionaryProvider)} can read every value of
   * {@code batch}: its buffers hold the rows it claims, string offsets lie in order inside their data,
   * dictionary indices inside their dictionaries. For batches from outside the process (Loupe's server
   * checks each request body's batch before it journals it): a batch that passes is tracked without
   * failing, so a malformed one is refused before any of it is recorded.
   *
   * @throws IllegalArgumentException naming the column (and the row) that is malformed
   */
  public static void checkBatch(VectorSchemaRoot batch, DictionaryProvider dictionaries) {
    ArrowColumns.check(batch, dictionaries);
  }

  /** Profiles every column of an Arrow batch, decoding dictionary-encoded columns through {@code dictionaries}. */
  public DatasetProfile trackDataframe(VectorSchemaRoot batch, DictionaryProvider dictionaries) {
    int rows = batch.getRowCount();
    List<FieldVector> vectors = batch.getFieldVectors();
    List<String> names = new ArrayList<>(vectors.size());
    for (FieldVector v : vectors) {
      names.add(v.getName());
    }
    if (!ColumnNames.alreadyUnique(names)) {
      names = ColumnNames.unique(names); // a schema may repeat a name: one rule for every door
    }
    for (int i = 0; i < vectors.size(); i++) {
      trackColumn(names.get(i), vectors.get(i), rows, dictionaries);
    }
    return this;
  }

  /** Profiles the first {@code rows} values of one Arrow vector as column {@code name}. */
  public DatasetProfile trackColumn(String name, FieldVector vector, int rows, DictionaryProvider dictionaries) {
    if (rows > vector.getValueCount()) {
      throw new IllegalArgumentException("column '" + name + "': asked to track " + rows + " rows but the vector holds "
          + vector.getValueCount());
    }
    ColumnKind kind = ArrowColumns.kindOf(ArrowColumns.decodedVector(vector, dictionaries));
    ColumnTracker t = columns.get(name);
    if (t == null) {
      t = new ColumnTracker(kind);
      columns.put(name, t);
    } else {
      t.seed(kind);
    }
    ArrowColumns.track(t, vector, rows, dictionaries);
    return this;
  }

  /**
   * The columnar entry to column {@code name}: typed appends ({@link ColumnAppender}). The column
   * exists from this call on, with counts and types only until values arrive.
   */
  public ColumnAppender column(String name) {
    return tracker(name).appender();
  }

  /**
   * As {@link #column(String)}, declaring what the column holds, which decides the metrics it
   * starts with (whylogs' resolver, see {@link ColumnKind}) even before any value arrives.
   */
  public ColumnAppender column(String name, ColumnKind declared) {
    ColumnTracker t = columns.get(name);
    if (t == null) {
      t = new ColumnTracker(declared);
      columns.put(name, t);
    } else {
      t.seed(declared);
    }
    return t.appender();
  }

  /** Profiles one row: each entry is a column name and its value (null counts as null). */
  public DatasetProfile track(Map<String, ?> row) {
    for (Map.Entry<String, ?> e : row.entrySet()) {
      RowValues.add(tracker(e.getKey()), e.getValue());
    }
    return this;
  }

  /**
   * Profiles one object: a {@link Map} as a row, a record by its components, any other object by
   * its public getters ({@code getX()}, {@code isX()}), each as a column.
   */
  public DatasetProfile track(Object row) {
    Objects.requireNonNull(row, "row");
    if (row instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        RowValues.add(tracker(String.valueOf(e.getKey())), e.getValue());
      }
      return this;
    }
    RowValues.forEachProperty(row, (name, value) -> RowValues.add(tracker(name), value));
    return this;
  }

  private ColumnTracker tracker(String name) {
    ColumnTracker t = columns.get(name);
    if (t == null) {
      t = new ColumnTracker();
      columns.put(name, t);
    }
    return t;
  }

  /** An immutable snapshot; the profile goes on accepting data. */
  public ProfileView view() {
    Map<String, ColumnView> out = new TreeMap<>();
    ProfileProperties props = properties;
    for (Map.Entry<String, ColumnTracker> e : columns.entrySet()) {
      out.put(e.getKey(), e.getValue().view());
      if (e.getValue().isTime()) {
        props = props.withMetadata(ProfileView.TIME_MARKER_PREFIX + e.getKey(), ProfileView.TIME_MARKER_VALUE);
      }
    }
    return ProfileView.of(props, out);
  }

  /** Values seen per column so far (including nulls). */
  public Map<String, Long> counts() {
    Map<String, Long> out = new LinkedHashMap<>();
    new TreeMap<>(columns).forEach((name, t) -> out.put(name, t.count()));
    return out;
  }
}
