package dev.loupe.core.metrics;

import java.nio.charset.StandardCharsets;
import org.apache.datasketches.common.ArrayOfItemsSerDe;
import org.apache.datasketches.common.SketchesArgumentException;
import org.apache.datasketches.memory.Memory;

/**
 * Frequent-items strings as whylogs and DataSketches store them: per item a little-endian int32
 * byte length, then that many UTF-8 bytes. Unlike the stock serde, every length is checked
 * against the bytes actually present before anything is allocated, so a corrupt file gives an
 * exception instead of an OutOfMemoryError.
 */
final class Utf8StringSerDe extends ArrayOfItemsSerDe<String> {
  static final Utf8StringSerDe INSTANCE = new Utf8StringSerDe();

  @Override
  public byte[] serializeToByteArray(String item) {
    return serializeToByteArray(new String[] {item});
  }

  @Override
  public byte[] serializeToByteArray(String[] items) {
    byte[][] encoded = new byte[items.length][];
    int total = 0;
    for (int i = 0; i < items.length; i++) {
      encoded[i] = items[i].getBytes(StandardCharsets.UTF_8);
      total += Integer.BYTES + encoded[i].length;
    }
    byte[] out = new byte[total];
    int pos = 0;
    for (byte[] e : encoded) {
      int len = e.length;
      out[pos] = (byte) len;
      out[pos + 1] = (byte) (len >>> 8);
      out[pos + 2] = (byte) (len >>> 16);
      out[pos + 3] = (byte) (len >>> 24);
      System.arraycopy(e, 0, out, pos + 4, len);
      pos += 4 + len;
    }
    return out;
  }

  @Override
  public String[] deserializeFromMemory(Memory mem, long offset, int numItems) {
    long capacity = mem.getCapacity();
    if (numItems < 0 || numItems > (capacity - offset) / Integer.BYTES) {
      throw new SketchesArgumentException("item count " + numItems + " does not fit in "
          + Math.max(0, capacity - offset) + " remaining bytes");
    }
    String[] out = new String[numItems];
    long pos = offset;
    for (int i = 0; i < numItems; i++) {
      if (pos + Integer.BYTES > capacity) {
        throw new SketchesArgumentException("item " + i + " length at byte " + pos + " is past the end (" + capacity + ")");
      }
      int len = mem.getInt(pos);
      pos += Integer.BYTES;
      if (len < 0 || len > capacity - pos) {
        throw new SketchesArgumentException("item " + i + " declares " + len + " bytes but " + (capacity - pos) + " remain");
      }
      byte[] bytes = new byte[len];
      mem.getByteArray(pos, bytes, 0, len);
      out[i] = new String(bytes, StandardCharsets.UTF_8);
      pos += len;
    }
    return out;
  }

  @Override
  public int sizeOf(String item) {
    return Integer.BYTES + item.getBytes(StandardCharsets.UTF_8).length;
  }

  @Override
  public int sizeOf(Memory mem, long offset, int numItems) {
    long capacity = mem.getCapacity();
    long pos = offset;
    for (int i = 0; i < numItems; i++) {
      if (pos + Integer.BYTES > capacity) {
        throw new SketchesArgumentException("item " + i + " is past the end of the sketch");
      }
      int len = mem.getInt(pos);
      if (len < 0 || len > capacity - pos - Integer.BYTES) {
        throw new SketchesArgumentException("item " + i + " declares " + len + " bytes, more than remain");
      }
      pos += Integer.BYTES + len;
    }
    return (int) (pos - offset);
  }

  @Override
  public String toString(String item) {
    return item == null ? "null" : item;
  }

  @Override
  public Class<String> getClassOfT() {
    return String.class;
  }
}
