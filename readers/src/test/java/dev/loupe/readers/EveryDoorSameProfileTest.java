package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.Approx;
import dev.loupe.core.ColumnNames;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.DoorTables;
import dev.loupe.core.DoorTables.Col;
import dev.loupe.core.DoorTables.Kind;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.Field;
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
 * JSON carries time as epoch-millisecond integers (same metrics, no time marker); CSV carries it as
 * ISO-8601 text (with Z, with an offset, or with none and a space: UTC), which its type inference
 * declares time (same metrics and the time marker); CSV has no tensors and reads an empty string as null, and Parquet cannot repeat a name, so its file
 * holds the names already made unique by {@link ColumnNames#unique}.
 */
class EveryDoorSameProfileTest {
  private static final List<Col> COLS = DoorTables.COLS;
  private static final List<String> UNIQUE = DoorTables.UNIQUE;

  @TempDir
  Path dir;

  @Test
  void everyFileFormatAndArrowGiveTheRowsProfile() throws IOException {
    for (long seed : new long[] {1, 2}) {
      List<Object[]> t = DoorTables.table(seed, seed == 1 ? 300 : 2500);
      ProfileView expected = DoorTables.rows(t);
      assertTrue(expected.isTime("t"), "rows of Instants make a time column");
      assertEquals(List.of("a", "a.1"), UNIQUE.subList(7, 9));
      String what = "seed " + seed + ", " + t.size() + " rows";
      FileProfiler one = FileProfiler.builder().threads(1).batchSize(128).build();

      ProfileView arrowBatch;
      try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot root = DoorTables.arrowRoot(t, alloc)) {
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
      ProfileView json = one.profile(Files.writeString(dir.resolve("t.jsonl"), DoorTables.jsonLines(t)));
      Approx.assertColumnsOfViewsClose(expected, json, what + ": JSON lines");
      assertFalse(json.isTime("t"));
      // chunked over threads, the JSON door still gives the same profile
      ProfileView jsonThreads = FileProfiler.builder().threads(3).batchSize(7).build().profile(dir.resolve("t.jsonl"));
      Approx.assertColumnsOfViewsClose(expected, jsonThreads, what + ": JSON lines on 3 threads");

      // CSV: no tensors, an empty cell is a null (so an empty string is one), time as ISO-8601 text
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
      ProfileView csvExpected = withoutColumn(DoorTables.rows(csvView), "v");
      Approx.assertColumnsOfViewsClose(csvExpected, csv, what + ": CSV");
      assertTrue(csv.isTime("t"), "a CSV column of ISO-8601 timestamps is time");
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

  /**
   * CSV with the repeated header name (the CSV door renames it), strings quoted, time as ISO-8601 text
   * in three spellings of the same instant by row, no tensors.
   */
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
    int r = 0;
    for (Object[] row : t) {
      boolean first = true;
      int spelling = r++ % 3;
      for (int c : cols) {
        b.append(first ? "" : ",");
        first = false;
        Object x = row[c];
        if (x == null) {
          continue;
        }
        b.append(x instanceof String s ? quote(s) : x instanceof Instant i ? isoText(i, spelling)
            : x instanceof BigDecimal d ? d.toPlainString() : String.valueOf(x));
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** 2023-11-14T22:13:20.123Z; 2023-11-14 22:13:20.123 (no offset: UTC); 2023-11-15T03:43:20.123+05:30. */
  private static String isoText(Instant i, int spelling) {
    return switch (spelling) {
      case 0 -> i.toString();
      case 1 -> java.time.LocalDateTime.ofInstant(i, java.time.ZoneOffset.UTC).toString().replace('T', ' ');
      default -> i.atOffset(java.time.ZoneOffset.ofHoursMinutes(5, 30)).toString();
    };
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
