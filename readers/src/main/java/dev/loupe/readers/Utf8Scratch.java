package dev.loupe.readers;

/**
 * Encodes chars to UTF-8 into a reused byte array, exactly as {@code String.getBytes(UTF_8)} does
 * (an unpaired surrogate becomes {@code ?}), without a String or a new array per cell. Not
 * thread-safe.
 */
final class Utf8Scratch {
  private byte[] bytes = new byte[256];

  /** The array the last {@link #encode} wrote into, from index 0. */
  byte[] bytes() {
    return bytes;
  }

  /** Encodes {@code len} chars of {@code buf} from {@code off}; returns how many bytes {@link #bytes()} now holds. */
  int encode(char[] buf, int off, int len) {
    if (bytes.length < 3 * len) {
      bytes = new byte[Math.max(3 * len, 2 * bytes.length)];
    }
    byte[] out = bytes;
    int n = 0;
    int end = off + len;
    int i = off;
    for (; i < end; i++) { // ASCII, the common case
      char c = buf[i];
      if (c >= 0x80) {
        break;
      }
      out[n++] = (byte) c;
    }
    for (; i < end; i++) {
      char c = buf[i];
      if (c < 0x80) {
        out[n++] = (byte) c;
      } else if (c < 0x800) {
        out[n++] = (byte) (0xc0 | c >> 6);
        out[n++] = (byte) (0x80 | c & 0x3f);
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(buf[i + 1])) {
          int cp = Character.toCodePoint(c, buf[++i]);
          out[n++] = (byte) (0xf0 | cp >> 18);
          out[n++] = (byte) (0x80 | cp >> 12 & 0x3f);
          out[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
          out[n++] = (byte) (0x80 | cp & 0x3f);
        } else {
          out[n++] = '?';
        }
      } else {
        out[n++] = (byte) (0xe0 | c >> 12);
        out[n++] = (byte) (0x80 | c >> 6 & 0x3f);
        out[n++] = (byte) (0x80 | c & 0x3f);
      }
    }
    return n;
  }
}
