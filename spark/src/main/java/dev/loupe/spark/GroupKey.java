package dev.loupe.spark;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A group's key as one String, so Spark shuffles it with any serializer: the window start in
 * epoch milliseconds, then each segment value percent-encoded, separated by '/'. A null segment
 * value is a bare "~", which encoding never produces (only [A-Za-z0-9_-] stay unencoded).
 * The same encoding makes the file-name-safe segment part of a dataset id.
 */
final class GroupKey {
  /** The "window" of rows without a time (or when no time column is set). */
  static final long NO_TIME = Long.MIN_VALUE;
  static final String NULL = "~";

  private GroupKey() {}

  static String encode(long windowStartMillis, String[] segment) {
    StringBuilder sb = new StringBuilder(32);
    sb.append(windowStartMillis);
    for (String s : segment) {
      sb.append('/');
      sb.append(s == null ? NULL : escape(s));
    }
    return sb.toString();
  }

  static long windowOf(String key) {
    int slash = key.indexOf('/');
    return Long.parseLong(slash < 0 ? key : key.substring(0, slash));
  }

  /** The segment values of a key, nulls included. */
  static List<String> segmentOf(String key) {
    List<String> parts = new ArrayList<>(Arrays.asList(key.split("/", -1)));
    parts.remove(0);
    List<String> out = new ArrayList<>(parts.size());
    for (String p : parts) {
      out.add(p.equals(NULL) ? null : unescape(p));
    }
    return out;
  }

  /** Percent-encodes every UTF-8 byte outside [A-Za-z0-9_-]: safe in file names and S3 keys, and reversible. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  static String unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
