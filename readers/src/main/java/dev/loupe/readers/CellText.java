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
    double fast = fastDouble(s);
    if (fast == fast) { // not the NaN that means "not a simple form"
      return fast;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** 10^0 to 10^22: the powers of ten that are exact doubles (5^22 < 2^53). */
  private static final double[] POWERS_OF_TEN = {
      1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
      1e19, 1e20, 1e21, 1e22};

  /**
   * {@link Double#parseDouble} of a plain decimal, bit for bit, without its general algorithm; NaN
   * (which no such text parses to) when the text is not in the simple form, so the caller asks
   * {@code Double.parseDouble} itself.
   *
   * <p>The simple form: an optional sign, digits with an optional decimal point (at least one
   * digit), an optional exponent {@code e}/{@code E} with an optional sign and one to three digits.
   * Its value is {@code w * 10^q} for the integer {@code w} its digits spell. When {@code w} is at
   * most 2^53 and {@code |q| <= 22}, both {@code w} and {@code 10^|q|} are exact doubles, and one
   * IEEE multiplication or division rounds their exact product or quotient correctly, which is the
   * correctly rounded value {@code parseDouble} returns (Clinger's fast path). Anything else (more
   * significant digits, larger exponents) falls back.
   */
  static double fastDouble(String s) {
    return fastDouble(s.toCharArray(), 0, s.length());
  }

  /**
   * The long a cell spells when it is an optional sign and 1 to 18 digits (which cannot overflow),
   * else {@link Long#MIN_VALUE}, which such a cell never spells: the caller then asks
   * {@link #isLong} and {@link Long#parseLong}.
   */
  static long fastLong(String s) {
    return fastLong(s.toCharArray(), 0, s.length());
  }

  /** {@link #fastDouble(String)} of {@code len} chars of {@code buf} from {@code off}: the same value, or NaN. */
  static double fastDouble(char[] buf, int off, int len) {
    int n = off + len;
    int i = off;
    boolean negative = false;
    if (len > 0 && (buf[off] == '-' || buf[off] == '+')) {
      negative = buf[off] == '-';
      i++;
    }
    long w = 0;
    int significant = 0;
    int digits = 0;
    int fractionDigits = 0;
    boolean point = false;
    for (; i < n; i++) {
      char c = buf[i];
      if (c >= '0' && c <= '9') {
        digits++;
        if (point) {
          fractionDigits++;
        }
        if (w != 0 || c != '0') {
          if (++significant > 18) {
            return Double.NaN;
          }
          w = w * 10 + (c - '0');
        }
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (digits == 0) {
      return Double.NaN;
    }
    int exponent = 0;
    if (i < n) {
      char e = buf[i];
      if (e != 'e' && e != 'E' || ++i == n) {
        return Double.NaN;
      }
      boolean negativeExponent = false;
      if (buf[i] == '-' || buf[i] == '+') {
        negativeExponent = buf[i] == '-';
        if (++i == n) {
          return Double.NaN;
        }
      }
      if (n - i > 3) {
        return Double.NaN;
      }
      for (; i < n; i++) {
        char c = buf[i];
        if (c < '0' || c > '9') {
          return Double.NaN;
        }
        exponent = exponent * 10 + (c - '0');
      }
      if (negativeExponent) {
        exponent = -exponent;
      }
    }
    int q = exponent - fractionDigits;
    if (w > 1L << 53 || q < -22 || q > 22) {
      return Double.NaN;
    }
    double v = q >= 0 ? (double) w * POWERS_OF_TEN[q] : (double) w / POWERS_OF_TEN[-q];
    return negative ? -v : v;
  }

  /** {@link #fastLong(String)} of {@code len} chars of {@code buf} from {@code off}. */
  static long fastLong(char[] buf, int off, int len) {
    int n = off + len;
    int i = len > 0 && (buf[off] == '-' || buf[off] == '+') ? off + 1 : off;
    if (i == n || n - i > 18) {
      return Long.MIN_VALUE;
    }
    long v = 0;
    for (int j = i; j < n; j++) {
      char c = buf[j];
      if (c < '0' || c > '9') {
        return Long.MIN_VALUE;
      }
      v = v * 10 + (c - '0');
    }
    return buf[off] == '-' ? -v : v;
  }

  /**
   * {@link #parseBoolean} of {@code len} chars of {@code buf} from {@code off} as 1 (true), 0
   * (false) or -1 (neither), decided in place for ASCII text; text with other characters (which
   * {@code equalsIgnoreCase} may still match, as U+017F matches {@code s}) is asked as a String.
   */
  static int parseBoolean(char[] buf, int off, int len) {
    if (len != 4 && len != 5) {
      return -1;
    }
    int folded = 0;
    for (int i = off; i < off + len; i++) {
      char c = buf[i];
      if (c >= 0x80) {
        Boolean b = parseBoolean(new String(buf, off, len));
        return b == null ? -1 : b ? 1 : 0;
      }
      folded = folded << 8 | (c | 0x20); // ASCII letters to lower case; other text cannot fold into a letter
    }
    if (len == 4) {
      return folded == ('t' << 24 | 'r' << 16 | 'u' << 8 | 'e') ? 1 : -1;
    }
    return folded == ('a' << 24 | 'l' << 16 | 's' << 8 | 'e') && (buf[off] | 0x20) == 'f' ? 0 : -1;
  }

  /** {@link #epochMillis} of text that is not an ISO-8601 date or timestamp (no such text gives it). */
  static final long NOT_TIME = Long.MIN_VALUE;

  private static final long MILLIS_PER_DAY = 86_400_000L;

  /** {@link #epochMillis(char[], int, int)} of a whole String. */
  static long epochMillis(String s) {
    return epochMillis(s.toCharArray(), 0, s.length());
  }

  /**
   * The instant an ISO-8601 date or timestamp spells, as epoch milliseconds (floored, as the Arrow
   * and Parquet doors floor finer units), or {@link #NOT_TIME}. The forms, as DuckDB sniffs a CSV
   * column as DATE or TIMESTAMP:
   * <pre>
   *   YYYY-MM-DD                                   a date: its UTC midnight
   *   YYYY-MM-DD(T| )HH:MM[:SS[.f]][Z|(+|-)HH:MM]   f: 1 to 9 digits; no offset: UTC
   * </pre>
   * The year has four digits (0000 to 9999); the date must exist (2023-02-29 does not); hours 00
   * to 23, minutes and seconds 00 to 59 (no leap second); offsets at most 18:00, as
   * {@code java.time} allows. Decided in place, without allocating (it runs once per cell of a
   * time column).
   */
  static long epochMillis(char[] buf, int off, int len) {
    if (len < 10 || len > 35) {
      return NOT_TIME;
    }
    int year = digits(buf, off, 4);
    int month = digits(buf, off + 5, 2);
    int day = digits(buf, off + 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || buf[off + 4] != '-' || buf[off + 7] != '-'
        || day > daysInMonth(year, month)) {
      return NOT_TIME;
    }
    long millis = epochDay(year, month, day) * MILLIS_PER_DAY;
    if (len == 10) {
      return millis;
    }
    // the time of day: (T| )HH:MM
    int end = off + len;
    char sep = buf[off + 10];
    if (len < 16 || sep != 'T' && sep != ' ' || buf[off + 13] != ':') {
      return NOT_TIME;
    }
    int hour = digits(buf, off + 11, 2);
    int minute = digits(buf, off + 14, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
      return NOT_TIME;
    }
    millis += hour * 3_600_000L + minute * 60_000L;
    int i = off + 16;
    if (i < end && buf[i] == ':') { // :SS[.f]
      int second = i + 3 <= end ? digits(buf, i + 1, 2) : -1;
      if (second < 0 || second > 59) {
        return NOT_TIME;
      }
      millis += second * 1000L;
      i += 3;
      if (i < end && buf[i] == '.') {
        int from = ++i;
        int fraction = 0;
        for (; i < end && i - from < 9 && buf[i] >= '0' && buf[i] <= '9'; i++) {
          if (i - from < 3) {
            fraction = fraction * 10 + (buf[i] - '0');
          }
        }
        int n = i - from;
        if (n == 0 || i < end && buf[i] >= '0' && buf[i] <= '9') {
          return NOT_TIME; // no digit, or more than 9
        }
        // the first three digits are the milliseconds; further digits are floored away
        millis += n >= 3 ? fraction : n == 2 ? fraction * 10 : fraction * 100;
      }
    }
    if (i == end) {
      return millis; // no offset: UTC
    }
    if (buf[i] == 'Z') {
      return i + 1 == end ? millis : NOT_TIME;
    }
    if (end - i != 6 || buf[i] != '+' && buf[i] != '-' || buf[i + 3] != ':') {
      return NOT_TIME;
    }
    int oh = digits(buf, i + 1, 2);
    int om = digits(buf, i + 4, 2);
    if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > 18 * 60) {
      return NOT_TIME;
    }
    long offset = (oh * 60L + om) * 60_000L;
    return buf[i] == '+' ? millis - offset : millis + offset; // local time minus its offset is UTC
  }

  /** The number {@code n} ASCII digits from {@code at} spell, or -1 when one is not a digit. */
  private static int digits(char[] buf, int at, int n) {
    int v = 0;
    for (int i = at; i < at + n; i++) {
      int d = buf[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static int daysInMonth(int year, int month) {
    return java.time.Month.of(month).length(java.time.Year.isLeap(year));
  }

  /**
   * Days from 1970-01-01 to a proleptic Gregorian date (years 0 to 9999), by counting from
   * 0000-03-01 so that the leap day ends a year (H. Hinnant's days_from_civil).
   */
  private static long epochDay(int year, int month, int day) {
    int y = month <= 2 ? year - 1 : year;
    int era = Math.floorDiv(y, 400);
    int yearOfEra = y - era * 400;                                    // [0, 399]
    int dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1; // [0, 365]
    int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear; // [0, 146096]
    return era * 146_097L + dayOfEra - 719_468;
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
