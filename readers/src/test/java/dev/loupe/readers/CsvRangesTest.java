package dev.loupe.readers;

import dev.loupe.core.Approx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV parsed in byte ranges on several threads ({@link CsvRanges}) equals the one-thread profile by
 * the merge laws; files it cannot split safely (quotes) or that are malformed go the one-parser way,
 * with the same results and messages.
 */
class CsvRangesTest {
  @TempDir
  Path dir;

  private static ProfileView profile(Path file, int threads, long minRange, int batch) throws IOException {
    return CsvReader.builder().batchSize(batch).minRangeBytes(minRange).build()
        .profile(file, threads, ProfileProperties.EMPTY, null);
  }

  @Test
  void rangesProfileEqualsOneThreadProfile() {
    qt().withExamples(Math.max(20, ThreadsMatchOneThreadTest.cases() / 5)).withShrinkCycles(10)
        .forAll(longs().all(), integers().between(1, 4000), integers().between(2, 4), integers().between(1, 20_000))
        .checkAssert((seed, rows, threads, minRange) -> {
          try {
            TestFiles.Table t = TestFiles.table(seed, rows, (int) Math.floorMod(seed, 3000L) + 1);
            Path file = TestFiles.csv(dir.resolve("r.csv"), t);
            int batch = 1 + (int) Math.floorMod(seed >>> 9, 2000L);
            ProfileView one = profile(file, 1, minRange, batch);
            ProfileView many = profile(file, threads, minRange, batch);
            Approx.assertColumnsOfViewsClose(one, many, rows + " rows, " + threads + " threads, min range " + minRange);
            Files.delete(file);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  @Test
  void cutsFallAfterLineBreaksAndCoverTheFile() throws IOException {
    StringBuilder b = new StringBuilder("a,b\n");
    for (int i = 0; i < 5000; i++) {
      b.append(i).append(',').append("x".repeat(i % 37)).append(i % 5 == 0 ? "\r\n" : "\n");
    }
    Path file = Files.writeString(dir.resolve("c.csv"), b, StandardCharsets.UTF_8);
    byte[] bytes = Files.readAllBytes(file);
    try (var ch = java.nio.channels.FileChannel.open(file)) {
      long[] cuts = CsvRanges.cuts(ch, bytes.length, 3, 1000);
      assertNotNull(cuts);
      assertEquals(0, cuts[0]);
      assertEquals(bytes.length, cuts[cuts.length - 1]);
      for (int i = 1; i < cuts.length - 1; i++) {
        assertTrue(cuts[i] > cuts[i - 1]);
        assertEquals('\n', bytes[(int) cuts[i] - 1]);
      }
      assertNull(CsvRanges.cuts(ch, bytes.length, 1, 1000), "one thread");
      assertNull(CsvRanges.cuts(ch, bytes.length, 4, bytes.length), "too small");
    }
    assertTrue(CsvRanges.contains(file, 0, bytes.length, (byte) 'x', 2));
    assertTrue(!CsvRanges.contains(file, 0, bytes.length, (byte) '"', 2));
  }

  @Test
  void quotedLineBreaksAreNotCutThrough() throws IOException {
    StringBuilder b = new StringBuilder("id,text\n");
    for (int i = 0; i < 3000; i++) {
      b.append(i).append(',').append(i % 7 == 0 ? "\"two\nlines, " + i + "\"" : "plain " + (i % 11)).append('\n');
    }
    Path file = Files.writeString(dir.resolve("q.csv"), b, StandardCharsets.UTF_8);
    ProfileView one = profile(file, 1, 100, 500);
    ProfileView many = profile(file, 3, 100, 500);
    Approx.assertColumnsOfViewsClose(one, many, "quoted line breaks");
    assertEquals(3000, many.column("text").orElseThrow().counts().n());
  }

  @Test
  void errorsKeepTheirLineNumbers() throws IOException {
    StringBuilder b = new StringBuilder("a,b\n");
    for (int i = 0; i < 3000; i++) {
      b.append(i).append(',').append(i).append(i == 2500 ? ",extra" : "").append('\n');
    }
    Path file = Files.writeString(dir.resolve("e.csv"), b, StandardCharsets.UTF_8);
    DataFormatException one = assertThrows(DataFormatException.class, () -> profile(file, 1, 100, 500));
    DataFormatException many = assertThrows(DataFormatException.class, () -> profile(file, 3, 100, 500));
    assertEquals(one.getMessage(), many.getMessage());
    assertTrue(many.getMessage().contains("line 2502"), many.getMessage());
  }

  @Test
  void aByteOrderMarkIsDroppedOnlyAtTheStart() throws IOException {
    StringBuilder b = new StringBuilder("\uFEFFname,n\n");
    for (int i = 0; i < 3000; i++) {
      b.append(i % 100 == 50 ? "\uFEFFbom" : "w" + (i % 13)).append(',').append(i).append('\n');
    }
    Path file = Files.writeString(dir.resolve("b.csv"), b, StandardCharsets.UTF_8);
    ProfileView one = profile(file, 1, 100, 300);
    ProfileView many = profile(file, 4, 100, 300);
    Approx.assertColumnsOfViewsClose(one, many, "byte-order marks");
    assertTrue(many.column("name").isPresent());
  }
}
