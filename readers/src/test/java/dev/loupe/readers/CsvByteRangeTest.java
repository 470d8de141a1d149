package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte path for quote-free CSV ranges ({@link CsvByteRange}) builds the very profile FastCSV's
 * range path builds (the serialized views are equal byte for byte, which needs every sketch to
 * have seen the same updates in the same order), on generated files with empty cells, CRLF and
 * lone CR line breaks, empty lines, no final line break, unicode, a byte-order mark, off-type
 * cells, times, huge and negative integers, plain and exponent decimals; and what it cannot take
 * it hands back as {@link CsvRanges.Unsplittable}, as the FastCSV range path does.
 */
class CsvByteRangeTest {
  private static final ProfileProperties PROPS = ProfileProperties.EMPTY;
  private static final int SAMPLE = 20;

  @TempDir
  Path dir;

  @Test
  void bytePathProfileEqualsFastCsvRangeProfileByteForByte() {
    qt().withExamples(Math.max(40, ThreadsMatchOneThreadTest.cases() / 3)).withShrinkCycles(5)
        .forAll(longs().all(), integers().between(0, 3000), integers().between(1, 1500))
        .checkAssert((seed, rows, batch) -> {
          try {
            Path file = Files.write(dir.resolve("g.csv"), generate(new Random(seed), rows));
            assertSameProfile(file, batch, "seed " + seed + ", " + rows + " rows, batch " + batch);
            Files.delete(file);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  @Test
  void edgeCasesProfileAlike() throws IOException {
    String[] files = {
        "a,b\n1,x\n2,y", // no final line break
        "a,b\r\n1,x\r\n\r\n2,y\r\n", // CRLF and an empty line
        "a,b\r1,x\r2,y\r", // old Mac line breaks
        "\uFEFFa,b\n1,\uFEFFx\n,\n3,z\n", // a byte-order mark at the start (dropped) and inside (text)
        "a,b\n9223372036854775807,1e308\n-9223372036854775808,-0.0\n9223372036854775808,1E-5\n-1,.5\n+7,5.\n",
        "a,b\n2024-02-29,2023-01-01T10:00:00.123456+05:30\n2023-02-29,2023-01-01 23:59Z\n,x\n",
        "a,b\nTRUE,nan\nfalse,-Infinity\nyes,inf\n,NaN\n",
        "a\n\n1\n\n\n2\n", // one column: empty lines are skipped, never nulls
        "a,b\n\u00e9t\u00e9,\u65e5\u672c\n1,\ud83d\ude00\n\u0661,2\n", // unicode text, an Arabic-Indic digit
    };
    String longHeader = "\uFEFF" + "h".repeat(1_200_000) + ",b\n1,x\n2,\uFEFFy\n"; // longer than a read block
    for (String f : java.util.stream.Stream.concat(Arrays.stream(files), java.util.stream.Stream.of(longHeader))
        .toList()) {
      Path file = Files.writeString(dir.resolve("e.csv"), f, StandardCharsets.UTF_8);
      String what = f.length() > 100 ? f.substring(0, 20) + "..." : f;
      assertSameProfile(file, 2, what);
      assertSameProfile(file, 1000, what);
    }
  }

  @Test
  void whatFastCsvRefusesTheBytePathRefusesToo() throws IOException {
    String good = "a,b\n" + "1,2\n".repeat(SAMPLE + 5); // the sample's rows are fine: the ranges see the bad ones
    String[] bad = {good + "3\n", good + "3,4,5\n"};
    for (String f : bad) {
      Path file = Files.writeString(dir.resolve("bad.csv"), f, StandardCharsets.UTF_8);
      assertThrows(CsvRanges.Unsplittable.class, () -> bytePath(file, 10), f);
      assertThrows(CsvRanges.Unsplittable.class, () -> fastCsvPath(file, 10), f);
    }
    Path latin1 = Files.write(dir.resolve("latin1.csv"), ("a,b\n" + "1,2\n".repeat(40_000) + "1,caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
    assertThrows(CsvRanges.Unsplittable.class, () -> bytePath(latin1, 10));
    assertThrows(CsvRanges.Unsplittable.class, () -> fastCsvPath(latin1, 10));
  }

  @Test
  void aWholeFileInRangesTakesTheBytePathAndCountsEveryRow() throws IOException {
    StringBuilder b = new StringBuilder("t,n,s\n");
    for (int i = 0; i < 20_000; i++) {
      b.append("2001-01-0").append(1 + i % 9).append(" 00:0").append(i % 10).append(":00,")
          .append(i % 97 - 40).append(',').append("code").append(i % 31).append(i % 3 == 0 ? "\r\n" : "\n");
    }
    Path file = Files.writeString(dir.resolve("w.csv"), b, StandardCharsets.UTF_8);
    ProfileView ranges = CsvReader.builder().batchSize(700).minRangeBytes(20_000).build().profile(file, 3, PROPS, null);
    ProfileView one = CsvReader.builder().batchSize(700).build().profile(file, 1, PROPS, null);
    dev.loupe.core.Approx.assertColumnsOfViewsClose(one, ranges, "byte path in ranges");
    assertEquals(20_000, ranges.column("n").orElseThrow().counts().n());
    assertTrue(ranges.isTime("t"));
  }

  @Test
  void quotesInTheLastRangeOnlySendThatRangeThroughFastCsv() throws IOException {
    StringBuilder b = new StringBuilder("n,s\n");
    for (int i = 0; i < 20_000; i++) {
      b.append(i % 101).append(',').append(i > 19_990 ? "\"a, quoted\nline\"" : "w" + (i % 7)).append('\n');
    }
    Path file = Files.writeString(dir.resolve("q.csv"), b, StandardCharsets.UTF_8);
    ProfileView ranges = CsvReader.builder().batchSize(500).minRangeBytes(20_000).build().profile(file, 3, PROPS, null);
    ProfileView one = CsvReader.builder().batchSize(500).build().profile(file, 1, PROPS, null);
    dev.loupe.core.Approx.assertColumnsOfViewsClose(one, ranges, "quotes at the end");
    assertEquals(20_000, ranges.column("s").orElseThrow().counts().n());
    assertEquals(one.columnSummary("s").get("frequent_items/frequent_strings"),
        ranges.columnSummary("s").get("frequent_items/frequent_strings"));
  }

  /**
   * Columns whose text cells hardly repeat (where core's UTF-8 path skips its distinct table for the
   * following chunks) with repeats around the 1-in-16 switch point, empty, long (> 256 bytes) and
   * non-ASCII cells, and an integer column whose off-type cells are mostly new text: both CSV paths
   * give the same bytes at batch sizes around the 1,024-value and 8,192-value chunk limits.
   */
  @Test
  void textThatHardlyRepeatsProfilesAlikeOnBothPaths() throws IOException {
    Random r = new Random(77);
    StringBuilder b = new StringBuilder("id,n,h\n");
    for (int i = 0; i < 40_000; i++) {
      int k = r.nextInt(100);
      String id = k < 6 ? "id" + r.nextInt(Math.max(1, i)) : k < 8 ? "" : k < 10 ? "\u00e9\u65e5" + i
          : k < 11 ? "L".repeat(300) + i : "id" + i;
      String n = r.nextInt(3) == 0 ? Integer.toString(r.nextInt(50)) : "t" + i;
      String h = Integer.toString(r.nextInt(4) == 0 ? r.nextInt(5000) : r.nextInt(3));
      b.append(id).append(',').append(n).append(',').append(h).append('\n');
    }
    Path file = Files.writeString(dir.resolve("ids.csv"), b, StandardCharsets.UTF_8);
    for (int batch : new int[] {1023, 1024, 1100, 8192, 9000, 40_000}) {
      assertSameProfile(file, batch, "batch " + batch);
    }
  }

  private void assertSameProfile(Path file, int batch, String what) throws IOException {
    ProfileView b = bytePath(file, batch);
    ProfileView f = fastCsvPath(file, batch);
    assertEquals(f.columns().keySet(), b.columns().keySet(), what);
    for (String c : f.columns().keySet()) {
      assertEquals(f.columnSummary(c), b.columnSummary(c), what + ", column " + c);
      assertArrayEquals(ProfileView.of(PROPS, java.util.Map.of(c, f.columns().get(c))).toBytes(),
          ProfileView.of(PROPS, java.util.Map.of(c, b.columns().get(c))).toBytes(), what + ", column " + c);
    }
    assertArrayEquals(f.toBytes(), b.toBytes(), what);
  }

  private static ProfileView bytePath(Path file, int batch) throws IOException {
    return run(file, batch, true);
  }

  private static ProfileView fastCsvPath(Path file, int batch) throws IOException {
    return run(file, batch, false);
  }

  /** The whole file as one range (the first: it holds the header), through one path or the other. */
  private static ProfileView run(Path file, int batch, boolean bytes) throws IOException {
    seedKllCompactions();
    DatasetProfile profile = new DatasetProfile(PROPS);
    try (RootAllocator allocator = new RootAllocator();
         FileChannel ch = FileChannel.open(file)) {
      List<String> names;
      ColumnType[] types;
      try (CsvBatchReader reader = CsvBatchReader.open(file, ',', '"', SAMPLE, batch, allocator)) {
        names = reader.names();
        types = reader.types();
      }
      if (bytes) {
        new CsvByteRange(names, types, ',', batch).profile(ch, 0, ch.size(), true, profile, null, () -> false);
      } else {
        try (CsvBatch b = new CsvBatch(names, types, allocator, batch)) {
          CsvRanges.profileRange(ch, 0, ch.size(), true, ',', '"', names.size(), b, batch, profile, null, () -> false);
        }
      }
    }
    return profile.view();
  }

  /**
   * KLL picks which half of a level to keep at random (one static {@link java.util.Random} in
   * DataSketches): seeding it before each run makes the two paths' sketches comparable byte for
   * byte, so that equal bytes mean equal update sequences.
   */
  private static void seedKllCompactions() {
    try {
      java.lang.reflect.Field f = org.apache.datasketches.kll.KllSketch.class.getDeclaredField("random");
      f.setAccessible(true);
      ((java.util.Random) f.get(null)).setSeed(15);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("DataSketches' KLL has no static Random to seed any more: compare otherwise", e);
    }
  }

  // ---- generated files ----

  private static final String[] WORDS = {"LAS", "PHL", "caf\u00e9", "\u65e5\u672c\u8a9e", "\ud83d\ude00", "a b", "x",
      "TRUE", "12", "-3.5", "2020-01-01", "nan", "\u0661\u0662"};

  /** A header and {@code rows} rows of seven columns, each mostly of one kind with odd cells mixed in. */
  static byte[] generate(Random r, int rows) {
    StringBuilder b = new StringBuilder("int,dbl,bool,time,str,undecided,hi\n");
    String[] breaks = {"\n", "\r\n", "\r"};
    String lineBreak = breaks[r.nextInt(3)];
    boolean mixedBreaks = r.nextInt(4) == 0;
    boolean emptyLines = r.nextBoolean();
    int distinct = 1 + r.nextInt(r.nextBoolean() ? 20 : 5000);
    String time = "";
    for (int i = 0; i < rows; i++) {
      time = r.nextBoolean() ? time : timeCell(r); // times often repeat the row before
      String[] cells = {
          intCell(r), doubleCell(r), boolCell(r), time,
          r.nextInt(10) == 0 ? "" : r.nextInt(5) == 0 ? WORDS[r.nextInt(WORDS.length)] : "s" + r.nextInt(distinct),
          i < SAMPLE + 3 || r.nextInt(3) == 0 ? "" : WORDS[r.nextInt(WORDS.length)],
          r.nextInt(50) == 0 ? "x" : Long.toString(r.nextLong()),
      };
      b.append(String.join(",", cells));
      if (i < rows - 1 || r.nextBoolean()) {
        b.append(mixedBreaks ? breaks[r.nextInt(3)] : lineBreak);
      }
      if (emptyLines && r.nextInt(40) == 0) {
        b.append(lineBreak.equals("\r") ? "\r" : "\n");
      }
    }
    byte[] text = b.toString().getBytes(StandardCharsets.UTF_8);
    if (r.nextInt(5) == 0) {
      byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
      byte[] out = Arrays.copyOf(bom, 3 + text.length);
      System.arraycopy(text, 0, out, 3, text.length);
      return out;
    }
    return text;
  }

  private static String intCell(Random r) {
    return switch (r.nextInt(30)) {
      case 0 -> "";
      case 1 -> Long.toString(Long.MAX_VALUE - r.nextInt(3));
      case 2 -> Long.toString(Long.MIN_VALUE + r.nextInt(3));
      case 3 -> "99999999999999999999"; // beyond 64 bits: a double, off-type
      case 4 -> "+" + r.nextInt(1000);
      case 5 -> WORDS[r.nextInt(WORDS.length)];
      case 6 -> "1.5";
      default -> Integer.toString(r.nextInt(2000) - 1000);
    };
  }

  private static String doubleCell(Random r) {
    return switch (r.nextInt(30)) {
      case 0 -> "";
      case 1 -> r.nextInt(100) + "e" + (r.nextInt(40) - 20);
      case 2 -> "-" + r.nextInt(10) + "." + r.nextInt(1000) + "E+" + r.nextInt(300);
      case 3 -> "0.1234567890123456789"; // more digits than the fast path takes
      case 4 -> r.nextBoolean() ? "nan" : "-inf";
      case 5 -> WORDS[r.nextInt(WORDS.length)];
      case 6 -> Integer.toString(r.nextInt(100));
      default -> Double.toString(r.nextGaussian() * 1000);
    };
  }

  private static String boolCell(Random r) {
    return switch (r.nextInt(20)) {
      case 0 -> "";
      case 1 -> "7";
      case 2 -> "maybe";
      default -> r.nextBoolean() ? (r.nextBoolean() ? "true" : "False") : "FALSE";
    };
  }

  private static String timeCell(Random r) {
    String date = String.format("%04d-%02d-%02d", 1990 + r.nextInt(40), 1 + r.nextInt(12), 1 + r.nextInt(28));
    return switch (r.nextInt(20)) {
      case 0 -> "";
      case 1 -> date;
      case 2 -> date + "T12:34:56.789123Z";
      case 3 -> date + " 23:59-05:00";
      case 4 -> "2023-02-30"; // no such day: text
      case 5 -> "12";
      default -> date + " " + String.format("%02d:%02d:%02d", r.nextInt(24), r.nextInt(60), r.nextInt(60));
    };
  }
}
