package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.loupe.core.Approx;
import dev.loupe.core.ColumnNames;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One profile whatever the door: a generated table (nulls, NaN, ±infinity, 64-bit extremes, big
 * decimals, unicode and empty strings, timestamps, tensors, odd and repeated column names) is
 * profiled as Java rows, as an in-memory Arrow batch, and read back from Arrow IPC, Parquet,
 * JSON lines and CSV files; every profile equals the rows' profile (exact counts, types, min/max
 * and HLL; equal sketches up to update order, see {@link Approx}). Where a format cannot carry a
 * kind, the documented mapping (docs/concepts.md, "The value table") is what is asserted:
 * JSON and CSV carry time as epoch-millisecond integers (same metrics, no time marker), CSV has
 * no tensors and reads an empty string as null, and Parquet cannot repeat a name, so its file
 * holds the names already made unique by {@link ColumnNames#unique}.
 */
class EveryDoorSameProfileTest {
  @TempDir
  Path dir;

  enum Kind { LONG, DOUBLE, STRING, BOOL, DECIMAL, TIME, TENSOR }

  record Col(String name, Kind kind) {}

  /** The columns, with a repeated name ("a" twice) and an odd one; "a" twice becomes "a" and "a.1". */
  static final List<Col> COLS = List.of(
      new Col("id", Kind.LONG), new Col("x", Kind.DOUBLE), new Col("s", Kind.STRING), new Col("b", Kind.BOOL),
      new Col("dec", Kind.DECIMAL), new Col("t", Kind.TIME), new Col("v", Kind.TENSOR),
      new Col("a", Kind.LONG), new Col("a", Kind.STRING), new Col("odd name ü", Kind.DOUBLE));
  static final List<String> UNIQUE = ColumnNames.unique(COLS.stream().map(Col::name).toList());

  private static final String[] WORDS = {"", "ü", "日本語", "😀 emoji", "tab\there", "comma, inside", "quote \" in",
      "plain", "Ünïcödé", "a"};

  /** Rows of Java values: Long, Double, String, Boolean, BigDecimal, Instant, double[]; null is missing. */
  static List<Object[]> table(long seed, int rows) {
    Random r = new Random(seed);
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      Object[] row = new Object[COLS.size()];
      for (int c = 0; c < row.length; c++) {
        boolean isNull = i > 3 && r.nextInt(7) == 0;
        row[c] = isNull ? null : value(COLS.get(c).kind(), r, i);
      }
      out.add(row);
    }
    return out;
  }

  private static Object value(Kind k, Random r, int i) {
    return switch (k) {
      case LONG -> i == 0 ? Long.MIN_VALUE : i == 1 ? Long.MAX_VALUE : (long) r.nextInt(2000) - 1000;
      case DOUBLE -> switch (i % 13) {
        case 5 -> Double.NaN;
        case 6 -> Double.POSITIVE_INFINITY;
        case 7 -> Double.NEGATIVE_INFINITY;
        case 8 -> -0.0;
        default -> Math.round(r.nextGaussian() * 1e6) / 1e3;
      };
      case STRING -> "s" + WORDS[r.nextInt(WORDS.length)] + (i % 3 == 0 ? "" : String.valueOf(r.nextInt(5)));
      case BOOL -> r.nextBoolean();
      case DECIMAL -> i == 0 ? new BigDecimal("12345678901234567890123456789012.123456")
          : BigDecimal.valueOf(r.nextLong() % 1_000_000_000_000L, 6);
      case TIME -> Instant.ofEpochMilli(i == 0 ? -86_400_123L : 1_700_000_000_000L + r.nextInt(1_000_000_000));
      case TENSOR -> {
        double[] v = new double[1 + r.nextInt(3)];
        for (int j = 0; j < v.length; j++) {
          v[j] = r.nextInt(100) / 4.0;
        }
        yield v;
      }
    };
  }

  /** The rows door: each row a map of (unique) column name to value. */
  static ProfileView rows(List<Object[]> t) {
    DatasetProfile p = new DatasetProfile();
    for (Object[] row : t) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int c = 0; c < row.length; c++) {
        m.put(UNIQUE.get(c), row[c]);
      }
      p.track(m);
    }
    return p.view();
  }

  @Test
  void everyFileFormatAndArrowGiveTheRowsProfile() throws IOException {
    for (long seed : new long[] {1, 2}) {
      List<Object[]> t = table(seed, seed == 1 ? 300 : 2500);
      ProfileView expected = rows(t);
      assertTrue(expected.isTime("t"), "rows of Instants make a time column");
      assertEquals(List.of("a", "a.1"), UNIQUE.subList(7, 9));
      String what = "seed " + seed + ", " + t.size() + " rows";
      FileProfiler one = FileProfiler.builder().threads(1).batchSize(128).build();

      ProfileView arrowBatch;
      try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot root = arrowRoot(t, alloc)) {
        arrowBatch = new DatasetProfile().trackDataframe(root).view();
        writeArrowFile(root, dir.resolve("t.arrow"));
      }
      Approx.assertColumnsOfViewsClose(expected, arrowBatch, what + ": Arrow batch");
      assertTrue(arrowBatch.isTime("t"));
      ProfileView arrowFile = one.profile(dir.resolve("t.arrow"));
      Approx.assertColumnsOfViewsClose(expected, arrowFile, what + ": Arrow IPC file");

      ProfileView parquet = one.profile(parquet(t, dir.resolve("t.parquet")));
      Approx.assertColumnsOfViewsClose(expected, parquet, what + ": Parquet");
      assertTrue(parquet.isTime("t"));

      // JSON has no time: it carries epoch milliseconds, the same metrics without the time marker
      ProfileView json = one.profile(Files.writeString(dir.resolve("t.jsonl"), jsonLines(t)));
      Approx.assertColumnsOfViewsClose(expected, json, what + ": JSON lines");
      assertFalse(json.isTime("t"));
      // chunked over threads, the JSON door still gives the same profile
      ProfileView jsonThreads = FileProfiler.builder().threads(3).batchSize(7).build().profile(dir.resolve("t.jsonl"));
      Approx.assertColumnsOfViewsClose(expected, jsonThreads, what + ": JSON lines on 3 threads");

      // CSV: no tensors, an empty cell is a null (so an empty string is one), time as epoch ms
      List<Object[]> csvView = new ArrayList<>();
      for (Object[] row : t) {
        Object[] copy = row.clone();
        for (int c = 0; c < copy.length; c++) {
          if ("".equals(copy[c])) {
            copy[c] = null;
          }
        }
        csvView.add(copy);
      }
      ProfileView csv = one.profile(Files.writeString(dir.resolve("t.csv"), csv(t)));
      ProfileView csvExpected = withoutColumn(rows(csvView), "v");
      Approx.assertColumnsOfViewsClose(csvExpected, csv, what + ": CSV");
    }
  }

  @Test
  void emptyObjectsAndArraysAreObjectsNumericArraysAtAnyDepthAreTensorsNanLiteralsAreRead() throws IOException {
    Files.writeString(dir.resolve("o.jsonl"), String.join("\n",
        "{\"o\": {}, \"l\": [], \"m\": [[1, 2], [3]], \"n\": NaN, \"k\": {\"a\": 1}, \"d\": 1, \"d\": 2}",
        "{\"o\": {\"p\": 1}, \"l\": [\"x\"], \"m\": [[]], \"n\": -Infinity, \"k\": null, \"d\": 3}"));
    ProfileView v = FileProfiler.builder().threads(1).build().profile(dir.resolve("o.jsonl"));
    DatasetProfile rows = new DatasetProfile();
    rows.track(Map.of("o", new Object(), "l", new Object(), "m", new double[] {1, 2, 3}, "n", Double.NaN,
        "k.a", 1L, "d", 1L, "d.1", 2L));
    Map<String, Object> second = new LinkedHashMap<>();
    second.put("o.p", 1L);
    second.put("l", new Object());
    second.put("m", new Object());
    second.put("n", Double.NEGATIVE_INFINITY);
    second.put("k", null);
    rows.track(second);
    ProfileView expected = rows.view();
    // a repeated key is "d.1"; keys missing from a line are nulls: o.p (line 1), k.a and d.1 (line 2), k (line 1)
    assertEquals(List.of("d", "d.1", "k", "k.a", "l", "m", "n", "o", "o.p"), List.copyOf(v.columns().keySet()));
    assertEquals(1, v.column("o").orElseThrow().types().object());
    assertEquals(2, v.column("l").orElseThrow().types().object());
    assertEquals(1, v.column("m").orElseThrow().types().tensor());
    assertEquals(1, v.column("m").orElseThrow().types().object());
    assertEquals(2, v.column("n").orElseThrow().counts().n());
    assertEquals(1, v.column("n").orElseThrow().counts().nan());
    assertEquals(1, v.column("n").orElseThrow().counts().inf());
    for (String c : List.of("l", "m", "n")) {
      Approx.assertColumnsClose(expected.column(c).orElseThrow(), v.column(c).orElseThrow(), c);
    }
    assertEquals(2, v.column("d.1").orElseThrow().counts().n());
    assertEquals(1, v.column("d.1").orElseThrow().counts().nulls());
    assertEquals(2, v.column("d").orElseThrow().types().integral());
    assertEquals(2, v.column("k").orElseThrow().counts().nulls());
  }

  // ---- writers: each format through its own library ----

  static VectorSchemaRoot arrowRoot(List<Object[]> t, RootAllocator alloc) {
    List<Field> fields = new ArrayList<>();
    for (Col c : COLS) {
      fields.add(switch (c.kind()) {
        case LONG -> Field.nullable(c.name(), new ArrowType.Int(64, true));
        case DOUBLE -> Field.nullable(c.name(), new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
        case STRING -> Field.nullable(c.name(), ArrowType.Utf8.INSTANCE);
        case BOOL -> Field.nullable(c.name(), ArrowType.Bool.INSTANCE);
        case DECIMAL -> Field.nullable(c.name(), new ArrowType.Decimal(38, 6, 128));
        case TIME -> Field.nullable(c.name(), new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"));
        case TENSOR -> new Field(c.name(), FieldType.nullable(ArrowType.List.INSTANCE), List.of(
            Field.nullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
      });
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), alloc);
    root.allocateNew();
    List<FieldVector> vs = root.getFieldVectors();
    for (int c = 0; c < COLS.size(); c++) {
      FieldVector v = vs.get(c);
      UnionListWriter lw = v instanceof ListVector l ? l.getWriter() : null;
      for (int i = 0; i < t.size(); i++) {
        Object x = t.get(i)[c];
        if (lw != null) {
          lw.setPosition(i);
          if (x != null) {
            lw.startList();
            for (double d : (double[]) x) {
              lw.float8().writeFloat8(d);
            }
            lw.endList();
          }
          continue;
        }
        if (x == null) {
          v.setNull(i);
          continue;
        }
        switch (COLS.get(c).kind()) {
          case LONG -> ((BigIntVector) v).setSafe(i, (Long) x);
          case DOUBLE -> ((Float8Vector) v).setSafe(i, (Double) x);
          case STRING -> ((VarCharVector) v).setSafe(i, ((String) x).getBytes(StandardCharsets.UTF_8));
          case BOOL -> ((BitVector) v).setSafe(i, (Boolean) x ? 1 : 0);
          case DECIMAL -> ((DecimalVector) v).setSafe(i, (BigDecimal) x);
          case TIME -> ((TimeStampMilliTZVector) v).setSafe(i, ((Instant) x).toEpochMilli());
          default -> throw new IllegalStateException();
        }
      }
      v.setValueCount(t.size());
    }
    root.setRowCount(t.size());
    return root;
  }

  static void writeArrowFile(VectorSchemaRoot root, Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
         ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      w.start();
      w.writeBatch();
      w.end();
    }
  }

  static Path parquet(List<Object[]> t, Path file) throws IOException {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (int c = 0; c < COLS.size(); c++) {
      String name = UNIQUE.get(c); // a Parquet group cannot repeat a name
      switch (COLS.get(c).kind()) {
        case LONG -> b.optional(PrimitiveTypeName.INT64).named(name);
        case DOUBLE -> b.optional(PrimitiveTypeName.DOUBLE).named(name);
        case STRING -> b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(name);
        case BOOL -> b.optional(PrimitiveTypeName.BOOLEAN).named(name);
        case DECIMAL -> b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.decimalType(6, 38)).named(name);
        case TIME -> b.optional(PrimitiveTypeName.INT64)
            .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS)).named(name);
        case TENSOR -> b.optionalList().optionalElement(PrimitiveTypeName.DOUBLE).named(name);
      }
    }
    MessageType schema = b.named("t");
    Files.deleteIfExists(file);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(schema).withConf(new PlainParquetConfiguration()).withRowGroupSize(16 * 1024L).build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (Object[] row : t) {
        Group g = f.newGroup();
        for (int c = 0; c < row.length; c++) {
          Object x = row[c];
          if (x == null) {
            continue;
          }
          String name = UNIQUE.get(c);
          switch (COLS.get(c).kind()) {
            case LONG -> g.append(name, (Long) x);
            case DOUBLE -> g.append(name, (Double) x);
            case STRING -> g.append(name, (String) x);
            case BOOL -> g.append(name, (Boolean) x);
            case DECIMAL -> g.append(name, Binary.fromConstantByteArray(
                ((BigDecimal) x).setScale(6).unscaledValue().toByteArray()));
            case TIME -> g.append(name, ((Instant) x).toEpochMilli());
            case TENSOR -> {
              Group list = g.addGroup(name);
              for (double d : (double[]) x) {
                list.addGroup("list").append("element", d);
              }
            }
          }
        }
        w.write(g);
      }
    }
    return file;
  }

  /** JSON lines with the repeated key written twice (the JSON door renames it), NaN/Infinity as literals. */
  static String jsonLines(List<Object[]> t) throws IOException {
    JsonFactory f = JsonFactory.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object[] row : t) {
      try (JsonGenerator g = f.createGenerator(out)) {
        g.writeStartObject();
        for (int c = 0; c < row.length; c++) {
          Object x = row[c];
          if (x == null && c % 2 == 1 && !COLS.get(c).name().equals("a")) {
            continue; // a missing key is a null too (but a repeated key is named by its position, so write it)
          }
          g.writeFieldName(COLS.get(c).name());
          if (x == null) {
            g.writeNull();
          } else if (x instanceof Long l) {
            g.writeNumber(l);
          } else if (x instanceof Double d) {
            g.writeNumber(d);
          } else if (x instanceof String s) {
            g.writeString(s);
          } else if (x instanceof Boolean bo) {
            g.writeBoolean(bo);
          } else if (x instanceof BigDecimal d) {
            g.writeNumber(d);
          } else if (x instanceof Instant i) {
            g.writeNumber(i.toEpochMilli());
          } else if (x instanceof double[] a) {
            g.writeArray(a, 0, a.length);
          }
        }
        g.writeEndObject();
      }
      out.write('\n');
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** CSV with the repeated header name (the CSV door renames it), strings quoted, time as epoch ms, no tensors. */
  static String csv(List<Object[]> t) {
    StringBuilder b = new StringBuilder();
    List<Integer> cols = new ArrayList<>();
    for (int c = 0; c < COLS.size(); c++) {
      if (COLS.get(c).kind() != Kind.TENSOR) {
        cols.add(c);
      }
    }
    for (int c : cols) {
      b.append(b.length() == 0 ? "" : ",").append(quote(COLS.get(c).name()));
    }
    b.append('\n');
    for (Object[] row : t) {
      boolean first = true;
      for (int c : cols) {
        b.append(first ? "" : ",");
        first = false;
        Object x = row[c];
        if (x == null) {
          continue;
        }
        b.append(x instanceof String s ? quote(s) : x instanceof Instant i ? String.valueOf(i.toEpochMilli())
            : x instanceof BigDecimal d ? d.toPlainString() : String.valueOf(x));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  static ProfileView withoutColumn(ProfileView v, String name) {
    Map<String, dev.loupe.core.ColumnView> cols = new LinkedHashMap<>(v.columns());
    cols.remove(name);
    return ProfileView.of(v.properties(), cols);
  }
}
