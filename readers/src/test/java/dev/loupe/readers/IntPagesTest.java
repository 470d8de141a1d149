package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.Approx;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
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
 * {@link IntPages}, the bulk decoder of flat integer, date and timestamp chunks: its RLE/bit-packing
 * hybrid decoder gives back what Parquet's own encoder wrote (every bit width, runs of every
 * kind), and files whose chunks it reads (dictionary pages, plain pages, a dictionary that
 * overflows into plain pages part way; v1 and v2 pages; nulls at two nesting depths) profile as
 * their rows do.
 */
class IntPagesTest {
  @TempDir
  Path dir;

  @Test
  void hybridDecoderReadsWhatParquetsEncoderWrote() throws IOException {
    Random r = new Random(3);
    IntPages.Hybrid h = new IntPages.Hybrid();
    for (int width = 0; width <= 32; width++) {
      for (int round = 0; round < 6; round++) {
        int n = 1 + r.nextInt(round == 0 ? 20 : 5000);
        int[] values = new int[n];
        long bound = width == 0 ? 1 : 1L << width;
        for (int i = 0; i < n; ) {
          int run = r.nextInt(3) == 0 ? 1 + r.nextInt(40) : 1; // repeats make RLE runs, the rest bit-packed groups
          int v = (int) (r.nextLong() & (bound - 1));
          for (int k = 0; k < run && i < n; k++) {
            values[i++] = v;
          }
        }
        RunLengthBitPackingHybridEncoder enc = new RunLengthBitPackingHybridEncoder(width, 64, 1 << 20,
            HeapByteBufferAllocator.getInstance());
        for (int v : values) {
          enc.writeInt(v);
        }
        byte[] bytes = enc.toBytes().toByteArray();
        // at an offset inside a larger buffer, read in uneven pieces
        byte[] buf = new byte[bytes.length + 5];
        System.arraycopy(bytes, 0, buf, 3, bytes.length);
        h.reset(buf, 3, 3 + bytes.length, width);
        int[] out = new int[n];
        for (int done = 0; done < n; ) {
          int piece = Math.min(n - done, 1 + r.nextInt(700));
          int[] part = new int[piece];
          h.read(part, piece);
          System.arraycopy(part, 0, out, done, piece);
          done += piece;
        }
        assertArrayEquals(values, out, "width " + width + ", " + n + " values");
      }
    }
  }

  private static final MessageType SCHEMA = Types.buildMessage()
      .optional(PrimitiveTypeName.INT64).named("i64")
      .optional(PrimitiveTypeName.INT32).named("i32")
      .required(PrimitiveTypeName.INT64).named("req")
      .optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(32, false)).named("u32")
      .optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.dateType()).named("day")
      .optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS)).named("ms")
      .optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.MICROS)).named("us")
      .optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.NANOS)).named("ns")
      .optionalGroup().optional(PrimitiveTypeName.INT64).named("x").named("g")
      .named("t");

  private Path write(String name, ParquetProperties.WriterVersion version, int dictionaryPageSize, int rows,
      DatasetProfile expected) throws IOException {
    Path file = dir.resolve(name);
    Random r = new Random(name.hashCode());
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(SCHEMA).withConf(new PlainParquetConfiguration()).withWriterVersion(version)
        .withRowGroupSize(256 * 1024L).withPageSize(4096).withDictionaryPageSize(dictionaryPageSize).build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
      for (int i = 0; i < rows; i++) {
        Group g = f.newGroup();
        Map<String, Object> row = new HashMap<>();
        for (String col : new String[] {"i64", "i32", "req", "u32", "day", "ms", "us", "ns", "g.x"}) {
          row.put(col, null); // a value missing from the file is a null in its column
        }
        // few distinct values first, many later: a small dictionary overflows into plain pages
        long wide = i < rows / 3 ? r.nextInt(50) - 25 : r.nextLong() >> r.nextInt(64);
        if (r.nextInt(8) != 0) {
          g.append("i64", wide);
          row.put("i64", wide);
        }
        if (r.nextInt(5) != 0) {
          int v = i < rows / 2 ? r.nextInt(7) : r.nextInt();
          g.append("i32", v);
          row.put("i32", (long) v);
        }
        long req = i < rows / 2 ? i % 20 : i; // 20 values in a dictionary, then too many: plain pages
        g.append("req", req);
        row.put("req", req);
        if (r.nextInt(6) != 0) {
          int v = r.nextInt(3) == 0 ? -1 - r.nextInt(100) : r.nextInt(1000); // negative: above 2^31 unsigned
          g.append("u32", v);
          row.put("u32", v & 0xffffffffL);
        }
        if (r.nextInt(9) != 0) {
          int day = -800 + r.nextInt(30_000);
          g.append("day", day);
          row.put("day", Instant.ofEpochMilli(day * 86_400_000L));
        }
        long ms = (i < rows / 2 ? 1_700_000_000_000L : -5_000_000_000L) + r.nextInt(100_000) * 1001L;
        if (r.nextInt(7) != 0) {
          g.append("ms", ms);
          row.put("ms", Instant.ofEpochMilli(ms));
        }
        if (r.nextInt(7) != 0) {
          long us = ms * 1000 + r.nextInt(1000) - 500; // negative sub-millisecond parts floor
          g.append("us", us);
          row.put("us", Instant.ofEpochMilli(Math.floorDiv(us, 1000L)));
        }
        if (r.nextInt(7) != 0) {
          long ns = ms * 1_000_000 + r.nextInt(2_000_000) - 1_000_000;
          g.append("ns", ns);
          row.put("ns", Instant.ofEpochMilli(Math.floorDiv(ns, 1_000_000L)));
        }
        int gx = r.nextInt(10);
        Group sub = gx == 0 ? null : g.addGroup("g"); // no group, an empty group or a value: two depths of null
        if (sub != null && gx > 2) {
          sub.append("x", (long) gx * 11);
          row.put("g.x", (long) gx * 11);
        }
        w.write(g);
        expected.track(row);
      }
    }
    return file;
  }

  private static int blocks(Path file) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      return r.getFooter().getBlocks().size();
    }
  }

  private static java.util.Set<org.apache.parquet.column.Encoding> encodings(Path file, String column)
      throws IOException {
    java.util.Set<org.apache.parquet.column.Encoding> out = new java.util.HashSet<>();
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      for (BlockMetaData b : r.getFooter().getBlocks()) {
        for (ColumnChunkMetaData c : b.getColumns()) {
          if (c.getPath().toDotString().equals(column)) {
            out.addAll(c.getEncodings());
          }
        }
      }
    }
    return out;
  }

  /** Damaged pages (uncompressed, so the bytes reach the decoder): a profile or a typed error naming the file. */
  @Test
  void damagedPagesAreAProfileOrATypedErrorNeverAnotherFailure() throws IOException {
    Path file = write("fuzz.parquet", ParquetProperties.WriterVersion.PARQUET_2_0, 1 << 20, 3000, new DatasetProfile());
    byte[] all = java.nio.file.Files.readAllBytes(file);
    Random r = new Random(11);
    int errors = 0;
    for (int k = 0; k < 60; k++) {
      byte[] damaged = all.clone();
      int at = 4 + r.nextInt(all.length * 3 / 4); // the pages, before the footer
      for (int i = at; i < Math.min(all.length - 8, at + 1 + r.nextInt(6)); i++) {
        damaged[i] = (byte) r.nextInt(256);
      }
      Path d = java.nio.file.Files.write(dir.resolve("damaged-" + k + ".parquet"), damaged);
      try {
        FileProfiler.builder().threads(1).build().profile(d);
      } catch (DataFormatException expected) {
        assertTrue(expected.getMessage().startsWith(d.toString()), expected.getMessage());
        errors++;
      }
    }
    assertTrue(errors > 0, "some damage is detected");
  }

  /** How many of the file's chunks IntPages reads itself. */
  private static int chunksRead(Path file) throws IOException {
    int n = 0;
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      MessageType schema = r.getFooter().getFileMetaData().getSchema();
      for (BlockMetaData b : r.getFooter().getBlocks()) {
        for (ColumnChunkMetaData c : b.getColumns()) {
          if (IntPages.applies(c, schema.getColumnDescription(c.getPath().toArray()))) {
            n++;
          }
        }
      }
    }
    return n;
  }

  @Test
  void filesWhoseChunksItReadsProfileAsTheirRows() throws IOException {
    int rows = 30_000;
    Object[][] cases = {
        {"v2-dictionary.parquet", ParquetProperties.WriterVersion.PARQUET_2_0, 1 << 20},
        {"v2-fallback.parquet", ParquetProperties.WriterVersion.PARQUET_2_0, 512},
        {"v1.parquet", ParquetProperties.WriterVersion.PARQUET_1_0, 1024}};
    for (Object[] c : cases) {
      String name = (String) c[0];
      DatasetProfile rowsProfile = new DatasetProfile();
      Path file = write(name, (ParquetProperties.WriterVersion) c[1], (Integer) c[2], rows, rowsProfile);
      int read = chunksRead(file);
      switch (name) {
        case "v2-dictionary.parquet" -> assertTrue(read >= 9, name + ": every chunk is dictionary-encoded: " + read);
        // parquet-mr's v2 pages fall back to DELTA_BINARY_PACKED, which the column reader decodes
        case "v2-fallback.parquet" -> assertTrue(read >= 2 && read < 9 * blocks(file), name + ": " + read);
        // v1 pages: only the required column (no levels); its dictionary overflows into PLAIN pages
        default -> {
          assertEquals(blocks(file), read, name);
          assertTrue(encodings(file, "req").containsAll(java.util.Set.of(
              org.apache.parquet.column.Encoding.PLAIN_DICTIONARY, org.apache.parquet.column.Encoding.PLAIN)),
              "req: " + encodings(file, "req"));
        }
      }
      ProfileView expected = rowsProfile.view();
      for (int threads : new int[] {1, 2}) {
        ProfileView v = FileProfiler.builder().threads(threads).build().profile(file);
        Approx.assertColumnsOfViewsClose(expected, v, name + ", " + threads + " threads");
        for (String col : new String[] {"day", "ms", "us", "ns"}) {
          assertTrue(v.isTime(col), name + ": " + col + " is time");
        }
        assertFalse(v.isTime("i64"));
      }
    }
  }
}
