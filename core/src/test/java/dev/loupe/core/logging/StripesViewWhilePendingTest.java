package dev.loupe.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/**
 * Integers wait in each stripe's count table for their KLL updates (up to 1,048,576 rows): views taken
 * by another thread while three threads log into three stripes must neither lose nor double-count
 * them. Every view's counts and KLL n agree with each other, never go back, and the last one holds
 * every row with the exact min and max.
 */
class StripesViewWhilePendingTest {

  @Test
  void viewsWhileStripesHoldPendingIntegersCountEveryRowOnce() throws Exception {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    MutableClock clock = new MutableClock(t0.plusSeconds(1));
    int threads = 3;
    int calls = 2500;
    int rows = 1000;
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofHours(1)).clock(clock)
        .writer((v, w) -> { }).tick(null).stripes(threads).build()) {
      AtomicBoolean done = new AtomicBoolean();
      List<Long> seen = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      Thread viewer = new Thread(() -> {
        try {
          while (!done.get()) {
            ProfileView v = logger.currentView("d").orElse(null);
            if (v != null) {
              ColumnView c = v.column("x").orElseThrow();
              KllDoublesSketch kll = c.distribution().orElseThrow().sketchCopy();
              assertEquals(c.counts().n(), kll.getN(), "a view's KLL n is its count");
              assertEquals(c.counts().n(), c.types().integral());
              seen.add(c.counts().n());
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      viewer.start();
      List<Thread> loggers = new ArrayList<>();
      for (int th = 0; th < threads; th++) {
        int seed = th;
        Thread t = new Thread(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          long[] v = new long[rows];
          for (int call = 0; call < calls; call++) {
            for (int i = 0; i < rows; i++) {
              v[i] = r.nextInt(4) == 0 ? r.nextInt(3000) - 1500 : r.nextInt(5);
            }
            v[0] = seed == 1 && call == 7 ? Long.MIN_VALUE : v[0];
            v[1] = seed == 2 && call == 2000 ? Long.MAX_VALUE : v[1];
            logger.log("d", t0.plusSeconds(2), p -> p.column("x").appendLongs(v, 0, rows));
          }
        });
        loggers.add(t);
        t.start();
      }
      for (Thread t : loggers) {
        t.join();
      }
      done.set(true);
      viewer.join();
      assertTrue(failures.isEmpty(), failures.toString());
      for (int i = 1; i < seen.size(); i++) {
        assertTrue(seen.get(i - 1) <= seen.get(i), "views never go back: " + seen.get(i - 1) + " then " + seen.get(i));
      }
      assertTrue(seen.size() > 2, "the viewer saw the stripes while they were fed: " + seen.size() + " views");
      ColumnView c = logger.currentView("d").orElseThrow().column("x").orElseThrow();
      long total = (long) threads * calls * rows;
      KllDoublesSketch kll = c.distribution().orElseThrow().sketchCopy();
      assertEquals(total, c.counts().n());
      assertEquals(total, kll.getN());
      assertEquals((double) Long.MIN_VALUE, kll.getMinItem());
      assertEquals((double) Long.MAX_VALUE, kll.getMaxItem());
      assertEquals(Long.MIN_VALUE, c.ints().orElseThrow().min().getAsLong());
      assertEquals(Long.MAX_VALUE, c.ints().orElseThrow().max().getAsLong());
    }
  }
}
