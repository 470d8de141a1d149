package dev.loupe.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import org.junit.jupiter.api.Test;

/** The one display rule for numbers, on its edge cases and, as a property, against the value it shows. */
class NumberFormatTest {

  @Test
  void specialValues() {
    for (NumberFormat f : new NumberFormat[] {NumberFormat.CELL, NumberFormat.PAGE,
        NumberFormat.MESSAGE}) {
      assertEquals("NaN", f.format(Double.NaN));
      assertEquals("inf", f.format(Double.POSITIVE_INFINITY));
      assertEquals("-inf", f.format(Double.NEGATIVE_INFINITY));
      assertEquals("0", f.format(0.0));
      assertEquals("0", f.format(-0.0), "negative zero shows as 0");
      assertEquals("-7", f.format(-7.0), "an integral double has no decimal point");
      assertEquals("1e-5", f.format(0.00001), "scientific below 1e-4, no exponent padding");
      assertEquals("-1e-300", f.format(-1e-300));
      assertEquals("4.9e-324", f.format(Double.MIN_VALUE).replaceAll("(4\\.9)\\d*", "$1"), "the smallest double");
      assertEquals("0.0001", f.format(0.0001), "1e-4 itself is plain");
    }
  }

  @Test
  void theSummaryTableCells() {
    NumberFormat f = NumberFormat.CELL;
    assertEquals("38.5", f.format(38.5));
    assertEquals("16.439", f.format(16.43912));
    assertEquals("1234.6", f.format(1234.5678));
    assertEquals("1.235", f.format(1.23456), "at most 3 decimals");
    assertEquals("0.01235", f.format(0.012345), "below 1: 3 digits after the first significant one");
    assertEquals("1234568", f.format(1234567.89), "integer digits are never rounded away");
    assertEquals("1.23e-5", f.format(0.0000123));
    assertEquals("1.23e9", f.format(1.23e9));
    assertEquals("2.92e8", f.format(292_000_000L));
    assertEquals("99999999", f.format(99_999_999L));
    assertEquals("1e8", f.format(100_000_000L));
    assertEquals("1.8e308", f.format(Double.MAX_VALUE));
    assertEquals("-9.22e18", f.format(Long.MIN_VALUE));
    assertEquals("1e8", f.format(99_999_999.9), "rounding carries into the next power of ten");
    assertEquals("2", f.format(1.99996), "rounded to an integer: no decimal point");
    assertEquals("-0.5", f.format(-0.5));
  }

  @Test
  void thePages() {
    NumberFormat f = NumberFormat.PAGE;
    assertEquals("1,234,567", f.format(1234567.0), "integers in full, grouped");
    assertEquals("-1,234,568", f.format(-1234567.5), "half-even on the exact value");
    assertEquals("-1,234,568", f.format(-1234567.6));
    assertEquals("12,346", f.format(12345.67));
    assertEquals("123.5", f.format(123.456));
    assertEquals("0.1235", f.format(0.123456));
    assertEquals("-0.5", f.format(-0.5), "a negative fraction keeps its sign when grouped");
    assertEquals("1e15", f.format(1e15));
    assertEquals("999,999,999,999,999", f.format(999_999_999_999_999L));
    assertEquals("1.235e15", f.format(1234567890123456.0));
    assertEquals("3,000", f.format(3000L));
  }

  @Test
  void messages() {
    NumberFormat f = NumberFormat.MESSAGE;
    assertEquals("65.03", f.format(65.03));
    assertEquals("0.123457", f.format(0.1234567));
    assertEquals("1.23457", f.format(1.2345678));
    assertEquals("1000000", f.format(1e6));
    assertEquals("1234567", f.format(1234567.4));
    assertEquals("0.05", f.format(0.05));
  }

  @Test
  void fixedColumns() {
    assertEquals("-", NumberFormat.fixed(null, 4));
    assertEquals("0.0000", NumberFormat.fixed(0.0, 4));
    assertEquals("1.0000", NumberFormat.fixed(1.0, 4));
    assertEquals("2922.0000", NumberFormat.fixed(2922.0, 4));
    assertEquals("0.1040", NumberFormat.fixed(0.10404, 4));
    assertEquals("2.17e-06", NumberFormat.fixed(2.1712e-6, 4), "docs/drift.md's p-values");
    assertEquals("1.82e-109", NumberFormat.fixed(1.82e-109, 4));
    assertEquals("inf", NumberFormat.fixed(Double.POSITIVE_INFINITY, 4));
    assertEquals("-inf", NumberFormat.fixed(Double.NEGATIVE_INFINITY, 4));
    assertEquals("NaN", NumberFormat.fixed(Double.NaN, 4));
  }

  @Test
  void groupedCounts() {
    assertEquals("0", NumberFormat.grouped(0));
    assertEquals("999", NumberFormat.grouped(999));
    assertEquals("1,000", NumberFormat.grouped(1000));
    assertEquals("-9,223,372,036,854,775,808", NumberFormat.grouped(Long.MIN_VALUE));
  }

  /**
   * Any finite double: what the cell shows parses back (the scientific form too) to a number within
   * half a unit of the last digit shown of the value, so no rounding rule error hides in a digit.
   */
  @Test
  void whatIsShownIsTheValueRoundedToTheDigitsShown() {
    shownWithinHalfADigit(1.7953525757059196E308); // rounds past Double.MAX_VALUE: once found by the search
    qt().withExamples(20_000).forAll(doubles().any()).checkAssert(NumberFormatTest::shownWithinHalfADigit);
  }

  static void shownWithinHalfADigit(double v) {
    for (NumberFormat f : new NumberFormat[] {NumberFormat.CELL, NumberFormat.MESSAGE, NumberFormat.PAGE}) {
      String s = f.format(v);
      if (!Double.isFinite(v)) {
        continue;
      }
      String mantissa = s.replace(",", "").replace("-", "").split("e")[0];
      int exp = s.contains("e") ? Integer.parseInt(s.split("e")[1]) : 0;
      int dot = mantissa.indexOf('.');
      int decimals = dot < 0 ? 0 : mantissa.length() - dot - 1;
      // in decimal arithmetic: what is shown may round past Double.MAX_VALUE (1.797e308 shown as 1.8e308)
      java.math.BigDecimal error = new java.math.BigDecimal(s.replace(",", "")).subtract(new java.math.BigDecimal(v)).abs();
      java.math.BigDecimal bound = java.math.BigDecimal.ONE.scaleByPowerOfTen(exp - decimals)
          .multiply(new java.math.BigDecimal("0.5000000005")).add(new java.math.BigDecimal(Math.ulp(v)));
      assertTrue(error.compareTo(bound) <= 0, v + " shown as " + s + " by " + f);
      assertTrue(s.replace(",", "").replaceAll("e.*", "").replace("-", "").replace(".", "").replaceFirst("^0+", "")
          .length() <= 20, s);
    }
  }
}
