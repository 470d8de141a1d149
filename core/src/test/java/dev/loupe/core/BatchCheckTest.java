package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.metrics.FrequentItemsMetric;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.TimeStampSecVector;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.junit.jupiter.api.Test;

/**
 * {@link DatasetProfile#checkBatch}: a batch it passes is tracked without failing (the server relies
 * on this to refuse a malformed request before it journals it), and a batch tracking would fail on
 * is refused, naming the column.
 */
class BatchCheckTest {
  private static final int ROWS = 40;

  /** A batch of strings, large strings, integers and a dictionary-encoded string column, with nulls. */
  private static VectorSchemaRoot batch(BufferAllocator alloc, SplittableRandom r) {
    VarCharVector s = new VarCharVector("s", alloc);
    LargeVarCharVector l = new LargeVarCharVector("l", alloc);
    BigIntVector n = new BigIntVector("n", alloc);
    IntVector d = new IntVector("d", new FieldType(true, new ArrowType.Int(32, true),
        new DictionaryEncoding(7, false, null)), alloc);
    s.allocateNew();
    l.allocateNew();
    n.allocateNew();
    d.allocateNew();
    for (int i = 0; i < ROWS; i++) {
      if (r.nextInt(5) > 0) {
        s.setSafe(i, ("v" + r.nextInt(100)).getBytes(StandardCharsets.UTF_8));
        l.setSafe(i, ("long value " + r.nextInt(1000)).getBytes(StandardCharsets.UTF_8));
        n.setSafe(i, r.nextLong());
        d.setSafe(i, r.nextInt(3));
      }
    }
    for (FieldVector v : List.<FieldVector>of(s, l, n, d)) {
      v.setValueCount(ROWS);
    }
    VectorSchemaRoot root = new VectorSchemaRoot(List.<FieldVector>of(s, l, n, d));
    root.setRowCount(ROWS);
    return root;
  }

  private static VarCharVector dictionaryValues(BufferAllocator alloc) {
    VarCharVector dict = new VarCharVector("d-values", alloc);
    dict.allocateNew();
    for (int k = 0; k < 3; k++) {
      dict.setSafe(k, ("word" + k).getBytes(StandardCharsets.UTF_8));
    }
    dict.setValueCount(3);
    return dict;
  }

  private static boolean fails(Runnable r) {
    try {
      r.run();
      return false;
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  /**
   * 600 batches, each with one value of one buffer overwritten (a string offset, a large string
   * offset, or a dictionary index, set to a value in or out of range, in a null slot or not): every
   * batch the check passes is tracked without failing, every batch tracking fails on was refused by
   * the check, and the check's refusals name the column that was damaged.
   */
  @Test
  void aBatchThatPassesIsTrackedAndOneTrackingWouldFailOnIsRefused() {
    SplittableRandom r = new SplittableRandom(5);
    int refused = 0;
    int trackingFailed = 0;
    for (int trial = 0; trial < 600; trial++) {
      try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot root = batch(alloc, r);
          VarCharVector values = dictionaryValues(alloc)) {
        DictionaryProvider.MapDictionaryProvider dictionaries = new DictionaryProvider.MapDictionaryProvider(
            new Dictionary(values, new DictionaryEncoding(7, false, null)));
        String damaged;
        switch (trial % 3) {
          case 0 -> {
            VarCharVector s = (VarCharVector) root.getVector("s");
            long cap = s.getDataBuffer().capacity();
            int at = r.nextInt(ROWS + 1);
            s.getOffsetBuffer().setInt((long) at * 4, r.nextInt(4) == 0 ? Integer.MIN_VALUE + r.nextInt(9)
                : (int) r.nextLong(-3, cap + 4));
            damaged = "'s'";
          }
          case 1 -> {
            LargeVarCharVector l = (LargeVarCharVector) root.getVector("l");
            long cap = l.getDataBuffer().capacity();
            int at = r.nextInt(ROWS + 1);
            l.getOffsetBuffer().setLong((long) at * 8, r.nextInt(4) == 0 ? Long.MAX_VALUE - r.nextInt(9)
                : r.nextLong(-3, cap + 4));
            damaged = "'l'";
          }
          default -> {
            IntVector d = (IntVector) root.getVector("d");
            d.getDataBuffer().setInt((long) r.nextInt(ROWS) * 4, r.nextInt(-2, 6));
            damaged = "'d'";
          }
        }
        boolean checkFails;
        try {
          DatasetProfile.checkBatch(root, dictionaries);
          checkFails = false;
        } catch (IllegalArgumentException e) {
          checkFails = true;
          assertTrue(e.getMessage().contains(damaged) || e.getMessage().contains("malformed"), e.getMessage());
        }
        boolean trackFails = fails(() -> new DatasetProfile().trackDataframe(root, dictionaries));
        if (!checkFails) {
          assertTrue(!trackFails, "trial " + trial + ": the check passed a batch tracking fails on");
        }
        refused += checkFails ? 1 : 0;
        trackingFailed += trackFails ? 1 : 0;
      }
    }
    // the damage is often harmless (an offset moved within the data, an index still in range, a null slot):
    // the trials must still exercise both outcomes
    assertTrue(trackingFailed > 100 && refused >= trackingFailed && refused < 550,
        "refused " + refused + ", tracking failed on " + trackingFailed + " of 600");
  }

  /** Bytes that are not UTF-8 pass (tracking decodes them with U+FFFD in their place, as every door does). */
  @Test
  void bytesThatAreNotUtf8PassAndAreTrackedWithTheReplacementCharacter() {
    try (BufferAllocator alloc = new RootAllocator(); VarCharVector s = new VarCharVector("s", alloc)) {
      s.allocateNew();
      s.setSafe(0, new byte[] {'a', (byte) 0xff, 'b'});
      s.setSafe(1, new byte[] {'a', (byte) 0xff, 'b'});
      s.setValueCount(2);
      try (VectorSchemaRoot root = VectorSchemaRoot.of(s)) {
        root.setRowCount(2);
        DatasetProfile.checkBatch(root, null);
        ColumnView c = new DatasetProfile().trackDataframe(root).view().column("s").orElseThrow();
        FrequentItemsMetric f = c.frequentItems().orElseThrow();
        assertEquals(2, f.estimate("a\uFFFDb"));
        assertEquals(2, c.types().string());
      }
    }
  }

  /** A dictionary-encoded column whose dictionary is missing is refused by the check, naming the column. */
  @Test
  void aMissingDictionaryIsRefused() {
    try (BufferAllocator alloc = new RootAllocator(); VectorSchemaRoot root = batch(alloc, new SplittableRandom(1))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DatasetProfile.checkBatch(root, new DictionaryProvider.MapDictionaryProvider()));
      assertTrue(e.getMessage().contains("column 'd'") && e.getMessage().contains("dictionary id 7"), e.getMessage());
    }
  }

  /** Refused by the check, and tracking would have failed on it: the check's message names the column. */
  private static void assertRefusedAsTrackingWouldFail(VectorSchemaRoot root, DictionaryProvider dictionaries,
      String column) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DatasetProfile.checkBatch(root, dictionaries));
    assertTrue(e.getMessage().contains("column '" + column + "'"), e.getMessage());
    assertThrows(RuntimeException.class, () -> new DatasetProfile().trackDataframe(root, dictionaries));
  }

  /** A utf8 view whose length is negative, or whose bytes lie past its data buffers, is refused. */
  @Test
  void stringViewsOutsideTheirDataAreRefused() {
    for (int damage = 0; damage < 4; damage++) {
      try (BufferAllocator alloc = new RootAllocator(); ViewVarCharVector v = new ViewVarCharVector("v", alloc)) {
        v.allocateNew();
        v.setSafe(0, "short".getBytes(StandardCharsets.UTF_8));
        v.setSafe(1, "a string longer than twelve bytes".getBytes(StandardCharsets.UTF_8));
        v.setValueCount(2);
        try (VectorSchemaRoot root = VectorSchemaRoot.of(v)) {
          root.setRowCount(2);
          DatasetProfile.checkBatch(root, null); // intact: passes, and is tracked
          assertEquals(2, new DatasetProfile().trackDataframe(root).view().column("v").orElseThrow().types().string());
          switch (damage) {
            case 0 -> v.getDataBuffer().setInt(0, -3); // the inline view's length
            case 1 -> v.getDataBuffer().setInt(16 + 8, 7); // the long view's data buffer
            case 2 -> v.getDataBuffer().setInt(16 + 12, 1 << 20); // its offset
            default -> v.getDataBuffer().setInt(16, Integer.MAX_VALUE - 1); // its length
          }
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
              () -> DatasetProfile.checkBatch(root, null));
          assertTrue(e.getMessage().contains("column 'v'"), e.getMessage());
        }
      }
    }
  }

  /** Seconds beyond what epoch milliseconds hold are refused (tracking would overflow); others pass. */
  @Test
  void timestampsInSecondsBeyondEpochMillisecondsAreRefused() {
    try (BufferAllocator alloc = new RootAllocator(); TimeStampSecVector t = new TimeStampSecVector("t", alloc)) {
      t.allocateNew(2);
      t.set(0, 1_700_000_000L);
      t.set(1, Long.MAX_VALUE / 1000);
      t.setValueCount(2);
      try (VectorSchemaRoot root = VectorSchemaRoot.of(t)) {
        root.setRowCount(2);
        DatasetProfile.checkBatch(root, null);
        assertEquals(2, new DatasetProfile().trackDataframe(root).view().column("t").orElseThrow().counts().n());
        t.set(1, Long.MAX_VALUE / 1000 + 1);
        assertRefusedAsTrackingWouldFail(root, null, "t");
      }
    }
  }

  /** A dictionary of timestamps whose entry tracking cannot convert is refused. */
  @Test
  void aDictionaryEntryTrackingCannotConvertIsRefused() {
    try (BufferAllocator alloc = new RootAllocator();
        TimeStampMilliVector dict = new TimeStampMilliVector("values", alloc);
        IntVector d = new IntVector("d", new FieldType(true, new ArrowType.Int(32, true),
            new DictionaryEncoding(3, false, null)), alloc)) {
      dict.allocateNew(2);
      dict.set(0, 1_700_000_000_000L);
      dict.set(1, Long.MIN_VALUE + 1);
      dict.setValueCount(2);
      d.allocateNew(2);
      d.set(0, 0);
      d.set(1, 1); // tracking converts only the entries used
      d.setValueCount(2);
      DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider(
          new Dictionary(dict, new DictionaryEncoding(3, false, null)));
      try (VectorSchemaRoot root = VectorSchemaRoot.of(d)) {
        root.setRowCount(2);
        assertRefusedAsTrackingWouldFail(root, provider, "d");
      }
    }
  }

  /** Fixed-size lists of numbers pass (Arrow's full check throws on them) and are counted as tensors. */
  @Test
  void fixedSizeListsPassAndAreTensors() {
    try (BufferAllocator alloc = new RootAllocator();
        FixedSizeListVector l = FixedSizeListVector.empty("l", 2, alloc)) {
      l.addOrGetVector(FieldType.nullable(new ArrowType.FloatingPoint(
          org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)));
      l.allocateNew();
      org.apache.arrow.vector.Float8Vector values = (org.apache.arrow.vector.Float8Vector) l.getDataVector();
      for (int i = 0; i < 3; i++) {
        l.setNotNull(i);
        values.setSafe(2 * i, i);
        values.setSafe(2 * i + 1, -i);
      }
      values.setValueCount(6);
      l.setValueCount(3);
      try (VectorSchemaRoot root = VectorSchemaRoot.of(l)) {
        root.setRowCount(3);
        DatasetProfile.checkBatch(root, null);
        assertEquals(3, new DatasetProfile().trackDataframe(root).view().column("l").orElseThrow().types().tensor());
      }
    }
  }
}
