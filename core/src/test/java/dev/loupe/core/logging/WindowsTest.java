package dev.loupe.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.logging.internal.Windows;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowsTest {
  private final Windows hourly = Windows.of(Duration.ofHours(1), Duration.ofMinutes(5));

  @Test
  void windowsAlignToUtcMultiplesAlsoBefore1970() {
    assertEquals(3_600_000L, hourly.startOf(3_600_000L));
    assertEquals(3_600_000L, hourly.startOf(7_199_999L));
    assertEquals(-3_600_000L, hourly.startOf(-1));
    assertEquals(7_200_000L, hourly.endOf(3_600_000L));
    assertEquals(7_500_000L, hourly.closesAt(3_600_000L));
  }

  @Test
  void lateIsEndPlusLateness() {
    assertFalse(hourly.isLate(3_600_000L, 7_499_999L));
    assertTrue(hourly.isLate(3_600_000L, 7_500_000L));
  }

  @Test
  void extremeTimestampsSaturateInsteadOfOverflowing() {
    long start = hourly.startOf(Long.MAX_VALUE);
    assertEquals(Long.MAX_VALUE, hourly.closesAt(start));
    assertFalse(hourly.isLate(Long.MAX_VALUE, System.currentTimeMillis()), "far future, not late");
    assertTrue(hourly.isLate(Long.MIN_VALUE, System.currentTimeMillis()), "far past is late");
  }
}
