package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileProfiler#warmUp}, which a command line runs on a second thread while it parses its
 * arguments: for a Parquet file it reads the first {@value ParquetProfiler#WARM_UP_ROWS} rows of each
 * column of the first row group, through every column path (bulk integer pages, dictionary strings,
 * the column reader), and no more; it stops when told; it never throws for a file that is missing or
 * not Parquet; and profiling while it runs gives the profile profiling alone gives.
 */
class ParquetWarmUpTest {
  @TempDir
  Path dir;

  // id: bulk int pages (required int64); n: optional int64 (v1 pages: the column reader); x, b: the
  // column reader; s: dictionary strings; t: a timestamp through the bulk pages
  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
      "message t { required int64 id; optional int64 n; optional double x; optional binary s (STRING);"
          + " optional boolean b; required int64 t (TIMESTAMP(MILLIS,true)); }");

  /** One row group (the default size) of {@code rows} rows in small pages, so a limit falls inside a page run. */
  private Path file(int rows, ParquetProperties.WriterVersion version) throws IOException {
    Path f = dir.resolve("w-" + rows + "-" + version + ".parquet");
    Random r = new Random(rows);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(f))
        .withType(SCHEMA).withConf(new PlainParquetConfiguration()).withWriterVersion(version)
        .withCompressionCodec(CompressionCodecName.SNAPPY).withPageSize(512).withDictionaryPageSize(4096).build()) {
      SimpleGroupFactory g = new SimpleGroupFactory(SCHEMA);
      for (int i = 0; i < rows; i++) {
        Group row = g.newGroup().append("id", (long) i).append("t", 1_700_000_000_000L + i * 1000L);
        if (i % 7 != 0) {
          row.append("n", (long) r.nextInt(100));
        }
        if (i % 5 != 0) {
          row.append("x", r.nextGaussian());
        }
        if (i % 3 != 0) {
          row.append("s", "w" + r.nextInt(30));
        }
        if (i % 4 != 0) {
          row.append("b", r.nextBoolean());
        }
        w.write(row);
      }
    }
    return f;
  }

  @Test
  void warmUpReadsTheFirstRowsOfEachColumnAndNoMore() throws IOException {
    for (ParquetProperties.WriterVersion v : ParquetProperties.WriterVersion.values()) {
      Map<String, Long> counts = ParquetProfiler.warmUp(file(5000, v), () -> false).counts();
      assertEquals(Map.of("id", 1000L, "n", 1000L, "x", 1000L, "s", 1000L, "b", 1000L, "t", 1000L), counts,
          v.toString());
    }
  }

  @Test
  void warmUpOfASmallFileReadsItWhole() throws IOException {
    Map<String, Long> counts = ParquetProfiler.warmUp(file(300, ParquetProperties.WriterVersion.PARQUET_2_0),
        () -> false).counts();
    assertEquals(Map.of("id", 300L, "n", 300L, "x", 300L, "s", 300L, "b", 300L, "t", 300L), counts);
  }

  @Test
  void warmUpReadsNoRowsOnceStopped() throws IOException {
    DatasetProfile p = ParquetProfiler.warmUp(file(5000, ParquetProperties.WriterVersion.PARQUET_1_0), () -> true);
    assertEquals(Map.of("id", 0L, "n", 0L, "x", 0L, "s", 0L, "b", 0L, "t", 0L), p.counts());
  }

  @Test
  void warmUpOfAMissingOrMalformedFileReturnsQuietlyAndProfileStillSaysWhatIsWrong() throws IOException {
    Path missing = dir.resolve("missing.parquet");
    Path garbage = Files.write(dir.resolve("garbage.parquet"), "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
    Path empty = Files.write(dir.resolve("empty.parquet"), new byte[0]);
    Path directory = Files.createDirectory(dir.resolve("d.parquet"));
    FileProfiler profiler = FileProfiler.builder().build();
    profiler.warmUp(List.of(missing, garbage, empty, directory), () -> false);
    DataFormatException e = assertThrows(DataFormatException.class, () -> profiler.profile(garbage));
    assertTrue(e.getMessage().startsWith(garbage + ": not a Parquet file"), e.getMessage());
    assertThrows(java.nio.file.NoSuchFileException.class, () -> profiler.profile(missing));
  }

  @Test
  void profilingWhileAWarmUpRunsGivesTheProfileOfProfilingAlone() throws Exception {
    // under 1,000 rows, so every sketch is exact and the two summaries must be equal
    Path f = file(900, ParquetProperties.WriterVersion.PARQUET_2_0);
    FileProfiler profiler = FileProfiler.builder().threads(2).build();
    ProfileView alone = profiler.profile(f);
    for (int i = 0; i < 5; i++) {
      Thread warm = new Thread(() -> profiler.warmUp(List.of(f, f), () -> false));
      warm.start();
      ProfileView during = profiler.profile(f);
      warm.join();
      assertEquals(alone.summary(), during.summary());
    }
  }
}
