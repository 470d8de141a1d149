package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.metrics.FrequentItemsMetric;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each Arrow vector type is counted as whylogs counts the same pandas dtype. */
class ArrowTypesTest {
  private BufferAllocator alloc;

  @BeforeEach
  void open() {
    alloc = new RootAllocator();
  }

  @AfterEach
  void close() {
    alloc.close(); // throws if a test leaked Arrow memory
  }

  private ColumnView track(FieldVector v) {
    try (VectorSchemaRoot root = VectorSchemaRoot.of(v)) {
      root.setRowCount(v.getValueCount());
      return new DatasetProfile().trackDataframe(root).view().column(v.getName()).orElseThrow();
    }
  }

  private static void assertIntegralColumn(ColumnView c, long n, long nulls, long min, long max) {
    assertEquals(n, c.counts().n());
    assertEquals(nulls, c.counts().nulls());
    assertEquals(n - nulls, c.types().integral());
    assertEquals(min, c.ints().orElseThrow().min().getAsLong());
    assertEquals(max, c.ints().orElseThrow().max().getAsLong());
    assertEquals(n - nulls, c.distribution().orElseThrow().n());
    assertEquals(Set.of("counts", "types", "distribution", "ints", "cardinality", "frequent_items"),
        c.metrics().keySet());
  }

  @Test
  void everyIntegerWidthIsIntegral() {
    TinyIntVector t = new TinyIntVector("t", alloc);
    t.allocateNew(3);
    t.set(0, -128);
    t.set(1, 127);
    t.setNull(2);
    t.setValueCount(3);
    assertIntegralColumn(track(t), 3, 1, -128, 127);

    SmallIntVector s = new SmallIntVector("s", alloc);
    s.allocateNew(2);
    s.set(0, -32768);
    s.set(1, 32767);
    s.setValueCount(2);
    assertIntegralColumn(track(s), 2, 0, -32768, 32767);

    IntVector i = new IntVector("i", alloc);
    i.allocateNew(3);
    i.set(0, Integer.MIN_VALUE);
    i.setNull(1);
    i.set(2, Integer.MAX_VALUE);
    i.setValueCount(3);
    assertIntegralColumn(track(i), 3, 1, Integer.MIN_VALUE, Integer.MAX_VALUE);

    UInt1Vector u1 = new UInt1Vector("u1", alloc);
    u1.allocateNew(2);
    u1.set(0, 255);
    u1.set(1, 1);
    u1.setValueCount(2);
    assertIntegralColumn(track(u1), 2, 0, 1, 255);

    UInt4Vector u4 = new UInt4Vector("u4", alloc);
    u4.allocateNew(1);
    u4.set(0, -1); // 2^32 - 1 unsigned
    u4.setValueCount(1);
    assertIntegralColumn(track(u4), 1, 0, 4294967295L, 4294967295L);
  }

  @Test
  void uint64BeyondTheSignedRangeIsCountedAsAFractionalValue() {
    UInt8Vector u8 = new UInt8Vector("u8", alloc);
    u8.allocateNew(2);
    u8.set(0, 5);
    u8.set(1, -1L); // 2^64 - 1
    u8.setValueCount(2);
    ColumnView c = track(u8);
    assertEquals(1, c.types().integral());
    assertEquals(1, c.types().fractional());
    assertEquals(1.8446744073709552E19, c.distribution().orElseThrow().max().getAsDouble());
  }

  @Test
  void floatsAndDecimalsAreFractionalWithNaNAsNull() {
    Float4Vector f = new Float4Vector("f", alloc);
    f.allocateNew(4);
    f.set(0, 1.5f);
    f.set(1, Float.NaN);
    f.set(2, Float.NEGATIVE_INFINITY);
    f.setNull(3);
    f.setValueCount(4);
    ColumnView c = track(f);
    assertEquals(4, c.counts().n());
    assertEquals(2, c.counts().nulls());
    assertEquals(1, c.counts().nan());
    assertEquals(1, c.counts().inf());
    assertEquals(2, c.types().fractional());
    assertEquals(Set.of("counts", "types", "distribution", "cardinality"), c.metrics().keySet());

    DecimalVector d = new DecimalVector("d", alloc, 10, 2);
    d.allocateNew(3);
    d.set(0, new BigDecimal("12.34"));
    d.set(1, new BigDecimal("-0.50"));
    d.setNull(2);
    d.setValueCount(3);
    ColumnView dc = track(d);
    assertEquals(2, dc.types().fractional());
    assertEquals(1, dc.counts().nulls());
    assertEquals(-0.5, dc.distribution().orElseThrow().min().getAsDouble());
    assertEquals(12.34, dc.distribution().orElseThrow().max().getAsDouble());
  }

  @Test
  void largeUtf8AndUtf8CountTheSameStrings() {
    VarCharVector small = new VarCharVector("s", alloc);
    LargeVarCharVector large = new LargeVarCharVector("s", alloc);
    String[] values = {"a", "béta", "", "a", null, "日本語"};
    small.allocateNew();
    large.allocateNew();
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        small.setNull(i);
        large.setNull(i);
      } else {
        small.setSafe(i, values[i].getBytes(StandardCharsets.UTF_8));
        large.setSafe(i, values[i].getBytes(StandardCharsets.UTF_8));
      }
    }
    small.setValueCount(values.length);
    large.setValueCount(values.length);
    ColumnView a = track(small);
    ColumnView b = track(large);
    assertEquals(5, a.types().string());
    assertEquals(1, a.counts().nulls());
    assertEquals(a.counts(), b.counts());
    assertEquals(a.types(), b.types());
    assertEquals(a.frequentItems(), b.frequentItems());
    assertEquals(2, a.frequentItems().orElseThrow().estimate("a"));
    assertEquals(1, a.frequentItems().orElseThrow().estimate("日本語"));
    // empty strings are not hashed into the HLL (as DataSketches and whylogs do)
    assertEquals(3.0, a.cardinality().orElseThrow().estimate(), 1e-6);
    assertEquals(0, a.distribution().orElseThrow().n());
  }

  @Test
  void dictionaryEncodedStringsCountLikePlainStrings() {
    VarCharVector dictValues = new VarCharVector("dict", alloc);
    dictValues.allocateNew();
    dictValues.setSafe(0, "red".getBytes(StandardCharsets.UTF_8));
    dictValues.setSafe(1, "green".getBytes(StandardCharsets.UTF_8));
    dictValues.setSafe(2, "unused".getBytes(StandardCharsets.UTF_8));
    dictValues.setValueCount(3);
    Dictionary dict = new Dictionary(dictValues, new DictionaryEncoding(7L, false, new ArrowType.Int(32, true)));
    DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider(dict);
    IntVector idx = new IntVector("color",
        new FieldType(true, new ArrowType.Int(32, true), dict.getEncoding()), alloc);
    int[] indices = {0, 1, 0, -1, 0};
    idx.allocateNew(indices.length);
    for (int i = 0; i < indices.length; i++) {
      if (indices[i] < 0) {
        idx.setNull(i);
      } else {
        idx.set(i, indices[i]);
      }
    }
    idx.setValueCount(indices.length);
    try (VectorSchemaRoot root = VectorSchemaRoot.of(idx)) {
      root.setRowCount(indices.length);
      IllegalArgumentException noProvider = assertThrows(IllegalArgumentException.class,
          () -> new DatasetProfile().trackDataframe(root));
      assertEquals("column 'color' is dictionary-encoded (dictionary id 7) but no DictionaryProvider was given; call "
          + "trackDataframe(root, provider) with the reader that produced the batch", noProvider.getMessage());
      ColumnView c = new DatasetProfile().trackDataframe(root, provider).view().column("color").orElseThrow();
      assertEquals(5, c.counts().n());
      assertEquals(1, c.counts().nulls());
      assertEquals(4, c.types().string());
      assertEquals(List.of(new FrequentItemsMetric.Item("red", 3, 3, 3), new FrequentItemsMetric.Item("green", 1, 1, 1)),
          c.frequentItems().orElseThrow().frequentItems());
      assertEquals(2.0, c.cardinality().orElseThrow().estimate(), 1e-6);
    } finally {
      dictValues.close();
    }
  }

  @Test
  void datesAndTimestampsAreTimeAsEpochMillisBinaryIsAnObjectNullsAreNulls() throws Exception {
    DateDayVector date = new DateDayVector("date", alloc);
    date.allocateNew(3);
    date.set(0, 19000); // 2022-01-08
    date.setNull(1);
    date.set(2, -1); // 1969-12-31
    date.setValueCount(3);
    ProfileView dv;
    try (VectorSchemaRoot root = VectorSchemaRoot.of(date)) {
      root.setRowCount(3);
      dv = new DatasetProfile().trackDataframe(root).view();
    }
    ColumnView dc = dv.column("date").orElseThrow();
    assertEquals(2, dc.types().integral());
    assertEquals(1, dc.counts().nulls());
    assertEquals(19000L * 86_400_000L, dc.ints().orElseThrow().max().getAsLong());
    assertEquals(-86_400_000L, dc.ints().orElseThrow().min().getAsLong());
    assertTrue(dv.isTime("date"));
    assertEquals("epoch_millis", dv.properties().metadata().get("loupe.time.date"));
    Map<String, Object> summary = dv.summary().get("date");
    assertEquals("time", summary.get("type"));
    assertEquals("2022-01-08T00:00:00Z", summary.get("ints/max"));
    assertEquals("1969-12-31T00:00:00Z", summary.get("distribution/min"));
    // frequent items too: the sketch keeps epoch-millisecond text, shown as instants
    assertEquals(List.of(new FrequentItemsMetric.Item("1969-12-31T00:00:00Z", 1, 1, 1),
            new FrequentItemsMetric.Item("2022-01-08T00:00:00Z", 1, 1, 1)),
        ((List<?>) summary.get("frequent_items/frequent_strings")).stream()
            .sorted(java.util.Comparator.comparing(Object::toString)).toList());
    assertEquals(List.of("-86400000", "1641600000000"), dc.frequentItems().orElseThrow().allItems().stream()
        .map(FrequentItemsMetric.Item::value).sorted().toList());
    assertEquals("not-a-time", ProfileView.timeItemText("not-a-time"));
    assertEquals(String.valueOf(Long.MAX_VALUE), ProfileView.timeItemText(String.valueOf(Long.MAX_VALUE)));
    // the marker survives the file, and whylogs' own keys still hold numbers there
    ProfileView back = ProfileView.read(dv.toBytes(), "date.bin");
    assertTrue(back.isTime("date"));
    assertEquals("2022-01-08T00:00:00Z", back.summary().get("date").get("distribution/max"));

    TimeStampMicroTZVector ts = new TimeStampMicroTZVector("ts", alloc, "UTC");
    ts.allocateNew(2);
    ts.set(0, 1_700_000_000_123_999L);
    ts.set(1, -1L); // one microsecond before the epoch: floored to -1 ms
    ts.setValueCount(2);
    ColumnView tc = track(ts);
    assertEquals(2, tc.types().integral());
    assertEquals(1_700_000_000_123L, tc.ints().orElseThrow().max().getAsLong());
    assertEquals(-1L, tc.ints().orElseThrow().min().getAsLong());

    VarBinaryVector bin = new VarBinaryVector("bin", alloc);
    bin.allocateNew();
    bin.setSafe(0, new byte[] {1, 2});
    bin.setValueCount(1);
    assertEquals(1, track(bin).types().object());

    NullVector nulls = new NullVector("nothing", 4);
    ColumnView nc = track(nulls);
    assertEquals(4, nc.counts().n());
    assertEquals(4, nc.counts().nulls());
    assertEquals("null", nc.inferredType());
  }

  @Test
  void listsOfNumbersAreTensors() {
    ListVector list = ListVector.empty("vec", alloc);
    UnionListWriter w = list.getWriter();
    w.allocate();
    w.setPosition(0);
    w.startList();
    w.float8().writeFloat8(1.0);
    w.float8().writeFloat8(2.0);
    w.endList();
    w.setPosition(1);
    w.startList();
    w.float8().writeFloat8(3.0);
    w.endList();
    w.setValueCount(2);
    list.setNull(2);
    list.setValueCount(3);
    ColumnView c = track(list);
    assertEquals(3, c.counts().n());
    assertEquals(2, c.types().tensor());
    assertEquals(1, c.counts().nulls());
    assertFalse(c.distribution().isPresent());
  }

  @Test
  void aColumnSeenAsIntegersThenStringsKeepsBothKindsOfMetric() {
    DatasetProfile p = new DatasetProfile();
    BigIntVector ints = new BigIntVector("x", alloc);
    ints.allocateNew(1);
    ints.set(0, 7);
    ints.setValueCount(1);
    try (VectorSchemaRoot root = VectorSchemaRoot.of(ints)) {
      root.setRowCount(1);
      p.trackDataframe(root);
    }
    p.track(Map.of("x", "seven"));
    ColumnView c = p.view().column("x").orElseThrow();
    assertEquals(1, c.types().integral());
    assertEquals(1, c.types().string());
    Function<String, Long> est = c.frequentItems().orElseThrow()::estimate;
    assertEquals(1, est.apply("7"));
    assertEquals(1, est.apply("seven"));
  }
}
