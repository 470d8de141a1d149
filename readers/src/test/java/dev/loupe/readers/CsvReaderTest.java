package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import dev.loupe.core.metrics.IntsMetric;
import dev.loupe.core.metrics.TypesMetric;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private static ColumnView col(ProfileView v, String name) {
    return v.column(name).orElseThrow(() -> new AssertionError("no column " + name + " in " + v));
  }

  private static Map<String, Long> frequent(ColumnView c) {
    return c.frequentItems().orElseThrow().frequentItems().stream()
        .collect(Collectors.toMap(FrequentItemsMetric.Item::value, FrequentItemsMetric.Item::est));
  }

  @Test
  void infersIntegerFractionalBooleanAndStringColumns() throws IOException {
    Path csv = write("t.csv", "i,f,b,s,e\n1,1.5,true,x,\n-2,2,FALSE,y,\n3,NaN,True,3,\n");
    try (RootAllocator allocator = new RootAllocator();
         CsvBatchReader r = CsvReader.builder().build().batches(csv, allocator)) {
      Schema s = r.root().getSchema();
      assertEquals(new ArrowType.Int(64, true), s.findField("i").getType());
      assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), s.findField("f").getType());
      assertEquals(ArrowType.Bool.INSTANCE, s.findField("b").getType());
      assertEquals(ArrowType.Utf8.INSTANCE, s.findField("s").getType());
      assertEquals(ArrowType.Utf8.INSTANCE, s.findField("e").getType());
      assertTrue(r.loadNextBatch());
      assertEquals(3, r.root().getRowCount());
      assertEquals(-2L, ((BigIntVector) r.root().getVector("i")).get(1));
      assertTrue(r.offTypeValues().isEmpty());
      assertFalse(r.loadNextBatch());
    }

    ProfileView v = CsvReader.builder().build().profile(csv);
    assertEquals(new TypesMetric(3, 0, 0, 0, 0, 0), col(v, "i").types());
    assertEquals(new TypesMetric(0, 2, 0, 0, 0, 0), col(v, "f").types());
    assertEquals(new CountsMetric(3, 1, 1, 0, 0), col(v, "f").counts(), "NaN counts as null and nan");
    assertEquals(new TypesMetric(0, 0, 3, 0, 0, 0), col(v, "b").types());
    assertEquals(2, col(v, "b").counts().trueCount());
    assertEquals(new TypesMetric(0, 0, 0, 3, 0, 0), col(v, "s").types(), "'3' among words is a string");
    assertEquals(new CountsMetric(3, 3, 0, 0, 0), col(v, "e").counts());
    assertEquals(IntsMetric.of(-2, 3), col(v, "i").ints().orElseThrow());
  }

  @Test
  void laterValueThatDoesNotFitTheInferredTypeCountsAsItsOwnType() throws IOException {
    StringBuilder sb = new StringBuilder("n,x,flag\n");
    for (int i = 0; i < 20; i++) {
      sb.append(i).append(',').append(i).append(".5,true\n");
    }
    sb.append("oops,7,1\n").append("2.5,word,\n").append("99999999999999999999,,false\n");
    Path csv = write("late.csv", sb.toString());

    ProfileView v = CsvReader.builder().sampleRows(10).batchSize(8).build().profile(csv);

    ColumnView n = col(v, "n");
    assertEquals(23, n.counts().n());
    assertEquals(0, n.counts().nulls(), "off-type cells are not nulls");
    assertEquals(new TypesMetric(20, 2, 0, 1, 0, 0), n.types(), "2.5 and the 20-digit overflow are fractional");
    assertEquals(IntsMetric.of(0, 19), n.ints().orElseThrow());
    assertEquals(1L, frequent(n).get("oops"));

    ColumnView x = col(v, "x");
    assertEquals(new TypesMetric(0, 21, 0, 1, 0, 0), x.types(), "7 in a fractional column is fractional");
    assertEquals(1, x.counts().nulls());

    ColumnView flag = col(v, "flag");
    assertEquals(new TypesMetric(1, 0, 21, 0, 0, 0), flag.types());
    assertEquals(20, flag.counts().trueCount());
    assertEquals(1, flag.counts().nulls());
  }

  @Test
  void isoDatesAndTimestampsAreTimeAndLaterTextStaysText() throws IOException {
    // the sample (3 rows) holds dates, timestamps with and without offsets: the column is time;
    // later a word and a number are what they are, and a column mixing dates with words is text
    Path csv = write("when.csv", "when,label\n2012-01-01,2012-01-01\n2001-01-01 00:01:00,x\n"
        + "2001-01-01T00:01:00.5+01:00,2012-01-02\nn/a,2012-01-03\n17,y\n\n1969-12-31T23:59:59.999Z,z\n");
    try (RootAllocator allocator = new RootAllocator();
         CsvBatchReader r = CsvReader.builder().sampleRows(3).build().batches(csv, allocator)) {
      assertEquals(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MILLISECOND, null),
          r.root().getSchema().findField("when").getType());
      assertEquals(ArrowType.Utf8.INSTANCE, r.root().getSchema().findField("label").getType());
    }
    ProfileView v = CsvReader.builder().sampleRows(3).build().profile(csv);
    assertTrue(v.isTime("when"));
    assertFalse(v.isTime("label"));
    ColumnView when = col(v, "when");
    assertEquals(new TypesMetric(5, 0, 0, 1, 0, 0), when.types(), "4 instants and the number 17 are integral");
    assertEquals(1L, frequent(when).get("n/a"));
    assertEquals(6, when.counts().n());
    assertEquals(IntsMetric.of(-1L, 1_325_376_000_000L), when.ints().orElseThrow(),
        "the extremes are 1969-12-31T23:59:59.999Z and 2012-01-01 (the integer 17 lies between)");
    // the third row is 2000-12-31T23:01:00.500Z: 1.5 s after 2001-01-01 00:01:00 minus one hour
    ProfileView third = CsvReader.builder().build().profile(write("third.csv", "t\n2001-01-01T00:01:00.5+01:00\n"));
    assertEquals(IntsMetric.of(978_303_660_500L, 978_303_660_500L), col(third, "t").ints().orElseThrow());
    assertEquals(new TypesMetric(0, 0, 0, 6, 0, 0), col(v, "label").types());
  }

  @Test
  void batchesListOffTypeCellsAndLeaveThemNullInTheVector() throws IOException {
    Path csv = write("o.csv", "a,b\n1,x\n2,y\nthree,z\n");
    try (RootAllocator allocator = new RootAllocator();
         CsvBatchReader r = CsvReader.builder().sampleRows(2).build().batches(csv, allocator)) {
      assertTrue(r.loadNextBatch());
      assertTrue(r.root().getVector("a").isNull(2));
      assertEquals(List.of(new CsvBatchReader.OffTypeValue(0, 2, "three")), r.offTypeValues());
    }
  }

  @Test
  void columnWithNoValueInTheSampleTypesEachLaterValueOnItsOwn() throws IOException {
    Path csv = write("sparse.csv", "id,maybe\n1,\n2,\n3,12\n4,hello\n5,2.5\n");
    ProfileView v = CsvReader.builder().sampleRows(2).build().profile(csv);
    ColumnView maybe = col(v, "maybe");
    assertEquals(new TypesMetric(1, 1, 0, 1, 0, 0), maybe.types());
    assertEquals(new CountsMetric(5, 2, 0, 0, 0), maybe.counts());
  }

  @Test
  void emptyFieldsAreNullsInEveryColumnType() throws IOException {
    Path csv = write("nulls.csv", "i,f,b,s\n1,1.5,true,a\n,,,\n\"\",2.5,false,\"\"\n");
    ProfileView v = CsvReader.builder().build().profile(csv);
    assertEquals(new CountsMetric(3, 2, 0, 0, 0), col(v, "i").counts());
    assertEquals(new CountsMetric(3, 1, 0, 0, 0), col(v, "f").counts());
    assertEquals(new CountsMetric(3, 1, 0, 0, 1), col(v, "b").counts());
    assertEquals(new CountsMetric(3, 2, 0, 0, 0), col(v, "s").counts());
  }

  @Test
  void quotedFieldsKeepDelimitersQuotesAndLineBreaks() throws IOException {
    Path csv = write("q.csv", "id,text\n1,\"a,b\"\n2,\"line one\nline two\"\n3,\"say \"\"hi\"\"\"\n");
    ProfileView v = CsvReader.builder().build().profile(csv);
    assertEquals(Map.of("a,b", 1L, "line one\nline two", 1L, "say \"hi\"", 1L), frequent(col(v, "text")));
    assertEquals(3, col(v, "id").counts().n());
  }

  @Test
  void tabSeparatedByExtensionOrByOption() throws IOException {
    String text = "name\tscore\nada\t1,5\nbob\t2\n";
    Path tsv = write("t.tsv", text);
    ProfileView byExtension = CsvReader.builder().build().profile(tsv);
    assertEquals(new TypesMetric(0, 0, 0, 2, 0, 0), col(byExtension, "score").types(), "1,5 is text, not a split field");
    Path txt = write("t.txt", text);
    ProfileView byOption = CsvReader.builder().delimiter('\t').build().profile(txt);
    assertEquals(byExtension.columns(), byOption.columns());
    Path semi = write("s.csv", "a;b\n1;'x;y'\n");
    ProfileView custom = CsvReader.builder().delimiter(';').quote('\'').build().profile(semi);
    assertEquals(Map.of("x;y", 1L), frequent(col(custom, "b")));
  }

  @Test
  void gzippedFilesAreReadTransparently() throws IOException {
    String text = "a,b\n1,x\n2,y\n";
    Path gz = dir.resolve("d.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    ProfileView fromGz = CsvReader.builder().build().profile(gz);
    ProfileView plain = CsvReader.builder().build().profile(write("d.csv", text));
    assertEquals(plain.columns(), fromGz.columns());

    Path fake = write("fake.csv.gz", text);
    DataFormatException e = assertThrows(DataFormatException.class, () -> CsvReader.builder().build().profile(fake));
    assertTrue(e.getMessage().contains("fake.csv.gz") && e.getMessage().contains("not gzip"), e.getMessage());
  }

  @Test
  void raggedRowNamesFileLineAndFieldCounts() throws IOException {
    Path csv = write("ragged.csv", "a,b,c\n1,2,3\n4,\"five\nstill five\",6\n7,8,9,10\n");
    DataFormatException e = assertThrows(DataFormatException.class, () -> CsvReader.builder().build().profile(csv));
    assertEquals(csv + ", line 5: expected 3 fields, as in the header, but found 4; a field that contains the "
        + "delimiter ',' must be quoted", e.getMessage());

    Path shortRow = write("short.csv", "a,b,c\n1,2\n");
    DataFormatException e2 = assertThrows(DataFormatException.class,
        () -> CsvReader.builder().build().profile(shortRow));
    assertTrue(e2.getMessage().startsWith(shortRow + ", line 2: expected 3 fields, as in the header, but found 2"),
        e2.getMessage());
  }

  @Test
  void raggedRowAfterTheSampleIsReportedToo() throws IOException {
    StringBuilder sb = new StringBuilder("a,b\n");
    for (int i = 0; i < 50; i++) {
      sb.append(i).append(",x\n");
    }
    sb.append("1\n");
    Path csv = write("late-ragged.csv", sb.toString());
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> CsvReader.builder().sampleRows(5).batchSize(7).build().profile(csv));
    assertTrue(e.getMessage().contains("line 52: expected 2 fields"), e.getMessage());
  }

  @Test
  void emptyAndMissingFilesAreTypedErrors() throws IOException {
    Path empty = write("empty.csv", "");
    DataFormatException e = assertThrows(DataFormatException.class, () -> CsvReader.builder().build().profile(empty));
    assertEquals(empty + ": the file is empty; expected a header row naming the columns", e.getMessage());

    Path missing = dir.resolve("missing.csv");
    NoSuchFileException m = assertThrows(NoSuchFileException.class, () -> CsvReader.builder().build().profile(missing));
    assertEquals(missing + ": no such file", m.getMessage());
  }

  @Test
  void unclosedQuoteIsADataFormatError() throws IOException {
    Path csv = write("unclosed.csv", "a,b\n1,\"never closed\n2,3\n");
    IOException e = assertThrows(IOException.class, () -> CsvReader.builder().build().profile(csv));
    assertInstanceOf(DataFormatException.class, e);
    assertEquals(csv + ": malformed CSV: Unclosed quoted field at end of input (record starting at line 2)",
        e.getMessage());
  }

  @Test
  void headerOnlyFileGivesColumnsWithNoValues() throws IOException {
    ProfileView v = CsvReader.builder().build().profile(write("h.csv", "a,b\n"));
    assertEquals(List.of("a", "b"), List.copyOf(v.columns().keySet()));
    assertEquals(0, col(v, "a").counts().n());
  }

  @Test
  void emptyAndRepeatedHeaderNamesAreMadeUnique() throws IOException {
    ProfileView v = CsvReader.builder().build().profile(write("dup.csv", "a,a,\n1,2,3\n"));
    assertEquals(List.of("Unnamed: 2", "a", "a.1"), List.copyOf(v.columns().keySet()));
  }

  @Test
  void unicodeNamesAndValuesSurviveAndByteOrderMarkIsDropped() throws IOException {
    Path csv = write("u.csv", "\uFEFFstadt,größe\nZürich,1\n東京,2\n東京,3\n😀,4\n");
    ProfileView v = CsvReader.builder().build().profile(csv);
    assertEquals(List.of("größe", "stadt"), List.copyOf(v.columns().keySet()));
    assertEquals(Map.of("Zürich", 1L, "東京", 2L, "😀", 1L), frequent(col(v, "stadt")));
    assertEquals(3.0, col(v, "stadt").cardinality().orElseThrow().estimate(), 1e-6);
  }

  @Test
  void arrowMemoryIsReleasedEvenWhenReadingFails() throws IOException {
    Path good = write("g.csv", "a,b\n1,x\n2,\nthree,z\n");
    Path bad = write("b.csv", "a,b\n1,x\n2\n");
    try (RootAllocator allocator = new RootAllocator()) {
      try (CsvBatchReader r = CsvReader.builder().sampleRows(1).build().batches(good, allocator)) {
        while (r.loadNextBatch()) {
          assertTrue(allocator.getAllocatedMemory() > 0);
        }
      }
      assertEquals(0, allocator.getAllocatedMemory());
      assertThrows(DataFormatException.class, () -> CsvReader.builder().build().batches(bad, allocator));
      assertEquals(0, allocator.getAllocatedMemory());
    } // RootAllocator.close() throws if anything leaked
  }

  @Test
  void rejectsOptionsThatCannotWork() {
    assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().delimiter('"').build());
    assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().delimiter('\n'));
    assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().batchSize(0));
  }
}
