package dev.loupe.core;

import java.util.Arrays;

/** An open-addressing long -> count table, reused batch after batch to pre-aggregate values. */
final class LongCounts {
  private long[] keys;
  private long[] counts;
  private boolean[] used;
  private int size;
  private int mask;

  LongCounts(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[cap];
    counts = new long[cap];
    used = new boolean[cap];
    mask = cap - 1;
  }

  void add(long key) {
    int i = mix(key) & mask;
    while (used[i]) {
      if (keys[i] == key) {
        counts[i]++;
        return;
      }
      i = (i + 1) & mask;
    }
    used[i] = true;
    keys[i] = key;
    counts[i] = 1;
    if (++size * 2 > keys.length) {
      grow();
    }
  }

  int capacity() {
    return keys.length;
  }

  boolean used(int slot) {
    return used[slot];
  }

  long key(int slot) {
    return keys[slot];
  }

  long count(int slot) {
    return counts[slot];
  }

  int size() {
    return size;
  }

  void clear() {
    if (size > 0) {
      Arrays.fill(used, false);
      size = 0;
    }
  }

  private void grow() {
    long[] k = keys;
    long[] c = counts;
    boolean[] u = used;
    keys = new long[k.length * 2];
    counts = new long[k.length * 2];
    used = new boolean[k.length * 2];
    mask = keys.length - 1;
    for (int s = 0; s < k.length; s++) {
      if (u[s]) {
        int i = mix(k[s]) & mask;
        while (used[i]) {
          i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = k[s];
        counts[i] = c[s];
      }
    }
  }

  private static int mix(long k) {
    long h = k * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
