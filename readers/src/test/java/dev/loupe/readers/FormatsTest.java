package dev.loupe.readers;

import dev.loupe.core.Approx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ColumnView;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.TypesMetric;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each format read through its columnar path profiles a file as tracking the same rows one by one,
 * with the Java values they hold, does (core's row path, the reference); on one thread and on three.
 */
class FormatsTest {
  @TempDir
  Path dir;

  private static ProfileView profile(Path file, int threads) throws IOException {
    return FileProfiler.builder().threads(threads).batchSize(500).build().profile(file);
  }

  private static void assertMatchesRows(DatasetProfile rows, Path file) throws IOException {
    ProfileView expected = rows.view();
    Approx.assertColumnsOfViewsClose(expected, profile(file, 1), file.getFileName() + " on one thread");
    Approx.assertColumnsOfViewsClose(expected, profile(file, 3), file.getFileName() + " on three threads");
  }

  private static ColumnView col(ProfileView v, String name) {
    return v.column(name).orElseThrow(() -> new AssertionError("no column " + name + " in " + v.columns().keySet()));
  }

  // ---- Parquet ----

  private static final MessageType RICH = MessageTypeParser.parseMessageType("""
      message rich {
        required int64 id;
        optional int32 small;
        optional double price;
        optional float ratio;
        optional binary name (STRING);
        optional boolean member;
        optional int32 day (DATE);
        optional int64 cents (DECIMAL(12,2));
        optional group address { optional binary city (STRING); optional int32 zip; }
        optional group scores (LIST) { repeated group list { optional double element; } }
        optional group labels (LIST) { repeated group list { optional binary element (STRING); } }
      }""");

  @Test
  void parquetColumnsAreTypedStructsFlattenedListsTensorsOrObjects() throws IOException {
    Path file = dir.resolve("rich.parquet");
    DatasetProfile rows = new DatasetProfile();
    Random r = new Random(7);
    String[] cities = {"Oslo", "Lagos", "Zürich", "東京"};
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(RICH)
        .withConf(new PlainParquetConfiguration()).withCompressionCodec(CompressionCodecName.GZIP)
        .withRowGroupSize(16 * 1024L).withPageSize(2048).build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(RICH);
      for (int i = 0; i < 4000; i++) {
        Group g = f.newGroup();
        Map<String, Object> row = new LinkedHashMap<>();
        g.append("id", (long) i);
        row.put("id", (long) i);
        Integer small = i % 9 == 0 ? null : r.nextInt(100);
        if (small != null) {
          g.append("small", small);
        }
        row.put("small", small);
        Double price = i % 11 == 0 ? null : r.nextInt(100000) / 100.0;
        if (price != null) {
          g.append("price", price);
        }
        row.put("price", price);
        float ratio = r.nextFloat();
        g.append("ratio", ratio);
        row.put("ratio", ratio);
        String name = i % 5 == 0 ? null : "user" + r.nextInt(300);
        if (name != null) {
          g.append("name", name);
        }
        row.put("name", name);
        g.append("member", i % 3 == 0);
        row.put("member", i % 3 == 0);
        if (i % 4 != 0) {
          g.append("day", 19000 + i % 365);
          row.put("day", LocalDate.ofEpochDay(19000 + i % 365));
        } else {
          row.put("day", null);
        }
        long cents = r.nextInt(2_000_000) - 1_000_000;
        g.append("cents", cents);
        row.put("cents", BigDecimal.valueOf(cents, 2));
        if (i % 6 == 0) {
          row.put("address.city", null);
          row.put("address.zip", null);
        } else {
          Group a = g.addGroup("address");
          String city = cities[r.nextInt(cities.length)];
          a.append("city", city);
          row.put("address.city", city);
          if (i % 7 == 0) {
            row.put("address.zip", null);
          } else {
            a.append("zip", 1000 + r.nextInt(9000));
            row.put("address.zip", (long) a.getInteger("zip", 0));
          }
        }
        if (i % 8 == 0) {
          row.put("scores", null);
        } else {
          Group list = g.addGroup("scores");
          int n = i % 3;
          for (int k = 0; k < n; k++) {
            list.addGroup("list").append("element", r.nextDouble());
          }
          row.put("scores", new double[n]);
        }
        if (i % 2 == 0) {
          g.addGroup("labels").addGroup("list").append("element", "a");
          row.put("labels", List.of("a"));
        } else {
          row.put("labels", null);
        }
        w.write(g);
        rows.track(row);
      }
    }
    try (ParquetFileReader pr = ParquetFileReader.open(new LocalInputFile(file))) {
      assertTrue(pr.getRowGroups().size() > 3, "row groups: " + pr.getRowGroups().size());
    }
    assertMatchesRows(rows, file);
    ProfileView v = profile(file, 2);
    assertEquals("tensor", col(v, "scores").summary().get("type"));
    assertEquals(new TypesMetric(0, 0, 0, 0, 2000, 0), col(v, "labels").types());
    assertEquals(2000, col(v, "labels").counts().nulls());
    assertEquals(4000, col(v, "address.zip").counts().n());
  }

  @Test
  void parquetWithoutRowsNamesItsColumnsAndUnsignedDecimalsAndBinaryRead() throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType(
        "message m { optional int32 u (INTEGER(32,false)); optional binary raw; optional fixed_len_byte_array(4) d (DECIMAL(9,3)); }");
    Path empty = dir.resolve("empty.parquet");
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(empty)).withType(schema)
        .withConf(new PlainParquetConfiguration()).build()) {
      // no rows
    }
    ProfileView e = profile(empty, 4);
    assertEquals(List.of("d", "raw", "u"), List.copyOf(e.columns().keySet()));
    assertTrue(col(e, "u").ints().isPresent(), "an integer column has ints even when empty");

    Path file = dir.resolve("u.parquet");
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
        .withConf(new PlainParquetConfiguration()).build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      w.write(f.newGroup().append("u", -1).append("raw", Binary.fromString("xy"))
          .append("d", Binary.fromConstantByteArray(new byte[] {0, 0, 0x30, 0x39}))); // 12345 -> 12.345
    }
    ProfileView v = profile(file, 1);
    assertEquals(4294967295L, col(v, "u").ints().orElseThrow().max().getAsLong());
    assertEquals(12.345, col(v, "d").distribution().orElseThrow().max().getAsDouble());
    assertEquals(new TypesMetric(0, 0, 0, 0, 1, 0), col(v, "raw").types());
  }

  // ---- JSON lines ----

  @Test
  void jsonLinesFlattenObjectsCountArraysAndMissingKeysAsNulls() throws IOException {
    String text = """
        {"id": 1, "user": {"name": "Ada", "age": 36}, "tags": [1, 2.5], "note": null, "big": 123456789012345678901234}
        {"id": 2, "user": {"name": "Bob"}, "tags": ["x"], "extra": {}, "ok": true}

        {"id": 3, "user": {"name": "Zoë", "age": 41.5, "geo": {"lat": 1.5}}, "tags": [], "ok": false, "note": "n"}\r
        {"id": "four", "user": null}
        """;
    DatasetProfile rows = new DatasetProfile();
    List<Map<String, Object>> expected = new ArrayList<>();
    expected.add(row("id", 1L, "user.name", "Ada", "user.age", 36L, "tags", new double[2], "note", null,
        "big", 1.2345678901234568e23));
    expected.add(row("id", 2L, "user.name", "Bob", "tags", new Object(), "extra", new Object(), "ok", true));
    expected.add(row("id", 3L, "user.name", "Zoë", "user.age", 41.5, "user.geo.lat", 1.5, "tags", new Object(),
        "ok", false, "note", "n"));
    expected.add(row("id", "four", "user", null));
    List<String> all = List.of("id", "user.name", "user.age", "user.geo.lat", "tags", "note", "big", "extra", "ok",
        "user");
    for (Map<String, Object> m : expected) {
      for (String c : all) {
        m.putIfAbsent(c, null); // a missing key is a null
      }
      rows.track(m);
    }
    Path plain = dir.resolve("t.jsonl");
    Files.writeString(plain, text, StandardCharsets.UTF_8);
    assertMatchesRows(rows, plain);
    Path gz = dir.resolve("t.ndjson.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    assertMatchesRows(rows, gz);
    assertEquals(4, col(profile(gz, 2), "user.geo.lat").counts().n());
  }

  private static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  // ---- Arrow IPC ----

  @Test
  void arrowFileAndStreamWithADictionaryEncodedColumn() throws IOException {
    String[] words = {"red", "green", "blue", "ünïcode"};
    DatasetProfile rows = new DatasetProfile();
    Path file = dir.resolve("t.arrow");
    Path stream = dir.resolve("t.arrows");
    Path gz = dir.resolve("t.arrow.gz");
    for (Path p : List.of(file, stream)) {
      try (RootAllocator allocator = new RootAllocator();
           VarCharVector dictValues = new VarCharVector("color-dict", allocator)) {
        dictValues.allocateNew();
        for (int i = 0; i < words.length; i++) {
          dictValues.setSafe(i, words[i].getBytes(StandardCharsets.UTF_8));
        }
        dictValues.setValueCount(words.length);
        DictionaryEncoding enc = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));
        Dictionary dict = new Dictionary(dictValues, enc);
        DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider(dict);
        Schema schema = new Schema(List.of(
            Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            new Field("color", new FieldType(true, new ArrowType.Int(32, true), enc), null)));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             ArrowWriter w = p == file ? new ArrowFileWriter(root, provider, ch)
                 : new ArrowStreamWriter(root, provider, Channels.newOutputStream(ch))) {
          w.start();
          Random r = new Random(3);
          int id = 0;
          for (int b = 0; b < 7; b++) {
            root.allocateNew();
            int n = 100 + b * 37;
            for (int i = 0; i < n; i++, id++) {
              ((BigIntVector) root.getVector("id")).setSafe(i, id);
              double x = r.nextGaussian();
              ((Float8Vector) root.getVector("x")).setSafe(i, x);
              int c = r.nextInt(words.length + 1);
              if (c == words.length) {
                ((IntVector) root.getVector("color")).setNull(i);
              } else {
                ((IntVector) root.getVector("color")).setSafe(i, c);
              }
              if (p == file) {
                rows.track(row("id", (long) id, "x", x, "color", c == words.length ? null : words[c]));
              }
            }
            root.setRowCount(n);
            w.writeBatch();
          }
          w.end();
        }
      }
    }
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(file, out); // a gzipped Arrow file is read as the stream inside it
    }
    assertMatchesRows(rows, file);
    assertMatchesRows(rows, stream);
    assertMatchesRows(rows, gz);
    assertEquals("string", col(profile(file, 2), "color").summary().get("type"));
  }

  // ---- garbage and edge cases: typed errors naming the file and the place ----

  private static String failure(Path file) {
    IOException e = assertThrows(IOException.class, () -> profile(file, 2));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    return e.getMessage();
  }

  @Test
  void garbageAndEmptyInputsAreTypedErrorsNamingTheFile() throws IOException {
    byte[] noise = new byte[3000];
    new Random(1).nextBytes(noise);
    for (String name : List.of("noise.parquet", "noise.arrow", "noise.arrows")) {
      Path p = dir.resolve(name);
      Files.write(p, noise);
      IOException e = assertThrows(DataFormatException.class, () -> profile(p, 2), name);
      assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }
    for (String name : List.of("empty.parquet", "empty.arrow", "empty.jsonl", "empty.csv")) {
      Path p = dir.resolve(name);
      Files.write(p, new byte[0]);
      assertThrows(DataFormatException.class, () -> profile(p, 2), name);
      assertTrue(failure(p).contains("empty"), name);
    }
    Path missing = dir.resolve("missing.parquet");
    assertThrows(NoSuchFileException.class, () -> profile(missing, 2));
    Path gz = dir.resolve("t.parquet.gz");
    Files.write(gz, noise);
    assertTrue(failure(gz).contains("cannot be gzipped"));
    Path notGz = dir.resolve("t.jsonl.gz");
    Files.writeString(notGz, "{\"a\":1}\n");
    assertTrue(failure(notGz).contains("not gzip-compressed"));
  }

  @Test
  void truncatedParquetAndArrowAreTypedErrors() throws IOException {
    TestFiles.Table t = TestFiles.table(5, 3000, 50);
    Path pq = TestFiles.parquet(dir.resolve("t.parquet"), t, CompressionCodecName.SNAPPY);
    Path arrow = TestFiles.arrowFile(dir.resolve("t.arrow"), t, 500);
    for (Path p : List.of(pq, arrow)) {
      byte[] all = Files.readAllBytes(p);
      for (int cut : new int[] {7, all.length / 3, all.length / 2, all.length - 5}) {
        Path c = dir.resolve("cut-" + cut + "-" + p.getFileName());
        Files.write(c, java.util.Arrays.copyOf(all, cut));
        assertThrows(DataFormatException.class, () -> profile(c, 2), c.toString());
      }
      // damaged bytes in the middle: an error or a profile, never a crash of another kind
      byte[] damaged = all.clone();
      for (int i = all.length / 4; i < all.length / 4 + 64; i++) {
        damaged[i] ^= 0x5a;
      }
      Path d = dir.resolve("damaged-" + p.getFileName());
      Files.write(d, damaged);
      try {
        profile(d, 2);
      } catch (DataFormatException expected) {
        assertTrue(expected.getMessage().startsWith(d.toString()), expected.getMessage());
      }
    }
  }

  @Test
  void badJsonLinesNameTheLine() throws IOException {
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3,,}\n");
    assertTrue(failure(bad).contains("line 3"), failure(bad));
    Path array = dir.resolve("array.json");
    Files.writeString(array, "[{\"a\": 1}, {\"a\": 2}]\n");
    assertTrue(failure(array).contains("line 1: expected a JSON object, found an array"), failure(array));
    Path two = dir.resolve("two.jsonl");
    Files.writeString(two, "{\"a\": 1} {\"a\": 2}\n");
    assertTrue(failure(two).contains("more than one JSON value"), failure(two));
    Path utf = dir.resolve("latin1.jsonl");
    Files.write(utf, "{\"a\": \"ok\"}\n{\"a\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    String m = failure(utf);
    assertTrue(m.contains("line 2") && m.contains("UTF-8"), m);
  }

  @Test
  void csvWithBadUtf8IsAnErrorNotReplacementCharacters() throws IOException {
    Path csv = dir.resolve("latin1.csv");
    Files.write(csv, "name,n\nAda,1\ncaf\u00e9,2\n".getBytes(StandardCharsets.ISO_8859_1));
    String m = failure(csv);
    assertTrue(m.contains("not valid UTF-8") && m.contains("iconv"), m);
    Path bom = dir.resolve("bom.csv");
    Files.write(bom, "\uFEFFa,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("a", "b"), List.copyOf(profile(bom, 2).columns().keySet()));
  }

  @Test
  void hugeFieldsAreBoundedErrors() throws IOException {
    Path csv = dir.resolve("huge.csv");
    Files.writeString(csv, "a,b\n1,\"" + "x".repeat(20 << 20) + "\n");
    assertTrue(failure(csv).contains("malformed CSV"), failure(csv));
    Path json = dir.resolve("huge.jsonl");
    Files.writeString(json, "{\"a\": \"" + "x".repeat(21_000_000) + "\"}\n");
    assertTrue(failure(json).contains("line 1"), failure(json));
  }

  @Test
  void formatsAreDetectedByNameAndOverridable() throws IOException {
    assertEquals(Format.PARQUET, Format.detect(Path.of("a.PARQUET")));
    assertEquals(Format.JSONL, Format.detect(Path.of("x/a.ndjson.gz")));
    assertEquals(Format.TSV, Format.detect(Path.of("a.tab.gz")));
    assertEquals(Format.ARROW, Format.detect(Path.of("a.feather")));
    assertEquals(Format.CSV, Format.detect(Path.of("a.txt")));
    assertEquals(Format.JSONL, Format.of("json"));
    assertThrows(IllegalArgumentException.class, () -> Format.of("xml"));
    Path odd = TestFiles.jsonl(dir.resolve("data.log"), TestFiles.table(1, 10, 3));
    ProfileView v = FileProfiler.builder().format(Format.JSONL).build().profile(odd);
    assertEquals(10, col(v, "id").counts().n());
    Path tsv = dir.resolve("t.tsv");
    Files.writeString(tsv, "a\tb\n1\tx\n");
    assertEquals(List.of("a", "b"), List.copyOf(profile(tsv, 1).columns().keySet()));
  }

  @Test
  void severalFilesMergeIntoOneProfile() throws IOException {
    TestFiles.Table t = TestFiles.table(9, 700, 20);
    Path a = TestFiles.csv(dir.resolve("a.csv"), t);
    Path b = TestFiles.parquet(dir.resolve("b.parquet"), t, CompressionCodecName.UNCOMPRESSED);
    Progress progress = new Progress();
    ProfileView v = FileProfiler.builder().threads(2).progress(progress).build().profile(List.of(a, b));
    assertEquals(1400, col(v, "id").counts().n());
    assertEquals(1400, progress.rows());
    assertEquals(Files.size(a) + Files.size(b), progress.totalBytes());
    assertTrue(progress.bytesDone() > Files.size(a), "bytes done " + progress.bytesDone());
  }
}
