package dev.loupe.core;

import java.util.Arrays;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Pre-aggregates one batch of UTF-8 strings straight from an Arrow data buffer: an open-addressing
 * table keyed by the bytes (compared in place, nothing copied), so that each distinct string is
 * copied out, hashed into the HLL and counted into frequent items once per batch. The buffer is
 * read by address: the caller ({@link ArrowColumns}) has checked that every {@code start, len}
 * it passes lies inside the buffer, which stays open until {@link #drainTo} returns.
 */
final class Utf8Distinct {
  private static final int MAX_CACHED_LEN = 256;

  private long[] starts;
  private int[] lens;
  private long[] counts;
  private int[] hashes;
  private boolean[] used;
  private int size;
  private int mask;
  private final byte[][] scratchByLen = new byte[MAX_CACHED_LEN + 1][];

  Utf8Distinct(int expected) {
    allocate(Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1);
  }

  private void allocate(int cap) {
    starts = new long[cap];
    lens = new int[cap];
    counts = new long[cap];
    hashes = new int[cap];
    used = new boolean[cap];
    mask = cap - 1;
  }

  void add(long data, long start, int len) {
    int h = hash(data + start, len);
    int i = h & mask;
    while (used[i]) {
      if (hashes[i] == h && lens[i] == len && equal(data + starts[i], data + start, len)) {
        counts[i]++;
        return;
      }
      i = (i + 1) & mask;
    }
    used[i] = true;
    starts[i] = start;
    lens[i] = len;
    counts[i] = 1;
    hashes[i] = h;
    if (++size * 2 > starts.length) {
      grow();
    }
  }

  /** Hands every distinct string with its count to the tracker, then empties the table. */
  void drainTo(ColumnTracker tracker, long data) {
    if (size == 0) {
      return;
    }
    for (int i = 0; i < used.length; i++) {
      if (used[i]) {
        int len = lens[i];
        byte[] b = scratch(len);
        MemoryUtil.copyFromMemory(data + starts[i], b, 0, len);
        tracker.addDistinctUtf8(b, counts[i]);
      }
    }
    Arrays.fill(used, false);
    size = 0;
  }

  private byte[] scratch(int len) {
    if (len > MAX_CACHED_LEN) {
      return new byte[len];
    }
    byte[] b = scratchByLen[len];
    if (b == null) {
      b = new byte[len];
      scratchByLen[len] = b;
    }
    return b;
  }

  private void grow() {
    long[] s = starts;
    int[] l = lens;
    long[] c = counts;
    int[] hs = hashes;
    boolean[] u = used;
    allocate(s.length * 2);
    for (int k = 0; k < s.length; k++) {
      if (u[k]) {
        int i = hs[k] & mask;
        while (used[i]) {
          i = (i + 1) & mask;
        }
        used[i] = true;
        starts[i] = s[k];
        lens[i] = l[k];
        counts[i] = c[k];
        hashes[i] = hs[k];
      }
    }
  }

  private static boolean equal(long a, long b, int len) {
    int p = 0;
    for (; p + 8 <= len; p += 8) {
      if (MemoryUtil.getLong(a + p) != MemoryUtil.getLong(b + p)) {
        return false;
      }
    }
    for (; p < len; p++) {
      if (MemoryUtil.getByte(a + p) != MemoryUtil.getByte(b + p)) {
        return false;
      }
    }
    return true;
  }

  /** A fast 64-bit multiply-xorshift hash over the {@code len} bytes at {@code address}, read a word at a time. */
  static int hash(long address, int len) {
    long h = 0x9E3779B97F4A7C15L ^ len;
    long p = address;
    long end = address + len;
    while (p + 8 <= end) {
      h = (h ^ MemoryUtil.getLong(p)) * 0xFF51AFD7ED558CCDL;
      h ^= h >>> 29;
      p += 8;
    }
    long tail = 0;
    int shift = 0;
    while (p < end) {
      tail |= (MemoryUtil.getByte(p) & 0xffL) << shift;
      shift += 8;
      p++;
    }
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 32;
    return (int) h;
  }
}
