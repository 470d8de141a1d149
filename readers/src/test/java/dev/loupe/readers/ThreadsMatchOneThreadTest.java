package dev.loupe.readers;

import dev.loupe.core.Approx;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profiling a file on N threads equals profiling it on one, by the merge laws (see
 * {@link ViewAssert}): for every format, generated tables of up to 6,000 rows (enough for KLL
 * estimation mode, HLL mode and frequent-items error), small chunks and row groups so the threads
 * really split the work. Cases: {@code -Dloupe.props.cases} (300 by default).
 */
class ThreadsMatchOneThreadTest {
  @TempDir
  Path dir;

  static int cases() {
    return Integer.getInteger("loupe.props.cases", 300);
  }

  @Test
  void nThreadsProfileEqualsOneThreadProfileForEveryFormat() {
    qt().withExamples(cases()).withShrinkCycles(10)
        .forAll(longs().all(), integers().between(0, 6000), integers().between(2, 4), integers().between(0, 3))
        .checkAssert((seed, rows, threads, format) -> {
          try {
            check(seed, rows, threads, format);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private void check(long seed, int rows, int threads, int format) throws IOException {
    TestFiles.Table t = TestFiles.table(seed, rows, (int) Math.floorMod(seed, 5000L) + 1);
    int batch = 1 + (int) Math.floorMod(seed >>> 7, 3000L);
    Path file = switch (format) {
      case 0 -> TestFiles.csv(dir.resolve("t.csv"), t);
      case 1 -> TestFiles.jsonl(dir.resolve("t.jsonl.gz"), t);
      case 2 -> TestFiles.parquet(dir.resolve("t.parquet"), t, CompressionCodecName.SNAPPY);
      default -> TestFiles.arrowFile(dir.resolve("t.arrow"), t, batch);
    };
    if (rows == 0 && format == 1) {
      Files.delete(file); // an empty JSON lines file is an error; CSV, Parquet, Arrow name their columns
      return;
    }
    ProfileView one = FileProfiler.builder().threads(1).batchSize(batch).build().profile(file);
    ProfileView many = FileProfiler.builder().threads(threads).batchSize(batch).build().profile(file);
    Approx.assertColumnsOfViewsClose(one, many, file.getFileName() + ", " + rows + " rows, " + threads + " threads, batch "
        + batch);
    Files.delete(file);
  }
}
