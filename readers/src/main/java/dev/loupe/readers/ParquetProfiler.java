package dev.loupe.readers;

import dev.loupe.core.ColumnAppender;
import dev.loupe.core.ColumnKind;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Profiles a Parquet file, (row group x column) units in parallel: each thread opens its own reader
 * and takes the next unit not yet taken, reads only that column chunk, {@value #SLICE} rows at a time,
 * into a reused Arrow vector that {@link DatasetProfile#trackColumn} profiles. No record assembly,
 * no per-value objects.
 *
 * <p>Columns: a top-level primitive field is a column of its name; a struct is flattened into one
 * column per leaf, named by the dotted path ({@code address.city}), as JSON objects are. Types
 * (whylogs' reading of the same pyarrow types): all integer widths are integral; float, double and
 * decimals fractional; strings, enums and JSON text strings; booleans boolean; lists of numbers
 * tensors; dates, timestamps and INT96 timestamps time (epoch ms, see {@link dev.loupe.core.ValueKind});
 * times of day, other binary, maps and other lists objects. Time, objects and tensors go straight
 * to the column's {@link ColumnAppender}.
 */
final class ParquetProfiler {
  static final int SLICE = 8192;

  private ParquetProfiler() {}

  static ProfileView profile(Path file, int threads, ProfileProperties props, Progress progress) throws IOException {
    Inputs.checkFile(file, "a Parquet file");
    if (Inputs.isGzip(file)) {
      throw new DataFormatException(file + ": a Parquet file is read by random access, so it cannot be gzipped; "
          + "gunzip it first (Parquet compresses its pages itself)");
    }
    if (Files.size(file) == 0) {
      throw new DataFormatException(file + ": the file is empty; expected a Parquet file");
    }
    ParquetMetadata footer;
    try (ParquetFileReader r = open(file)) {
      footer = r.getFooter();
    }
    MessageType schema = footer.getFileMetaData().getSchema();
    String createdBy = footer.getFileMetaData().getCreatedBy();
    List<Column> columns = new ArrayList<>();
    plan(schema, schema, "", columns);
    int groups = footer.getBlocks().size();
    int units = groups * columns.size();
    AtomicInteger next = new AtomicInteger();
    int n = Math.max(1, Math.min(threads, units));
    return Workers.parallel(n, props, (profile, cancelled) -> {
      try (BufferAllocator allocator = new RootAllocator();
           ParquetFileReader reader = open(file, footer)) {
        for (Column c : columns) {
          c.seed(profile, allocator); // an empty file still names its columns
        }
        GroupConverter converter = noopConverter(schema);
        // work units are (row group x column), in that order, so every thread is busy from the first
        // row group on (a small file has fewer row groups than a machine has cores) and the last
        // units are small; each unit reads only its column's chunk
        for (int u; !cancelled.getAsBoolean() && (u = next.getAndIncrement()) < units; ) {
          int g = u / columns.size();
          Column c = columns.get(u % columns.size());
          long rows;
          try {
            rows = unit(reader, footer, g, c, schema, createdBy, converter, profile, allocator, Long.MAX_VALUE);
          } catch (IOException e) {
            if (e.getCause() == null || !e.getCause().getClass().getName().contains(".thrift.")) {
              throw e; // reading the file failed
            }
            // a page header that does not parse (Parquet reports Thrift's error as an IOException)
            throw new DataFormatException(file + ", row group " + g + ", column " + c.name() + ": a damaged page "
                + "header (" + e.getMessage() + "); the file is damaged", e);
          } catch (RuntimeException e) {
            throw new DataFormatException(file + ", row group " + g + ", column " + c.name() + ": cannot decode "
                + "the data (" + e.getClass().getSimpleName() + ": " + e.getMessage() + "); the file is damaged "
                + "or uses a feature Loupe's Parquet library does not read", e);
          }
          if (progress != null) {
            progress.addBytes(c.compressedSize(footer.getBlocks().get(g)));
            if (u % columns.size() == 0) {
              progress.addRows(rows);
            }
          }
        }
      }
    });
  }

  /**
   * One work unit: column {@code c} of row group {@code g}, at most {@code limit} rows of it (all of them
   * but in {@link #warmUp}), into {@code profile}. Returns the row group's rows.
   */
  private static long unit(ParquetFileReader reader, ParquetMetadata footer, int g, Column c, MessageType schema,
      String createdBy, GroupConverter converter, DatasetProfile profile, BufferAllocator allocator, long limit)
      throws IOException {
    reader.setRequestedSchema(List.of(c.leaf()));
    PageReadStore rowGroup = reader.readRowGroup(g);
    long rows = rowGroup.getRowCount();
    long n = Math.min(rows, limit);
    ColumnChunkMetaData chunk = c.chunk(footer.getBlocks().get(g));
    if (c.readsIntPages() && chunk != null && IntPages.applies(chunk, c.leaf())) {
      c.trackIntPages(rowGroup.getPageReader(c.leaf()), profile, limit);
    } else if (c.countsDictionary()) {
      // strings by dictionary id: the column's converter counts ids (see StringCounts)
      try (StringCounts counts = new StringCounts(c.name(), profile, allocator)) {
        if (chunk != null && IntPages.appliesToStrings(chunk, c.leaf())) {
          c.trackStringPages(rowGroup.getPageReader(c.leaf()), counts, limit); // ids decoded in bulk
        } else {
          GroupConverter withCounts = converterWith(schema, c.leaf().getPath(), 0, counts);
          c.trackStrings(new ColumnReadStoreImpl(rowGroup, withCounts, schema, createdBy), n, counts);
        }
      }
    } else {
      ColumnReadStoreImpl store = new ColumnReadStoreImpl(rowGroup, converter, schema, createdBy);
      c.track(store, n, profile, allocator);
    }
    return rows;
  }

  /** Rows per column a warm-up reads: few enough that no sketch compacts (KLL's k is 1024). */
  static final int WARM_UP_ROWS = 1000;

  /**
   * Does, on the calling thread and into a profile it then drops, what {@link #profile} does first:
   * reads the footer, plans the columns, seeds their vectors and profiles the first
   * {@value #WARM_UP_ROWS} rows of each column of the first row group through the same path (page
   * reading, codecs, decoders, core's trackers), so that the classes they load and initialize are
   * ready when the real work asks for them. Stops between columns once {@code stop} says so. Its
   * only effect is time; a file that is not Parquet throws whatever the reading throws. Returns the
   * profile it fed (for tests: {@value #WARM_UP_ROWS} rows at most per column).
   */
  static DatasetProfile warmUp(Path file, java.util.function.BooleanSupplier stop) throws IOException {
    ParquetMetadata footer;
    try (ParquetFileReader r = open(file)) {
      footer = r.getFooter();
    }
    MessageType schema = footer.getFileMetaData().getSchema();
    List<Column> columns = new ArrayList<>();
    plan(schema, schema, "", columns);
    DatasetProfile profile = new DatasetProfile();
    try (BufferAllocator allocator = new RootAllocator(); ParquetFileReader reader = open(file, footer)) {
      for (Column c : columns) {
        c.seed(profile, allocator);
      }
      GroupConverter converter = noopConverter(schema);
      String createdBy = footer.getFileMetaData().getCreatedBy();
      for (Column c : columns) {
        if (stop.getAsBoolean() || footer.getBlocks().isEmpty()) {
          break;
        }
        unit(reader, footer, 0, c, schema, createdBy, converter, profile, allocator, WARM_UP_ROWS);
      }
    }
    return profile;
  }

  /** Options of every reader: pages decoded by ParquetCodecs, without Hadoop's Configuration (its XML parse costs every start). */
  private static ParquetReadOptions options() {
    return ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(new ParquetCodecs()).build();
  }

  /** A reader of a file whose footer {@link #open(Path)} already read: its own stream, no second parse of the footer. */
  private static ParquetFileReader open(Path file, ParquetMetadata footer) throws IOException {
    LocalInputFile input = new LocalInputFile(file);
    org.apache.parquet.io.SeekableInputStream in = input.newStream();
    try {
      return ParquetFileReader.open(input, footer, options(), in);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private static ParquetFileReader open(Path file) throws IOException {
    LocalInputFile input = new LocalInputFile(file);
    try {
      return ParquetFileReader.open(input, options());
    } catch (RuntimeException | IOException e) {
      if (e instanceof java.nio.file.FileSystemException fs) {
        throw fs;
      }
      // Parquet names the file by LocalInputFile's toString (a class name and a hash): name it by its path
      String m = String.valueOf(e.getMessage()).replace(input.toString(), file.toString());
      throw new DataFormatException(file + ": not a Parquet file (" + m + ")", e);
    }
  }

  // ---- the columns a schema makes ----

  /** What a column's values become. */
  private enum Kind {
    INT32, UINT32, INT64, FLOAT, DOUBLE, BOOLEAN, STRING, DECIMAL,
    // appended straight to the column's entry, without a vector:
    OBJECT, TENSOR, DATE, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS, INT96_TIMESTAMP;

    boolean direct() {
      return ordinal() >= OBJECT.ordinal();
    }

    boolean time() {
      return ordinal() >= DATE.ordinal();
    }
  }

  /** One profiled column: a leaf read value by value, or a list/map field read for presence only. */
  private record Column(String name, ColumnDescriptor leaf, Kind kind, int presentDef, int scale) {

    /** The bytes of this column's chunk in a row group, for progress. */
    long compressedSize(BlockMetaData block) {
      long size = 0;
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        if (chunk.getPath().equals(ColumnPath.get(leaf.getPath()))) {
          size += chunk.getTotalSize();
        }
      }
      return size;
    }

    /** Tracks a zero-row vector of the column's type, so the column exists with its declared kind. */
    void seed(DatasetProfile profile, BufferAllocator allocator) {
      if (kind.direct()) {
        profile.column(name, kind.time() ? ColumnKind.TIME : ColumnKind.OBJECT);
        return;
      }
      try (FieldVector v = vector(allocator)) {
        v.allocateNew();
        v.setValueCount(0);
        profile.trackColumn(name, v, 0, null);
      }
    }

    FieldVector vector(BufferAllocator allocator) {
      return switch (kind) {
        case INT32 -> new IntVector(name, allocator);
        case UINT32, INT64 -> new BigIntVector(name, allocator);
        case FLOAT -> new Float4Vector(name, allocator);
        case DOUBLE, DECIMAL -> new Float8Vector(name, allocator);
        case BOOLEAN -> new BitVector(name, allocator);
        case STRING -> new VarCharVector(name, allocator);
        default -> throw new IllegalStateException(kind + " is appended without a vector");
      };
    }

    /** The column's chunk in a row group; null when the footer has none. */
    ColumnChunkMetaData chunk(BlockMetaData block) {
      ColumnPath path = ColumnPath.get(leaf.getPath());
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        if (chunk.getPath().equals(path)) {
          return chunk;
        }
      }
      return null;
    }

    /** Integers, dates and timestamps: {@link IntPages} may decode their pages in bulk. */
    boolean readsIntPages() {
      return switch (kind) {
        case INT32, UINT32, INT64, DATE, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> true;
        default -> false;
      };
    }

    /** The chunk's pages decoded by {@link IntPages}, each value appended as the column reader path appends it. */
    void trackIntPages(org.apache.parquet.column.page.PageReader pages, DatasetProfile profile, long limit) {
      ColumnAppender a = profile.column(name);
      long[] left = {limit};
      try {
        IntPages.read(pages, leaf, new IntPages.Sink() {
          @Override
          public void values(long[] v, int all) {
            int n = (int) Math.min(all, left[0]);
            left[0] -= n;
            switch (kind) {
              case INT32, INT64 -> a.appendLongs(v, 0, n);
              case UINT32 -> {
                for (int i = 0; i < n; i++) {
                  a.appendLong(v[i] & 0xffffffffL);
                }
              }
              case DATE -> {
                for (int i = 0; i < n; i++) {
                  a.appendEpochMillis(v[i] * 86_400_000L);
                }
              }
              case TIMESTAMP_MILLIS -> a.appendEpochMillis(v, 0, n);
              case TIMESTAMP_MICROS -> {
                for (int i = 0; i < n; i++) {
                  a.appendEpochMillis(Math.floorDiv(v[i], 1000L));
                }
              }
              case TIMESTAMP_NANOS -> {
                for (int i = 0; i < n; i++) {
                  a.appendEpochMillis(Math.floorDiv(v[i], 1_000_000L));
                }
              }
              default -> throw new IllegalStateException(kind + " is not read from int pages");
            }
            if (left[0] == 0) {
              throw Limit.REACHED;
            }
          }

          @Override
          public void nulls(int all) {
            int n = (int) Math.min(all, left[0]);
            left[0] -= n;
            a.appendNulls(n);
            if (left[0] == 0) {
              throw Limit.REACHED;
            }
          }
          });
      } catch (Limit reached) {
        // the rows asked for are in (a warm-up's few rows): the rest of the chunk is not read
      }
    }

    /** A flat string column: read through {@link StringCounts}, dictionary ids counted instead of strings copied. */
    boolean countsDictionary() {
      return kind == Kind.STRING && leaf.getMaxRepetitionLevel() == 0;
    }

    /**
     * The chunk's pages decoded by {@link IntPages#readStrings}, handed to {@code counts} as Parquet's
     * column reader hands them (ids, plain values and nulls in row order), then drained.
     */
    void trackStringPages(org.apache.parquet.column.page.PageReader pages, StringCounts counts, long limit) {
      long[] left = {limit};
      long[] nulls = {0};
      try {
        IntPages.readStrings(pages, leaf, new IntPages.StringSink() {
          @Override
          public void dictionary(Dictionary d) {
            counts.setDictionary(d);
          }

          @Override
          public void ids(int[] ids, int all) {
            int n = (int) Math.min(all, left[0]);
            counts.addIds(ids, n);
            taken(n);
          }

          @Override
          public void plain(Binary value) {
            if (left[0] > 0) {
              counts.addBinary(value);
              taken(1);
            }
          }

          @Override
          public void nulls(int all) {
            int n = (int) Math.min(all, left[0]);
            nulls[0] += n;
            taken(n);
          }

          private void taken(int n) {
            left[0] -= n;
            if (left[0] == 0) {
              throw Limit.REACHED;
            }
          }
        });
      } catch (Limit reached) {
        // the rows asked for are in (a warm-up's few rows): the rest of the chunk is not read
      }
      counts.drain(nulls[0]);
    }

    /** The chunk's rows of a flat string column, each defined value handed to {@code counts}, then drained. */
    void trackStrings(ColumnReadStoreImpl store, long rows, StringCounts counts) {
      ColumnReader r = store.getColumnReader(leaf);
      int maxDef = leaf.getMaxDefinitionLevel();
      long nulls = 0;
      for (long i = 0; i < rows; i++, r.consume()) {
        if (r.getCurrentDefinitionLevel() == maxDef) {
          r.writeCurrentValueToConverter();
        } else {
          nulls++;
        }
      }
      counts.drain(nulls);
    }

    void track(ColumnReadStoreImpl store, long rows, DatasetProfile profile, BufferAllocator allocator) {
      ColumnReader r = store.getColumnReader(leaf);
      boolean repeated = leaf.getMaxRepetitionLevel() > 0;
      int maxDef = leaf.getMaxDefinitionLevel();
      long[] read = {0};
      if (kind.direct()) {
        ColumnAppender a = profile.column(name);
        if (repeated) {
          appendPresence(r, a, rows, read, maxDef);
        } else {
          append(r, a, rows, maxDef);
        }
        return;
      }
      try (FieldVector v = vector(allocator)) {
        v.setInitialCapacity((int) Math.min(SLICE, Math.max(rows, 1)));
        v.allocateNew();
        for (long done = 0; done < rows; ) {
          int n = (int) Math.min(SLICE, rows - done);
          if (kind == Kind.STRING) {
            v.reset();
          }
          fill(r, v, n, maxDef);
          v.setValueCount(n);
          profile.trackColumn(name, v, n, null);
          done += n;
        }
      }
    }

    /** n rows of a flat leaf: each row is one value, present when its definition level is the maximum. */
    private void fill(ColumnReader r, FieldVector v, int n, int maxDef) {
      switch (kind) {
        case INT32 -> {
          IntVector x = (IntVector) v;
          for (int i = 0; i < n; i++, r.consume()) {
            if (r.getCurrentDefinitionLevel() == maxDef) {
              x.set(i, r.getInteger());
            } else {
              x.setNull(i);
            }
          }
        }
        case UINT32 -> {
          BigIntVector x = (BigIntVector) v;
          for (int i = 0; i < n; i++, r.consume()) {
            if (r.getCurrentDefinitionLevel() == maxDef) {
              x.set(i, r.getInteger() & 0xffffffffL);
            } else {
              x.setNull(i);
            }
          }
        }
        case INT64 -> {
          BigIntVector x = (BigIntVector) v;
          for (int i = 0; i < n; i++, r.consume()) {
            if (r.getCurrentDefinitionLevel() == maxDef) {
              x.set(i, r.getLong());
            } else {
              x.setNull(i);
            }
          }
        }
        case FLOAT -> {
          Float4Vector x = (Float4Vector) v;
          for (int i = 0; i < n; i++, r.consume()) {
            if (r.getCurrentDefinitionLevel() == maxDef) {
              x.set(i, r.getFloat());
            } else {
              x.setNull(i);
            }
          }
        }
        case DOUBLE -> {
          Float8Vector x = (Float8Vector) v;
          for (int i = 0; i < n; i++, r.consume()) {
            if (r.getCurrentDefinitionLevel() == maxDef) {
              x.set(i, r.getDouble());
            } else {
              x.setNull(i);
            }
          }
        }
        case BOOLEAN -> {
          BitVector x = (BitVector) v;
          for (int i = 0; i < n; i++, r.consume()) {
            if (r.getCurrentDefinitionLevel() == maxDef) {
              x.set(i, r.getBoolean() ? 1 : 0);
            } else {
              x.setNull(i);
            }
          }
        }
        case STRING -> {
          VarCharVector x = (VarCharVector) v;
          for (int i = 0; i < n; i++, r.consume()) {
            if (r.getCurrentDefinitionLevel() == maxDef) {
              Binary b = r.getBinary();
              x.setSafe(i, b.getBytesUnsafe(), 0, b.length());
            } else {
              x.setNull(i);
            }
          }
        }
        case DECIMAL -> {
          Float8Vector x = (Float8Vector) v;
          PrimitiveType.PrimitiveTypeName physical = leaf.getPrimitiveType().getPrimitiveTypeName();
          double div = Math.pow(10, scale);
          for (int i = 0; i < n; i++, r.consume()) {
            if (r.getCurrentDefinitionLevel() != maxDef) {
              x.setNull(i);
            } else if (physical == PrimitiveType.PrimitiveTypeName.INT32 && scale <= 15) {
              x.set(i, r.getInteger() / div); // both exact doubles: the division rounds as BigDecimal does
            } else if (physical == PrimitiveType.PrimitiveTypeName.INT64 && scale <= 15
                && Math.abs(r.getLong()) <= 1L << 53) {
              x.set(i, r.getLong() / div);
            } else if (physical == PrimitiveType.PrimitiveTypeName.INT64) {
              x.set(i, BigDecimal.valueOf(r.getLong(), scale).doubleValue());
            } else if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
              x.set(i, BigDecimal.valueOf(r.getInteger(), scale).doubleValue());
            } else {
              x.set(i, new BigDecimal(new BigInteger(r.getBinary().getBytes()), scale).doubleValue());
            }
          }
        }
        default -> throw new IllegalStateException(kind + " is appended without a vector");
      }
    }

    /**
     * n rows of a list, map or repeated field, read from its first leaf: a row starts at repetition
     * level 0, and is null when its definition level stops short of the field itself.
     */
    private void appendPresence(ColumnReader r, ColumnAppender a, long n, long[] read, int maxDef) {
      long total = r.getTotalValueCount();
      for (int i = 0; i < n; i++) {
        if (read[0] >= total) {
          throw new IllegalStateException("column " + name + " ended before the row group's rows");
        }
        boolean present = r.getCurrentDefinitionLevel() >= presentDef;
        do {
          if (r.getCurrentDefinitionLevel() == maxDef) {
            r.skip(); // only a defined entry has a value to step over
          }
          r.consume();
          read[0]++;
        } while (read[0] < total && r.getCurrentRepetitionLevel() > 0);
        if (!present) {
          a.appendNull();
        } else if (kind == Kind.TENSOR) {
          a.appendTensors(1);
        } else {
          a.appendObjects(1);
        }
      }
    }

    /** n rows of a flat leaf that is a time or an opaque object, straight to the column's entry. */
    private void append(ColumnReader r, ColumnAppender a, long n, int maxDef) {
      for (long i = 0; i < n; i++, r.consume()) {
        if (r.getCurrentDefinitionLevel() != maxDef) {
          a.appendNull();
          continue;
        }
        switch (kind) {
          case DATE -> a.appendEpochMillis(r.getInteger() * 86_400_000L);
          case TIMESTAMP_MILLIS -> a.appendEpochMillis(r.getLong());
          case TIMESTAMP_MICROS -> a.appendEpochMillis(Math.floorDiv(r.getLong(), 1000L));
          case TIMESTAMP_NANOS -> a.appendEpochMillis(Math.floorDiv(r.getLong(), 1_000_000L));
          case INT96_TIMESTAMP -> a.appendEpochMillis(int96Millis(r.getBinary()));
          default -> a.appendObjects(1);
        }
      }
    }
  }

  /** Thrown through {@link IntPages#read} when a unit's row limit is reached: ends the read early. */
  private static final class Limit extends RuntimeException {
    static final Limit REACHED = new Limit();

    private Limit() {
      super("row limit reached", null, false, false);
    }
  }

  /** Julian day number of 1970-01-01. */
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  /** The legacy INT96 timestamp (8 bytes of nanoseconds in the day, then 4 of Julian day, little-endian) as epoch ms. */
  static long int96Millis(Binary b) {
    java.nio.ByteBuffer buf = b.toByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = buf.getLong(buf.position());
    long julianDay = Integer.toUnsignedLong(buf.getInt(buf.position() + 8));
    return (julianDay - JULIAN_EPOCH_DAY) * 86_400_000L + Math.floorDiv(nanosOfDay, 1_000_000L);
  }

  private static void plan(MessageType schema, GroupType group, String prefix, List<Column> out) {
    for (Type field : group.getFields()) {
      String name = prefix + field.getName();
      String[] path = pathOf(group, schema, field);
      LogicalTypeAnnotation logical = field.getLogicalTypeAnnotation();
      boolean listOrMap = logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
          || logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
          || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation;
      if (field.isRepetition(Type.Repetition.REPEATED) || listOrMap) {
        int def = schema.getMaxDefinitionLevel(path) - (field.isRepetition(Type.Repetition.REPEATED) ? 1 : 0);
        List<ColumnDescriptor> leaves = leavesUnder(schema, path);
        if (leaves.isEmpty()) {
          continue;
        }
        boolean numeric = leaves.size() == 1 && isNumeric(leaves.get(0).getPrimitiveType());
        out.add(new Column(name, leaves.get(0), numeric ? Kind.TENSOR : Kind.OBJECT, def, 0));
      } else if (!field.isPrimitive()) {
        plan(schema, field.asGroupType(), name + ".", out);
      } else {
        ColumnDescriptor leaf = schema.getColumnDescription(path);
        PrimitiveType p = field.asPrimitiveType();
        int scale = logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d ? d.getScale() : 0;
        out.add(new Column(name, leaf, kindOf(p), 0, scale));
      }
    }
  }

  private static String[] pathOf(GroupType group, MessageType schema, Type field) {
    if (group == schema) {
      return new String[] {field.getName()};
    }
    // group is nested: find it by walking from the root (schemas are small)
    List<String> p = new ArrayList<>();
    if (find(schema, group, p)) {
      p.add(field.getName());
      return p.toArray(new String[0]);
    }
    throw new IllegalStateException("group " + group.getName() + " not in the schema");
  }

  private static boolean find(GroupType from, GroupType target, List<String> path) {
    for (Type t : from.getFields()) {
      if (t.isPrimitive()) {
        continue;
      }
      path.add(t.getName());
      if (t == target || find(t.asGroupType(), target, path)) {
        return true;
      }
      path.remove(path.size() - 1);
    }
    return false;
  }

  private static List<ColumnDescriptor> leavesUnder(MessageType schema, String[] path) {
    List<ColumnDescriptor> out = new ArrayList<>();
    for (ColumnDescriptor d : schema.getColumns()) {
      String[] p = d.getPath();
      if (p.length >= path.length && java.util.Arrays.equals(p, 0, path.length, path, 0, path.length)) {
        out.add(d);
      }
    }
    return out;
  }

  private static boolean isNumeric(PrimitiveType p) {
    Kind k = kindOf(p);
    return k == Kind.INT32 || k == Kind.UINT32 || k == Kind.INT64 || k == Kind.FLOAT || k == Kind.DOUBLE
        || k == Kind.DECIMAL;
  }

  private static Kind kindOf(PrimitiveType p) {
    LogicalTypeAnnotation l = p.getLogicalTypeAnnotation();
    if (l instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
      return Kind.DECIMAL;
    }
    return switch (p.getPrimitiveTypeName()) {
      case BOOLEAN -> Kind.BOOLEAN;
      case FLOAT -> Kind.FLOAT;
      case DOUBLE -> Kind.DOUBLE;
      case INT32 -> l == null ? Kind.INT32
          : l instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
              ? (i.isSigned() || i.getBitWidth() < 32 ? Kind.INT32 : Kind.UINT32)
              : l instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation ? Kind.DATE
              : Kind.OBJECT; // time of day
      case INT64 -> l == null || l instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation ? Kind.INT64
          : l instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts ? switch (ts.getUnit()) {
            case MILLIS -> Kind.TIMESTAMP_MILLIS;
            case MICROS -> Kind.TIMESTAMP_MICROS;
            case NANOS -> Kind.TIMESTAMP_NANOS;
          }
          : Kind.OBJECT; // time of day
      case INT96 -> Kind.INT96_TIMESTAMP; // the legacy (Impala, Spark) timestamp
      case BINARY, FIXED_LEN_BYTE_ARRAY -> l instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
          || l instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
          || l instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation ? Kind.STRING : Kind.OBJECT;
    };
  }

  /**
   * The values of one string column chunk, as Parquet's column reader hands them to a converter:
   * from a dictionary-encoded page only the dictionary id ({@link #addValueFromDictionary}), which
   * is counted; from a plain page (a writer may fall back to plain encoding when the dictionary
   * grows too large) the bytes, which go into a vector profiled {@value #SLICE} at a time as
   * before. {@link #drain} then appends each dictionary string once with its count
   * ({@link ColumnAppender#appendUtf8Repeated}), which is what the vector path gives the sketches
   * after its per-batch pre-aggregation: the same counts and HLL, frequent items within the same
   * bounds. It skips, per value, materializing a {@link Binary}, copying its bytes into a vector,
   * and hashing and comparing them again to pre-aggregate.
   */
  static final class StringCounts extends PrimitiveConverter implements AutoCloseable {
    private final String name;
    private final DatasetProfile profile;
    private final VarCharVector plain;
    private Dictionary dictionary;
    private long[] counts;
    private int pending;

    StringCounts(String name, DatasetProfile profile, BufferAllocator allocator) {
      this.name = name;
      this.profile = profile;
      this.plain = new VarCharVector(name, allocator);
    }

    @Override
    public boolean hasDictionarySupport() {
      return true;
    }

    @Override
    public void setDictionary(Dictionary d) {
      dictionary = d;
      counts = new long[d.getMaxId() + 1];
    }

    @Override
    public void addValueFromDictionary(int id) {
      counts[id]++;
    }

    /** {@link #addValueFromDictionary} of {@code ids[0..n)}, ids the caller checked against the dictionary. */
    void addIds(int[] ids, int n) {
      long[] c = counts;
      for (int i = 0; i < n; i++) {
        c[ids[i]]++;
      }
    }

    @Override
    public void addBinary(Binary b) {
      if (pending == 0) {
        plain.reset();
        if (plain.getValueCapacity() == 0) {
          plain.setInitialCapacity(SLICE);
          plain.allocateNew();
        }
      }
      plain.setSafe(pending++, b.getBytesUnsafe(), 0, b.length());
      if (pending == SLICE) {
        flushPlain();
      }
    }

    private void flushPlain() {
      if (pending > 0) {
        plain.setValueCount(pending);
        profile.trackColumn(name, plain, pending, null);
        pending = 0;
      }
    }

    /** Profiles what the chunk gave: the plain values left, each dictionary string with its count, the nulls. */
    void drain(long nulls) {
      flushPlain();
      ColumnAppender a = profile.column(name);
      if (counts != null) {
        for (int id = 0; id < counts.length; id++) {
          if (counts[id] > 0) {
            a.appendUtf8Repeated(dictionary.decodeToBinary(id).getBytes(), counts[id]);
            counts[id] = 0;
          }
        }
      }
      a.appendNulls(nulls);
    }

    @Override
    public void close() {
      plain.close();
    }
  }

  /** {@link #noopConverter} of {@code type}, except that the leaf at {@code path} (from {@code depth}) is {@code leaf}. */
  private static GroupConverter converterWith(GroupType type, String[] path, int depth, PrimitiveConverter leaf) {
    Converter[] children = new Converter[type.getFieldCount()];
    for (int i = 0; i < children.length; i++) {
      Type t = type.getType(i);
      boolean onPath = t.getName().equals(path[depth]);
      children[i] = onPath && depth == path.length - 1 ? leaf
          : onPath ? converterWith(t.asGroupType(), path, depth + 1, leaf)
          : t.isPrimitive() ? new PrimitiveConverter() {} : noopConverter(t.asGroupType());
    }
    return groupOf(children);
  }

  /** Converters the column store asks for; values are read from the column readers directly, never converted. */
  private static GroupConverter noopConverter(GroupType type) {
    Converter[] children = new Converter[type.getFieldCount()];
    for (int i = 0; i < children.length; i++) {
      Type t = type.getType(i);
      children[i] = t.isPrimitive() ? new PrimitiveConverter() {} : noopConverter(t.asGroupType());
    }
    return groupOf(children);
  }

  /** A group converter over {@code children}, doing nothing at a record's start and end. */
  private static GroupConverter groupOf(Converter[] children) {
    return new GroupConverter() {
      @Override
      public Converter getConverter(int fieldIndex) {
        return children[fieldIndex];
      }

      @Override
      public void start() {}

      @Override
      public void end() {}
    };
  }
}
