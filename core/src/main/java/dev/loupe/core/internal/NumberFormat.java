package dev.loupe.core.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * How Loupe shows a number to a person: the one rule behind the CLI's summary table, the HTML
 * report and monitor page, and the constraint messages (drift's table keeps its fixed-decimal
 * columns, {@link #fixed}). Shared between Loupe's modules; not user API.
 *
 * <p>The rule, for {@link #format(double)}:
 * <ul>
 *   <li>NaN is {@code NaN}, infinities are {@code inf} and {@code -inf}; zero (also -0.0) is {@code 0}.
 *   <li>A magnitude below 1e-4 or at least {@code sciAbove} (before or after rounding) is scientific with {@code sciDigits}
 *       significant digits, trailing zeros dropped, no plus sign or leading zeros in the exponent:
 *       {@code 1.23e8}, {@code -2.5e-7}.
 *   <li>Otherwise an integral value is written in full ({@code grouping}: with thousands commas).
 *   <li>Otherwise at most {@code significant} significant digits and at most {@code maxDecimals} digits after
 *       the decimal point or, below 1, after the first significant digit; integer digits are never
 *       rounded away; trailing zeros dropped.
 * </ul>
 * Rounding is half-even on the double's exact binary value.
 */
public final class NumberFormat {
  /** Below this magnitude a non-zero number is scientific. */
  public static final double SCI_BELOW = 1e-4;

  /** Table cells 9 characters wide (the CLI's summary table): 5 digits, 3 decimals, scientific from 1e8. */
  public static final NumberFormat CELL = new NumberFormat(5, 3, 1e8, 3, false);
  /** The HTML pages: 4 significant digits, thousands grouped, scientific from 1e15. */
  public static final NumberFormat PAGE = new NumberFormat(4, 3, 1e15, 4, true);
  /** Messages that quote thresholds and measurements (constraints): 6 significant digits. */
  public static final NumberFormat MESSAGE = new NumberFormat(6, 6, 1e15, 6, false);

  private final int significant;
  private final int maxDecimals;
  private final double sciAbove;
  private final int sciDigits;
  private final boolean grouping;

  private NumberFormat(int significant, int maxDecimals, double sciAbove, int sciDigits, boolean grouping) {
    this.significant = significant;
    this.maxDecimals = maxDecimals;
    this.sciAbove = sciAbove;
    this.sciDigits = sciDigits;
    this.grouping = grouping;
  }

  /** {@code v} by the rule above. */
  public String format(double v) {
    String special = special(v);
    if (special != null) {
      return special;
    }
    double a = Math.abs(v);
    if (a == 0) {
      return "0";
    }
    if (a < SCI_BELOW || a >= sciAbove) {
      return scientific(v, sciDigits);
    }
    if (v == Math.rint(v)) {
      return integer((long) v);
    }
    BigDecimal b = new BigDecimal(v);
    if (a >= 1) {
      int integerDigits = b.precision() - b.scale();
      b = b.setScale(Math.max(0, Math.min(maxDecimals, significant - integerDigits)), RoundingMode.HALF_EVEN);
    } else {
      b = b.round(new MathContext(Math.min(significant, maxDecimals + 1), RoundingMode.HALF_EVEN));
    }
    if (b.abs().doubleValue() >= sciAbove) {
      return scientific(v, sciDigits); // rounding carried into the scientific range
    }
    String s = b.stripTrailingZeros().toPlainString();
    if (!grouping) {
      return s;
    }
    String sign = s.startsWith("-") ? "-" : "";
    String digits = sign.isEmpty() ? s : s.substring(1);
    int dot = digits.indexOf('.');
    String whole = dot < 0 ? digits : digits.substring(0, dot);
    return sign + grouped(Long.parseLong(whole)) + (dot < 0 ? "" : digits.substring(dot));
  }

  /** A whole number (a count) by the rule: in full, with thousands commas where this format groups. */
  public String format(long v) {
    if (Math.abs((double) v) >= sciAbove) {
      return scientific(v, sciDigits);
    }
    return integer(v);
  }

  private String integer(long v) {
    return grouping ? grouped(v) : Long.toString(v);
  }

  /** A count with thousands commas: {@code 1,234,567}. */
  public static String grouped(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  /**
   * A fixed-decimal table column (drift's statistic and p-value): {@code decimals} decimals, a
   * non-zero magnitude below 10^-decimals in Java's {@code %.2e} ({@code 2.17e-06}, as docs/drift.md shows),
   * {@code inf}/{@code -inf}/{@code NaN}, and {@code -} for no value.
   */
  public static String fixed(Double v, int decimals) {
    if (v == null) {
      return "-";
    }
    String special = special(v);
    if (special != null) {
      return special;
    }
    if (v != 0 && Math.abs(v) < Math.pow(10, -decimals)) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** {@code NaN}, {@code inf} or {@code -inf}; null for a finite value. */
  static String special(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return null;
  }

  /** {@code v} with {@code digits} significant digits: {@code 1.23e8}, {@code -2.5e-7}. */
  static String scientific(double v, int digits) {
    BigDecimal b = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    int exponent = b.precision() - b.scale() - 1;
    BigDecimal mantissa = b.movePointLeft(exponent).stripTrailingZeros();
    return mantissa.toPlainString() + "e" + exponent;
  }
}
