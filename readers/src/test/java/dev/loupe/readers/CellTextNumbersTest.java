package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The fast number paths of {@link CellText} give exactly what {@link Double#parseDouble} and
 * {@link Long#parseLong} give (bit for bit, sign of zero included), and take no text those reject.
 */
class CellTextNumbersTest {
  static int cases() {
    return Integer.getInteger("loupe.props.cases", 300) * 30;
  }

  /** parseDouble as the reader used it before the fast path: the reference. */
  private static Double reference(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void assertSameDouble(String s) {
    Double expected = reference(s);
    double fast = CellText.fastDouble(s);
    if (fast == fast) {
      assertEquals(Double.valueOf(expected).doubleValue(), fast, 0.0, s); // fails on null: a text parseDouble rejects
      assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(fast), s);
    }
    Double viaCell = CellText.parseDouble(s);
    if (s.chars().allMatch(c -> c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
      if (expected == null) {
        assertEquals(null, viaCell, s);
      } else {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(viaCell), s);
      }
    }
  }

  @Test
  void edgeCases() {
    for (String s : List.of("0", "-0", "+0", "-0.0", "0.000", "-0e5", "1e5", "1E5", "1e+5", "1e-5", ".5", "5.", "-.5",
        "+5.", "00012", "000.000100", "1e22", "1e23", "1e-22", "1e-23", "123456789012345678", "1234567890123456789",
        "12345678901234567890", "9007199254740992", "9007199254740993", "9007199254740993e-5", "0.1", "0.2", "0.3",
        "3.14159265358979323846", "1e308", "1e309", "-1e309", "4.9e-324", "1e-400", "2.2250738585072014e-308",
        "1e999", "1e0000", "1e0001", ".", "-", "+", "e5", "1e", "1e+", "1e-", "1.2.3", "1..2", "--1", "+-1", "1-", "1e5.5",
        "1ee5", "", "0.0000000000000000000000001", "100000000000000000000000", "1.7976931348623157e308",
        "291.47", "0.468", "499.99", "-12.5e-3")) {
      assertSameDouble(s);
    }
  }

  @Test
  void generatedDecimalsParseAsParseDoubleDoes() {
    Gen<String> sign = integers().between(0, 2).map(i -> i == 0 ? "" : i == 1 ? "-" : "+");
    Gen<String> digits = integers().between(0, 22).zip(longs().all(), longs().all(), (n, a, b) -> {
      String d = Long.toUnsignedString(a) + Long.toUnsignedString(b);
      return d.substring(0, Math.min(n, d.length()));
    });
    Gen<String> zeros = integers().between(0, 3).map(i -> "000".substring(i));
    Gen<String> exponent = integers().between(0, 60).zip(integers().between(-350, 350), (k, e) ->
        k < 30 ? "" : (k % 2 == 0 ? "e" : "E") + (k % 3 == 0 && e >= 0 ? "+" : "") + e);
    Gen<String> text = sign.zip(zeros, digits, integers().between(0, 30), (s, z, d, p) -> {
      String body = z + d;
      if (p < 20 && p <= body.length()) {
        body = body.substring(0, p) + "." + body.substring(p); // a point somewhere, maybe first or last
      }
      return s + body;
    }).zip(exponent, (a, e) -> a + e);
    qt().withExamples(cases()).forAll(text).checkAssert(CellTextNumbersTest::assertSameDouble);
  }

  @Test
  void doublesPrintedByJavaParseBack() {
    qt().withExamples(cases()).forAll(doubles().any().zip(integers().between(0, 3), (d, k) -> k == 0 ? d : Math.rint(d % 1e7) / 100)).checkAssert(d -> {
      assertSameDouble(Double.toString(d));
      assertSameDouble(String.format(java.util.Locale.ROOT, "%.3f", d));
      if (Double.isFinite(d)) {
        assertSameDouble(new java.math.BigDecimal(d).toPlainString());
      }
    });
  }

  @Test
  void fastLongIsParseLongOrDefers() {
    qt().withExamples(cases()).forAll(longs().all(), integers().between(0, 19)).checkAssert((x, cut) -> {
      String s = Long.toString(x);
      String shortened = s.substring(0, Math.max(1, Math.min(s.length(), cut + 1)));
      for (String t : List.of(s, shortened, "+" + shortened, "00" + shortened)) {
        long fast = CellText.fastLong(t);
        if (fast != Long.MIN_VALUE) {
          assertEquals(Long.parseLong(t), fast, t);
        } else {
          assertEquals(true, t.replaceFirst("^[+-]", "").length() > 18 || !CellText.isLong(t), t);
        }
      }
    });
    for (String t : List.of("", "-", "+", "1a", "-x", "1.0", "999999999999999999", "-999999999999999999")) {
      long fast = CellText.fastLong(t);
      if (fast != Long.MIN_VALUE) {
        assertEquals(Long.parseLong(t), fast, t);
      }
    }
  }
}
