package dev.loupe.readers;

/**
 * What the text of one CSV cell means. The parsers are strict (no surrounding whitespace, no Java
 * suffixes such as {@code 1f} or {@code 1d}, no hex) and signal a mismatch by a return value, not
 * an exception, because mismatches are ordinary while inferring types.
 */
final class CellText {
  private CellText() {}

  /** True for the text of a 64-bit integer: an optional sign and 1 to 19 digits, in range. */
  static boolean isLong(String s) {
    int n = s.length();
    int i = n > 0 && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
    if (i == n || n - i > 19) {
      return false;
    }
    for (int j = i; j < n; j++) {
      char c = s.charAt(j);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    if (n - i < 19) {
      return true;
    }
    try {
      Long.parseLong(s);
      return true;
    } catch (NumberFormatException overflow) {
      return false;
    }
  }

  /** The double a cell holds, or null when it is not a decimal number, NaN or an infinity. */
  static Double parseDouble(String s) {
    int n = s.length();
    if (n == 0) {
      return null;
    }
    boolean digit = false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
        return special(s);
      }
    }
    if (!digit) {
      return null;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** NaN and infinities as pandas reads them: nan, inf, infinity, with any case and sign. */
  private static Double special(String s) {
    String body = s.charAt(0) == '-' || s.charAt(0) == '+' ? s.substring(1) : s;
    boolean negative = s.charAt(0) == '-';
    if (body.equalsIgnoreCase("nan")) {
      return Double.NaN;
    }
    if (body.equalsIgnoreCase("inf") || body.equalsIgnoreCase("infinity")) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    return null;
  }

  /** {@code true} or {@code false} in any case, else null. */
  static Boolean parseBoolean(String s) {
    if (s.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    if (s.equalsIgnoreCase("false")) {
      return Boolean.FALSE;
    }
    return null;
  }

  /**
   * A non-empty cell as the Java value it is on its own: Long, Double, Boolean or, failing those,
   * the String itself. Used for cells that do not fit their column's inferred type.
   */
  static Object classify(String s) {
    if (isLong(s)) {
      return Long.parseLong(s);
    }
    Double d = parseDouble(s);
    if (d != null) {
      return d;
    }
    Boolean b = parseBoolean(s);
    return b != null ? b : s;
  }
}
