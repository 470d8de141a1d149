package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.metrics.DistributionMetric;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.junit.jupiter.api.Test;

/**
 * The bulk paths (appends of arrays copied into the batch buffer, Arrow buffers read by address,
 * integer and string pre-aggregation) feed the sketches exactly what one append per value feeds
 * them, in the same order; and a batch whose buffers do not hold its rows is refused with a clear
 * error instead of being read past its end.
 */
class BulkTrackingTest {

  /**
   * Everything but the KLL sketch's compaction coin flips (a random source shared by all sketches)
   * is compared exactly: counts, types, ints, HLL, frequent items, KLL's n, min and max, mean and
   * m2 (same values in the same batches give the same bits).
   */
  private static void assertSameUpdates(ColumnView a, ColumnView b, String what) {
    assertEquals(a.counts(), b.counts(), what + ": counts");
    assertEquals(a.types(), b.types(), what + ": types");
    assertEquals(a.ints(), b.ints(), what + ": ints");
    assertEquals(a.cardinality(), b.cardinality(), what + ": cardinality");
    assertEquals(a.frequentItems(), b.frequentItems(), what + ": frequent items");
    DistributionMetric da = a.distribution().orElseThrow();
    DistributionMetric db = b.distribution().orElseThrow();
    assertEquals(da.n(), db.n(), what + ": n");
    assertEquals(da.min(), db.min(), what + ": min");
    assertEquals(da.max(), db.max(), what + ": max");
    assertEquals(da.mean(), db.mean(), what + ": mean");
    assertEquals(Double.doubleToLongBits(da.m2()), Double.doubleToLongBits(db.m2()), what + ": m2");
    Approx.assertColumnsClose(a, b, what);
  }

  @Test
  void arrayAppendsFeedTheSketchesWhatSingleAppendsFeed() {
    SplittableRandom r = new SplittableRandom(11);
    for (int trial = 0; trial < 20; trial++) {
      int n = r.nextInt(1, 20_000);
      int range = trial % 4 == 0 ? 5 : trial % 4 == 1 ? 3000 : trial % 4 == 2 ? 100_000 : Integer.MAX_VALUE;
      long[] longs = new long[n];
      double[] doubles = new double[n];
      for (int i = 0; i < n; i++) {
        longs[i] = r.nextInt(20) == 0 ? r.nextLong() : r.nextInt(range) - range / 2;
        int k = r.nextInt(40);
        doubles[i] = k == 0 ? Double.NaN : k == 1 ? Double.POSITIVE_INFINITY : k == 2 ? Double.NEGATIVE_INFINITY
            : r.nextGaussian() * range;
      }
      DatasetProfile single = new DatasetProfile(ProfileProperties.EMPTY);
      DatasetProfile bulk = new DatasetProfile(ProfileProperties.EMPTY);
      for (int i = 0; i < n; i++) {
        single.column("l").appendLong(longs[i]);
        single.column("d").appendDouble(doubles[i]);
        single.column("t").appendEpochMillis(longs[i]);
      }
      for (int from = 0; from < n; ) { // uneven slices, some larger than a batch, some single values
        int to = Math.min(n, from + (r.nextBoolean() ? r.nextInt(1, 8) : r.nextInt(1, 3000)));
        if (to - from == 1 && r.nextBoolean()) {
          bulk.column("l").appendLong(longs[from]);
          bulk.column("d").appendDouble(doubles[from]);
          bulk.column("t").appendEpochMillis(longs[from]);
        } else {
          bulk.column("l").appendLongs(longs, from, to);
          bulk.column("d").appendDoubles(doubles, from, to);
          bulk.column("t").appendEpochMillis(longs, from, to);
        }
        from = to;
      }
      ProfileView s = single.view();
      ProfileView b = bulk.view();
      assertSameUpdates(s.column("l").orElseThrow(), b.column("l").orElseThrow(), "trial " + trial + " longs");
      assertSameUpdates(s.column("d").orElseThrow(), b.column("d").orElseThrow(), "trial " + trial + " doubles");
      assertSameUpdates(s.column("t").orElseThrow(), b.column("t").orElseThrow(), "trial " + trial + " times");
      assertTrue(b.isTime("t"), "trial " + trial + ": bulk times mark the column as time");
      assertEquals(n, s.column("d").orElseThrow().counts().n());
    }
  }

  @Test
  void arrowNumbersFeedTheSketchesWhatSingleAppendsFeed() {
    SplittableRandom r = new SplittableRandom(5);
    try (BufferAllocator alloc = new RootAllocator()) {
      for (int trial = 0; trial < 6; trial++) {
        int rows = r.nextInt(1, 10_000);
        DatasetProfile single = new DatasetProfile(ProfileProperties.EMPTY);
        DatasetProfile arrow = new DatasetProfile(ProfileProperties.EMPTY);
        try (BigIntVector l = new BigIntVector("l", alloc); IntVector i32 = new IntVector("i", alloc);
             Float8Vector d = new Float8Vector("d", alloc)) {
          l.allocateNew(rows);
          i32.allocateNew(rows);
          d.allocateNew(rows);
          boolean nulls = trial % 2 == 1;
          for (int i = 0; i < rows; i++) {
            if (nulls && r.nextInt(7) == 0) {
              single.column("l").appendNull();
              single.column("i").appendNull();
              single.column("d").appendNull();
              continue; // left unset: null
            }
            long lv = r.nextInt(10) == 0 ? r.nextLong() : r.nextInt(2000);
            int iv = r.nextInt();
            double dv = r.nextInt(30) == 0 ? Double.NaN : r.nextDouble() * 1e6;
            l.set(i, lv);
            i32.set(i, iv);
            d.set(i, dv);
            single.column("l").appendLong(lv);
            single.column("i").appendLong(iv);
            single.column("d").appendDouble(dv);
          }
          l.setValueCount(rows);
          i32.setValueCount(rows);
          d.setValueCount(rows);
          arrow.trackColumn("l", l, rows, null).trackColumn("i", i32, rows, null).trackColumn("d", d, rows, null);
        }
        ProfileView s = single.view();
        ProfileView a = arrow.view();
        for (String c : List.of("l", "i", "d")) {
          assertSameUpdates(s.column(c).orElseThrow(), a.column(c).orElseThrow(), "trial " + trial + " column " + c);
        }
      }
    }
  }

  /** A string column tracked batch after batch through the column's one reused distinct table. */
  @Test
  void arrowStringsCountEveryValueThroughTheReusedTable() {
    SplittableRandom r = new SplittableRandom(3);
    try (BufferAllocator alloc = new RootAllocator()) {
      DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY);
      java.util.Map<String, Long> exact = new java.util.HashMap<>();
      long nulls = 0;
      for (int batch = 0; batch < 5; batch++) {
        int rows = batch == 0 ? 20_000 : r.nextInt(1, 300); // a large table first, then small batches
        try (VarCharVector v = new VarCharVector("s", alloc)) {
          v.allocateNew();
          for (int i = 0; i < rows; i++) {
            if (r.nextInt(9) == 0) {
              nulls++;
              continue;
            }
            String s = r.nextInt(3) == 0 ? "a-value-longer-than-eight-bytes-" + r.nextInt(50) : "v" + r.nextInt(40);
            v.setSafe(i, s.getBytes(StandardCharsets.UTF_8));
            exact.merge(s, 1L, Long::sum);
          }
          v.setValueCount(rows);
          p.trackColumn("s", v, rows, null);
        }
      }
      ColumnView c = p.view().column("s").orElseThrow();
      long values = exact.values().stream().mapToLong(Long::longValue).sum();
      assertEquals(values + nulls, c.counts().n());
      assertEquals(nulls, c.counts().nulls());
      assertEquals(values, c.types().string());
      for (var e : exact.entrySet()) { // 90 distinct values: frequent items holds every one exactly
        assertEquals(e.getValue(), c.frequentItems().orElseThrow().estimate(e.getKey()), e.getKey());
      }
      assertEquals(exact.size(), c.cardinality().orElseThrow().estimate(), 1.0);
    }
  }

  @Test
  void aFixedWidthBufferShorterThanItsRowsIsRefused() {
    try (BufferAllocator alloc = new RootAllocator(); BigIntVector v = new BigIntVector("x", alloc)) {
      ArrowBuf validity = alloc.buffer(128);
      ArrowBuf data = alloc.buffer(64); // 8 values, declared as 1,000 (what a crafted IPC body can do)
      validity.setOne(0, validity.capacity());
      data.setZero(0, data.capacity());
      v.loadFieldBuffers(new ArrowFieldNode(1000, 0), List.of(validity, data));
      validity.close();
      data.close();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new DatasetProfile().trackColumn("x", v, 1000, null));
      assertTrue(e.getMessage().contains("column 'x'") && e.getMessage().contains("malformed"), e.getMessage());
    }
  }

  @Test
  void stringOffsetsOutsideTheDataBufferAreRefused() {
    for (int[] offsets : new int[][] {{0, 2, 4, 1000}, {0, 3, 1, 4}, {-5, 0, 1, 2}}) {
      try (BufferAllocator alloc = new RootAllocator(); VarCharVector v = new VarCharVector("s", alloc)) {
        ArrowBuf validity = alloc.buffer(8);
        ArrowBuf off = alloc.buffer(16);
        ArrowBuf data = alloc.buffer(8);
        validity.setZero(0, validity.capacity());
        validity.setByte(0, 0b111); // three valid values
        data.setZero(0, data.capacity());
        for (int i = 0; i < 4; i++) {
          off.setInt((long) i * 4, offsets[i]);
        }
        v.loadFieldBuffers(new ArrowFieldNode(3, 0), List.of(validity, off, data));
        validity.close();
        off.close();
        data.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new DatasetProfile().trackColumn("s", v, 3, null), java.util.Arrays.toString(offsets));
        assertTrue(e.getMessage().contains("outside the data buffer"), e.getMessage());
      }
    }
  }

  /**
   * The byte-array entry ({@link ColumnAppender#appendUtf8(byte[], int[], int[], int, int)}) and an
   * Arrow vector of the same cells give the same profile byte for byte: the same strings land in the
   * same slots of the distinct table (one hash for both sources) and reach the sketches in the same
   * order, over batches that cross the table's chunk and drain boundaries, with nulls, empty strings,
   * long and non-ASCII values, and high and low cardinality.
   */
  @Test
  void utf8CellsFromABytesArrayProfileAsTheArrowVectorOfThem() {
    SplittableRandom r = new SplittableRandom(21);
    try (BufferAllocator alloc = new RootAllocator()) {
      DatasetProfile arrow = new DatasetProfile(ProfileProperties.EMPTY);
      DatasetProfile bytes = new DatasetProfile(ProfileProperties.EMPTY);
      for (int batch = 0; batch < 12; batch++) {
        int rows = batch % 3 == 0 ? r.nextInt(8_000, 20_000) : r.nextInt(1, 500);
        int card = batch % 2 == 0 ? 30 : 1_000_000;
        byte[] buf = new byte[16];
        int[] starts = new int[rows + 3];
        int[] ends = new int[rows + 3];
        int at = 0;
        int from = 3; // cells start past the arrays' beginning, as a caller's slice may
        try (VarCharVector v = new VarCharVector("s", alloc)) {
          v.allocateNew();
          for (int i = 0; i < rows; i++) {
            int k = r.nextInt(20);
            if (k == 0) {
              starts[from + i] = -1;
              continue; // a null: left unset in the vector
            }
            String s = k == 1 ? "" : k == 2 ? "ünïcödé-" + r.nextInt(card) : k == 3
                ? "a value longer than a machine word or two, " + r.nextInt(card) : "v" + r.nextInt(card);
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            v.setSafe(i, b);
            if (buf.length < at + b.length) {
              buf = java.util.Arrays.copyOf(buf, 2 * (at + b.length));
            }
            System.arraycopy(b, 0, buf, at, b.length);
            starts[from + i] = at;
            ends[from + i] = at + b.length;
            at += b.length;
          }
          v.setValueCount(rows);
          arrow.trackColumn("s", v, rows, null);
          bytes.column("s", ColumnKind.STRING).appendUtf8(buf, starts, ends, from, from + rows);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(arrow.view().toBytes(), bytes.view().toBytes(),
            "after batch " + batch);
      }
    }
  }

  @Test
  void chunksOfNewValuesSkipTheDistinctTableAndKeepEveryCount() {
    // 100,000 cells: ids that never repeat, "hot" every 40th cell, a null every 97th
    int n = 100_000;
    byte[] buf = new byte[n * 16];
    int[] starts = new int[n];
    int[] ends = new int[n];
    int at = 0;
    long hot = 0;
    long nulls = 0;
    java.util.Set<String> distinct = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      if (i % 97 == 0) {
        starts[i] = -1;
        nulls++;
        continue;
      }
      String s = i % 40 == 0 ? "hot" : "id-" + i;
      if (s.equals("hot")) {
        hot++;
      }
      distinct.add(s);
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(b, 0, buf, at, b.length);
      starts[i] = at;
      ends[i] = at + b.length;
      at += b.length;
    }
    ColumnTracker direct = new ColumnTracker(ColumnKind.STRING);
    ArrowColumns.utf8Cells(direct, buf, starts, ends, 0, ArrowColumns.STRING_CHUNK);
    assertTrue(direct.utf8Direct(), "a chunk of new values sends the next chunks past the table");
    ArrowColumns.utf8Cells(direct, buf, starts, ends, ArrowColumns.STRING_CHUNK, n);
    // pieces too small to judge (fewer than 1,024 values) always go through the table
    ColumnTracker table = new ColumnTracker(ColumnKind.STRING);
    for (int from = 0; from < n; from += 1000) {
      ArrowColumns.utf8Cells(table, buf, starts, ends, from, Math.min(n, from + 1000));
      assertTrue(!table.utf8Direct(), "from " + from);
    }
    ColumnView a = direct.view();
    ColumnView b = table.view();
    for (ColumnView v : List.of(a, b)) {
      assertEquals(n, v.counts().n());
      assertEquals(nulls, v.counts().nulls());
      assertEquals(n - nulls, v.types().string());
      var items = v.frequentItems().orElseThrow();
      assertEquals(n - nulls, items.streamLength());
      assertTrue(items.lowerBound("hot") <= hot && hot <= items.upperBound("hot"),
          items.lowerBound("hot") + " <= " + hot + " <= " + items.upperBound("hot"));
      assertEquals("hot", items.frequentItems().get(0).value());
      var card = v.cardinality().orElseThrow();
      assertTrue(card.lowerBound(3) <= distinct.size() && distinct.size() <= card.upperBound(3),
          card.lowerBound(3) + " <= " + distinct.size() + " <= " + card.upperBound(3));
    }
    // the same values reach the HLL either way: the same registers
    assertEquals(b.cardinality().orElseThrow().compositeEstimate(), a.cardinality().orElseThrow().compositeEstimate());
  }

  @Test
  void theBytesHashIsTheMemoryHash() {
    SplittableRandom r = new SplittableRandom(5);
    try (BufferAllocator alloc = new RootAllocator(); ArrowBuf mem = alloc.buffer(64)) {
      for (int trial = 0; trial < 2_000; trial++) {
        int len = r.nextInt(0, 41);
        int off = r.nextInt(0, 64 - len + 1);
        byte[] b = new byte[64];
        r.nextBytes(b);
        mem.setBytes(0, b);
        assertEquals(Utf8Distinct.hash(mem.memoryAddress() + off, len), Utf8Distinct.hash(b, off, len),
            "length " + len + " at " + off);
        assertEquals(referenceHash(b, off, len), Utf8Distinct.hash(b, off, len), "length " + len + " at " + off);
      }
    }
  }

  /**
   * The table's hash as first written, a byte at a time for the tail (little-endian words): the
   * slots, so the order in which distinct strings reach the sketches, and the profile's bytes stay
   * what they were.
   */
  private static int referenceHash(byte[] b, int off, int len) {
    long h = 0x9E3779B97F4A7C15L ^ len;
    int p = off;
    for (; p + 8 <= off + len; p += 8) {
      long w = 0;
      for (int k = 7; k >= 0; k--) {
        w = w << 8 | (b[p + k] & 0xffL);
      }
      h = (h ^ w) * 0xFF51AFD7ED558CCDL;
      h ^= h >>> 29;
    }
    long tail = 0;
    for (int shift = 0; p < off + len; p++, shift += 8) {
      tail |= (b[p] & 0xffL) << shift;
    }
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 32;
    return (int) h;
  }

  /** The table's equality (wide, overlapping reads) is byte equality, in memory and in arrays, for every length. */
  @Test
  void theTablesEqualityIsByteEquality() {
    SplittableRandom r = new SplittableRandom(8);
    try (BufferAllocator alloc = new RootAllocator(); ArrowBuf mem = alloc.buffer(128)) {
      for (int trial = 0; trial < 5_000; trial++) {
        int len = r.nextInt(0, 41);
        byte[] b = new byte[128];
        int x = r.nextInt(0, 64 - len + 1);
        int y = 64 + r.nextInt(0, 64 - len + 1);
        for (int k = 0; k < len; k++) {
          b[x + k] = (byte) r.nextInt(3); // few symbols: many equal pairs
          b[y + k] = trial % 2 == 0 ? b[x + k] : (byte) r.nextInt(3);
        }
        if (trial % 4 == 0 && len > 0) { // equal but for one byte
          System.arraycopy(b, x, b, y, len);
          b[y + r.nextInt(len)] ^= 1 << r.nextInt(8);
        }
        mem.setBytes(0, b);
        boolean exact = java.util.Arrays.equals(b, x, x + len, b, y, y + len);
        assertEquals(exact, Utf8Distinct.equal(b, x, y, len), "array, length " + len);
        assertEquals(exact, Utf8Distinct.equal(mem.memoryAddress() + x, mem.memoryAddress() + y, len), "memory, length " + len);
      }
    }
  }

  @Test
  void utf8CellsOutsideTheirArraysAreRefused() {
    ColumnAppender a = new DatasetProfile().column("s");
    byte[] buf = "abcdef".getBytes(StandardCharsets.UTF_8);
    IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class,
        () -> a.appendUtf8(buf, new int[] {0, 4}, new int[] {2, 9}, 0, 2));
    assertTrue(past.getMessage().contains("cell 1") && past.getMessage().contains("6 bytes"), past.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> a.appendUtf8(buf, new int[] {3}, new int[] {2}, 0, 1));
    IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class,
        () -> a.appendUtf8(buf, new int[] {0}, new int[] {1}, 0, 2));
    assertTrue(range.getMessage().contains("0..2"), range.getMessage());
  }
}
