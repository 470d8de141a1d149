package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.loupe.core.logging.internal.Windows;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The rotation's lock-free tick moves the clock only when no window becomes due in between
 * ({@link Ingest#noWindowBecomesDue}): checked against core's own lateness rule, window by window.
 */
class QuietTickTest {

  /** Brute force: some window start near the two clocks is due at {@code to} but not at {@code from}. */
  private static boolean someWindowBecomesDue(Windows w, long from, long to) {
    long span = w.windowMillis() + w.latenessMillis();
    long first = w.startOf(from - span) - 2 * w.windowMillis();
    for (long s = first; s <= to; s += w.windowMillis()) {
      if (w.isDue(s, to) && !w.isDue(s, from)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void agreesWithTheLatenessRuleOfEveryWindow() {
    long now = 1_764_000_000_000L;
    qt().forAll(integers().between(1, 7200), integers().between(0, 7200), longs().between(0, 3 * 3_600_000L),
        integers().between(0, 5000)).checkAssert((windowSeconds, latenessSeconds, offset, step) -> {
          Windows w = Windows.of(Duration.ofMillis(windowSeconds * 1000L / 7 + 1), Duration.ofMillis(latenessSeconds * 13L));
          long from = now + offset;
          long to = from + step;
          assertEquals(!someWindowBecomesDue(w, from, to), Ingest.noWindowBecomesDue(w, from, to),
              w + " from " + from + " to " + to);
        });
  }

  @Test
  void aTickThatCrossesAClosingTimeTakesTheLock() {
    Windows hourly = Windows.of(Duration.ofHours(1), Duration.ofMinutes(5));
    long start = 1_764_000_000_000L - Math.floorMod(1_764_000_000_000L, 3_600_000L);
    long closes = hourly.closesAt(start); // start + 1 h + 5 min
    assertEquals(true, Ingest.noWindowBecomesDue(hourly, closes - 2000, closes - 1));
    assertEquals(false, Ingest.noWindowBecomesDue(hourly, closes - 1000, closes));
    assertEquals(true, Ingest.noWindowBecomesDue(hourly, closes, closes + 1000));
    assertEquals(false, Ingest.noWindowBecomesDue(hourly, closes + 1000, closes - 1000)); // backwards: locked path
  }
}
