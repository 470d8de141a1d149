package dev.loupe.core;

import java.util.Arrays;

/**
 * An open-addressing long -> count table, reused batch after batch to pre-aggregate values. Keys
 * and counts sit side by side in one array (slot {@code s} is {@code table[2s]}, {@code table[2s+1]})
 * and a zero count marks a free slot, so a probe touches one cache line. Slots are filled by
 * linear probing from {@code mix(key) & mask}: which key ends up in which slot (the order
 * {@link ColumnTracker} hands them to the sketches) depends only on the keys and their order of
 * first insertion.
 */
final class LongCounts {
  private long[] table;
  private int size;
  private int mask;

  LongCounts(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    table = new long[cap * 2];
    mask = cap - 1;
  }

  void add(long key) {
    add(key, 1);
  }

  /** Adds {@code count} (positive) occurrences of {@code key}. */
  void add(long key, long count) {
    long[] t = table;
    int m = mask;
    int i = mix(key) & m;
    while (true) {
      int k = i << 1;
      long c = t[k + 1];
      if (c == 0) {
        t[k] = key;
        t[k + 1] = count;
        if (++size * 2 > m + 1) {
          grow();
        }
        return;
      }
      if (t[k] == key) {
        t[k + 1] = c + count;
        return;
      }
      i = (i + 1) & m;
    }
  }

  int capacity() {
    return mask + 1;
  }

  boolean used(int slot) {
    return table[(slot << 1) + 1] != 0;
  }

  long key(int slot) {
    return table[slot << 1];
  }

  long count(int slot) {
    return table[(slot << 1) + 1];
  }

  int size() {
    return size;
  }

  void clear() {
    if (size > 0) {
      Arrays.fill(table, 0L);
      size = 0;
    }
  }

  private void grow() {
    long[] old = table;
    table = new long[old.length * 2];
    mask = (table.length >>> 1) - 1;
    long[] t = table;
    int m = mask;
    for (int k = 0; k < old.length; k += 2) {
      if (old[k + 1] != 0) {
        int i = mix(old[k]) & m;
        while (t[(i << 1) + 1] != 0) {
          i = (i + 1) & m;
        }
        t[i << 1] = old[k];
        t[(i << 1) + 1] = old[k + 1];
      }
    }
  }

  private static int mix(long k) {
    long h = k * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
