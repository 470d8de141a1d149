package dev.loupe.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Pre-aggregates one batch of UTF-8 strings straight from an Arrow data buffer or a byte array:
 * an open-addressing table keyed by the bytes (compared in place, nothing copied), so that each
 * distinct string is copied out, hashed into the HLL and counted into frequent items once per
 * batch. An Arrow buffer is read by address: the caller ({@link ArrowColumns}) has checked that
 * every {@code start, len} it passes lies inside the buffer, which stays open until
 * {@link #drainTo} returns. A byte array ({@link #add(byte[], int, int)}, {@link #drainTo(ColumnTracker,
 * byte[])}) is read through the same hash, word for word ({@link #hash(byte[], int, int)} equals
 * {@link #hash(long, int)} over the same bytes), so the same strings land in the same slots and
 * are drained in the same order whichever way they came: the CSV byte path's profile is the
 * Arrow path's, update for update. One table holds one kind of source between resets.
 *
 * <p>A slot is two longs: {@code start | count << 48} (zero when free) and {@code hash << 32 | len}.
 * One table serves a column batch after batch ({@link #reset}); its capacity for a batch is what
 * a new table for that batch would have, so the slots, and the order in which {@link #drainTo}
 * hands the strings to the sketches, depend only on the batch.
 */
final class Utf8Distinct {
  private static final int MAX_CACHED_LEN = 256;
  static final int MAX_ADDS_PER_DRAIN = 0xFFFF;
  static final long MAX_START = (1L << 48) - 1;
  private static final long START_MASK = MAX_START;

  private long[] table = new long[0];
  private int size;
  private int mask;
  private final byte[][] scratchByLen = new byte[MAX_CACHED_LEN + 1][];

  /** A table sized for {@code expected} distinct strings (at most {@value #MAX_ADDS_PER_DRAIN} adds per drain). */
  Utf8Distinct(int expected) {
    reset(expected);
  }

  /** Empties the table and sizes it for {@code expected} distinct strings, reusing its memory. */
  void reset(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    if (size > 0) {
      java.util.Arrays.fill(table, 0L);
      size = 0;
    }
    if (table.length < cap * 2) {
      table = new long[cap * 2];
    }
    mask = cap - 1;
  }

  void add(long data, long start, int len) {
    int h = hash(data + start, len);
    long tag = (long) h << 32 | (len & 0xffffffffL);
    long[] t = table;
    int m = mask;
    int i = h & m;
    while (true) {
      int k = i << 1;
      long a = t[k];
      if (a == 0) {
        t[k] = start | 1L << 48;
        t[k + 1] = tag;
        if (++size * 2 > m + 1) {
          grow();
        }
        return;
      }
      if (t[k + 1] == tag && equal(data + (a & START_MASK), data + start, len)) {
        t[k] = a + (1L << 48);
        return;
      }
      i = (i + 1) & m;
    }
  }

  /** As {@link #add(long, long, int)} for the {@code len} bytes of {@code buf} from {@code start}. */
  void add(byte[] buf, int start, int len) {
    int h = hash(buf, start, len);
    long tag = (long) h << 32 | (len & 0xffffffffL);
    long[] t = table;
    int m = mask;
    int i = h & m;
    while (true) {
      int k = i << 1;
      long a = t[k];
      if (a == 0) {
        t[k] = start | 1L << 48;
        t[k + 1] = tag;
        if (++size * 2 > m + 1) {
          grow();
        }
        return;
      }
      if (t[k + 1] == tag && equal(buf, (int) (a & START_MASK), start, len)) {
        t[k] = a + (1L << 48);
        return;
      }
      i = (i + 1) & m;
    }
  }

  /** As {@link #drainTo(ColumnTracker, long)} for strings added from {@code buf}. */
  void drainTo(ColumnTracker tracker, byte[] buf) {
    drain(tracker, buf, 0);
  }

  /** Hands every distinct string with its count to the tracker, then empties the table. */
  void drainTo(ColumnTracker tracker, long data) {
    drain(tracker, null, data);
  }

  /** The drain of strings added from {@code buf}, or (when it is null) from memory at {@code data}. */
  private void drain(ColumnTracker tracker, byte[] buf, long data) {
    if (size == 0) {
      return;
    }
    long[] t = table;
    int cap = mask + 1;
    for (int i = 0; i < cap; i++) {
      int k = i << 1;
      long a = t[k];
      if (a != 0) {
        int len = (int) t[k + 1];
        byte[] b = buf != null ? bytes(buf, (int) (a & START_MASK), len) : bytes(data, a & START_MASK, len);
        tracker.addDistinctUtf8(b, a >>> 48);
        t[k] = 0;
        t[k + 1] = 0;
      }
    }
    size = 0;
  }

  /** The number of distinct strings in the table. */
  int size() {
    return size;
  }

  /** {@code len} bytes at {@code data + start}, in an array of exactly that length reused until the next call. */
  byte[] bytes(long data, long start, int len) {
    byte[] b = scratch(len);
    MemoryUtil.copyFromMemory(data + start, b, 0, len);
    return b;
  }

  /** {@code buf[start..start+len)}, in an array of exactly that length reused until the next call. */
  byte[] bytes(byte[] buf, int start, int len) {
    byte[] b = scratch(len);
    System.arraycopy(buf, start, b, 0, len);
    return b;
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
    long[] old = table;
    int oldCap = mask + 1;
    table = new long[oldCap * 4];
    mask = oldCap * 2 - 1;
    long[] t = table;
    int m = mask;
    for (int s = 0; s < oldCap; s++) {
      long a = old[s << 1];
      if (a != 0) {
        long tag = old[(s << 1) + 1];
        int i = (int) (tag >> 32) & m;
        while (t[i << 1] != 0) {
          i = (i + 1) & m;
        }
        t[i << 1] = a;
        t[(i << 1) + 1] = tag;
      }
    }
  }

  /**
   * The {@code len} bytes at {@code a} and {@code b} are equal. A string's last partial word is
   * compared as the word (or int) that ends with it, overlapping the one before: no read leaves the
   * two strings, and no byte loop for the short strings most columns hold.
   */
  static boolean equal(long a, long b, int len) {
    if (len >= 8) {
      int p = 0;
      for (; p + 8 < len; p += 8) {
        if (MemoryUtil.getLong(a + p) != MemoryUtil.getLong(b + p)) {
          return false;
        }
      }
      return MemoryUtil.getLong(a + len - 8) == MemoryUtil.getLong(b + len - 8);
    }
    if (len >= 4) {
      return MemoryUtil.getInt(a) == MemoryUtil.getInt(b) && MemoryUtil.getInt(a + len - 4) == MemoryUtil.getInt(b + len - 4);
    }
    if (len == 0) {
      return true;
    }
    // 1 to 3 bytes: the first, the middle and the last cover them all
    return MemoryUtil.getByte(a) == MemoryUtil.getByte(b) && MemoryUtil.getByte(a + (len >> 1)) == MemoryUtil.getByte(b + (len >> 1))
        && MemoryUtil.getByte(a + len - 1) == MemoryUtil.getByte(b + len - 1);
  }

  /** As {@link #equal(long, long, int)} for the {@code len} bytes of {@code b} from {@code x} and from {@code y}. */
  static boolean equal(byte[] b, int x, int y, int len) {
    if (len >= 8) {
      int p = 0;
      for (; p + 8 < len; p += 8) {
        if ((long) LONGS.get(b, x + p) != (long) LONGS.get(b, y + p)) {
          return false;
        }
      }
      return (long) LONGS.get(b, x + len - 8) == (long) LONGS.get(b, y + len - 8);
    }
    if (len >= 4) {
      return (int) INTS.get(b, x) == (int) INTS.get(b, y) && (int) INTS.get(b, x + len - 4) == (int) INTS.get(b, y + len - 4);
    }
    if (len == 0) {
      return true;
    }
    return b[x] == b[y] && b[x + (len >> 1)] == b[y + (len >> 1)] && b[x + len - 1] == b[y + len - 1];
  }

  /** Longs of a byte array in the order {@link MemoryUtil#getLong} reads memory (the platform's). */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  /** Whether an int or short read from memory is its bytes in little-endian order, as the hash's tail assembles them. */
  private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  /** {@link #hash(long, int)} of the {@code len} bytes of {@code b} from {@code off}: the same value for the same bytes. */
  static int hash(byte[] b, int off, int len) {
    long h = 0x9E3779B97F4A7C15L ^ len;
    int p = off;
    int end = off + len;
    while (p + 8 <= end) {
      h = (h ^ (long) LONGS.get(b, p)) * 0xFF51AFD7ED558CCDL;
      h ^= h >>> 29;
      p += 8;
    }
    // the last 0-7 bytes as a little-endian number, read an int, a short and a byte at a time
    int rem = end - p;
    long tail = 0;
    int shift = 0;
    if ((rem & 4) != 0) {
      tail = (int) INTS.get(b, p) & 0xffffffffL;
      p += 4;
      shift = 32;
    }
    if ((rem & 2) != 0) {
      tail |= ((short) SHORTS.get(b, p) & 0xffffL) << shift;
      p += 2;
      shift += 16;
    }
    if ((rem & 1) != 0) {
      tail |= (b[p] & 0xffL) << shift;
    }
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 32;
    return (int) h;
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
    // the last 0-7 bytes as a little-endian number: an int, a short and a byte at a time (where
    // memory is little-endian, as it is on the platforms Arrow runs on), else byte by byte
    long tail = 0;
    int shift = 0;
    if (LITTLE) {
      int rem = (int) (end - p);
      if ((rem & 4) != 0) {
        tail = MemoryUtil.getInt(p) & 0xffffffffL;
        p += 4;
        shift = 32;
      }
      if ((rem & 2) != 0) {
        tail |= (MemoryUtil.getShort(p) & 0xffffL) << shift;
        p += 2;
        shift += 16;
      }
      if ((rem & 1) != 0) {
        tail |= (MemoryUtil.getByte(p) & 0xffL) << shift;
      }
    } else {
      while (p < end) {
        tail |= (MemoryUtil.getByte(p) & 0xffL) << shift;
        shift += 8;
        p++;
      }
    }
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 32;
    return (int) h;
  }
}
