package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.Approx;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet string columns are counted by dictionary id where their pages are dictionary-encoded
 * ({@link ParquetProfiler.StringCounts}) and copied value by value where they are plain; either
 * way, and in a chunk that falls back from the dictionary to plain pages part way, the profile is
 * the rows' profile (exact counts, types and HLL; frequent items within their bounds, see
 * {@link Approx}), top-level and inside a struct, with nulls, empty and non-ASCII strings.
 */
class ParquetStringsTest {
  @TempDir
  Path dir;

  private static final MessageType SCHEMA = Types.buildMessage()
      .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("s")
      .optionalGroup().optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("city")
      .named("g")
      .required(PrimitiveTypeName.INT64).named("n")
      .named("t");

  /** Row i: a low-cardinality word, then (past the first third) mostly unique ids, so a dictionary overflows. */
  private static String s(int i, Random r) {
    return switch (r.nextInt(10)) {
      case 0 -> null;
      case 1 -> "";
      case 2 -> "日本-" + r.nextInt(5);
      default -> i < 7000 || r.nextBoolean() ? "w" + r.nextInt(40) : "id-" + i;
    };
  }

  private Path write(String name, ParquetProperties.WriterVersion version, int rows, long seed, boolean dictionary,
      int dictionaryPageSize, DatasetProfile expected) throws IOException {
    Path file = dir.resolve(version + "-" + name);
    Random r = new Random(seed);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(SCHEMA).withConf(new PlainParquetConfiguration()).withRowGroupSize(64 * 1024L)
        .withPageSize(2048).withWriterVersion(version).withDictionaryEncoding(dictionary).withDictionaryPageSize(dictionaryPageSize).build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
      Map<String, Object> row = new HashMap<>();
      for (int i = 0; i < rows; i++) {
        Group g = f.newGroup();
        String s = s(i, r);
        String city = r.nextInt(7) == 0 ? null : "c" + r.nextInt(i < rows / 2 ? 3 : 3000);
        row.put("s", s);
        row.put("g.city", city);
        row.put("n", (long) i);
        if (s != null) {
          g.append("s", s);
        }
        Group sub = g.addGroup("g");
        if (city != null) {
          sub.append("city", city);
        }
        g.append("n", (long) i);
        w.write(g);
        expected.track(row);
      }
    }
    return file;
  }

  /** The data encodings of every chunk of column {@code path} in the file. */
  private static Set<Encoding> encodings(Path file, String path) throws IOException {
    Set<Encoding> out = new java.util.HashSet<>();
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      for (BlockMetaData b : r.getFooter().getBlocks()) {
        for (ColumnChunkMetaData c : b.getColumns()) {
          if (c.getPath().toDotString().equals(path)) {
            out.addAll(c.getEncodings());
          }
        }
      }
    }
    return out;
  }

  @Test
  void dictionaryPlainAndFallbackChunksGiveTheRowsProfile() throws IOException {
    FileProfiler one = FileProfiler.builder().threads(1).build();
    FileProfiler two = FileProfiler.builder().threads(2).build();
    int rows = 20_000;
    Object[][] cases = {{"dictionary.parquet", true, 1 << 20}, {"plain.parquet", false, 1 << 20},
        {"fallback.parquet", true, 1024}};
    // v1 pages (parquet-mr names BIT_PACKED levels): Parquet's column reader; v2 pages: IntPages.readStrings
    for (ParquetProperties.WriterVersion version : ParquetProperties.WriterVersion.values()) {
    for (Object[] c : cases) {
      String name = version + "-" + c[0];
      DatasetProfile rowsProfile = new DatasetProfile();
      Path file = write((String) c[0], version, rows, name.length(), (Boolean) c[1], (Integer) c[2], rowsProfile);
      // (v2 writes strings without a dictionary in DELTA_BYTE_ARRAY, which the column reader reads)
      boolean bulk = version == ParquetProperties.WriterVersion.PARQUET_2_0 && c[0].equals("dictionary.parquet");
      assertEquals(bulk, bulk(file, "s"), name);
      assertEquals(bulk, bulk(file, "g.city"), name);
      ProfileView expected = rowsProfile.view();
      Set<Encoding> enc = encodings(file, "s");
      switch ((String) c[0]) {
        case "dictionary.parquet" -> assertTrue(enc.contains(Encoding.RLE_DICTIONARY) || enc.contains(
            Encoding.PLAIN_DICTIONARY), name + " " + enc);
        case "plain.parquet" -> assertTrue(!enc.contains(Encoding.RLE_DICTIONARY)
            && !enc.contains(Encoding.PLAIN_DICTIONARY), name + " " + enc);
        default -> assertTrue((enc.contains(Encoding.RLE_DICTIONARY) || enc.contains(Encoding.PLAIN_DICTIONARY))
            && enc.contains(Encoding.PLAIN), "a chunk that falls back has both: " + enc);
      }
      for (FileProfiler p : new FileProfiler[] {one, two}) {
        ProfileView v = p.profile(file);
        Approx.assertColumnsOfViewsClose(expected, v, name);
        assertEquals(rows, v.column("s").orElseThrow().counts().n(), name);
        assertEquals(expected.column("s").orElseThrow().counts(), v.column("s").orElseThrow().counts(), name);
        assertEquals(expected.column("s").orElseThrow().types(), v.column("s").orElseThrow().types(), name);
        assertEquals(expected.column("g.city").orElseThrow().counts(), v.column("g.city").orElseThrow().counts(),
            name);
      }
    }
    }
  }

  /**
   * A required string column of v1 pages whose dictionary overflows, so its chunks hold dictionary and
   * plain pages: {@link IntPages#readStrings} reads both (ids counted, plain values copied), and the
   * profile is the rows' profile.
   */
  @Test
  void bulkReadChunksWithDictionaryAndPlainPagesGiveTheRowsProfile() throws IOException {
    MessageType schema = Types.buildMessage()
        .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("s").named("t");
    Path file = dir.resolve("required-fallback.parquet");
    DatasetProfile rowsProfile = new DatasetProfile();
    Random r = new Random(7);
    int rows = 20_000;
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(schema).withConf(new PlainParquetConfiguration()).withRowGroupSize(64 * 1024L)
        .withPageSize(2048).withDictionaryPageSize(1024).build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (int i = 0; i < rows; i++) {
        String s = i < 7000 || r.nextBoolean() ? "w" + r.nextInt(40) : "id-" + i + (i % 3 == 0 ? "-日本" : "");
        w.write(f.newGroup().append("s", s));
        rowsProfile.track(Map.of("s", s));
      }
    }
    Set<Encoding> enc = encodings(file, "s");
    assertTrue(enc.contains(Encoding.PLAIN) && (enc.contains(Encoding.PLAIN_DICTIONARY)
        || enc.contains(Encoding.RLE_DICTIONARY)), "dictionary and plain pages: " + enc);
    assertTrue(bulk(file, "s"));
    ProfileView expected = rowsProfile.view();
    for (int threads : new int[] {1, 2}) {
      ProfileView v = FileProfiler.builder().threads(threads).build().profile(file);
      Approx.assertColumnsOfViewsClose(expected, v, "required-fallback");
      assertEquals(expected.column("s").orElseThrow().counts(), v.column("s").orElseThrow().counts());
      assertEquals(expected.column("s").orElseThrow().types(), v.column("s").orElseThrow().types());
    }
  }

  /** Whether every chunk of column {@code path} is read by {@link IntPages#readStrings}. */
  private static boolean bulk(Path file, String path) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      org.apache.parquet.column.ColumnDescriptor leaf =
          r.getFooter().getFileMetaData().getSchema().getColumnDescription(path.split("\\."));
      boolean all = true;
      for (BlockMetaData b : r.getFooter().getBlocks()) {
        for (ColumnChunkMetaData c : b.getColumns()) {
          if (c.getPath().toDotString().equals(path)) {
            all &= IntPages.appliesToStrings(c, leaf);
          }
        }
      }
      return all;
    }
  }
}
