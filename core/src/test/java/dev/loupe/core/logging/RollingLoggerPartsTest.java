package dev.loupe.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.internal.OpenWindows;
import dev.loupe.core.logging.internal.WindowDelivery;
import dev.loupe.core.logging.internal.Windows;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RollingLogger's parts on their own: WindowDelivery (parts, held windows, retries) and OpenWindows. */
class RollingLoggerPartsTest {
  private static final Windows MINUTES = Windows.of(Duration.ofMinutes(1), Duration.ZERO);
  private static final long T0 = RollingLoggerTest.T0.toEpochMilli();

  private static ProfileView rows(int n) {
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY);
    for (int i = 0; i < n; i++) {
      p.track(Map.of("x", i));
    }
    return p.view();
  }

  @Test
  void partsAreNumberedPerWindowAndContinueAfterARestore() {
    RollingLoggerTest.MemoryWriter out = new RollingLoggerTest.MemoryWriter();
    WindowDelivery d = new WindowDelivery(List.of(out), new MutableClock(RollingLoggerTest.T0));
    assertEquals(0, d.stage(MINUTES.info("a", T0, 0, Map.of()), rows(1), true).part());
    assertEquals(1, d.stage(MINUTES.info("a", T0, 0, Map.of()), rows(1), true).part());
    assertEquals(0, d.stage(MINUTES.info("b", T0, 0, Map.of()), rows(1), true).part());
    assertEquals(0, d.stage(MINUTES.info("a", T0 + 60_000, 0, Map.of()), rows(1), true).part());
    assertEquals(new WindowDelivery.Result(4, null), d.deliver());
    assertEquals(4, out.windows.size());
    // the dataset timestamp of a written window is its start
    assertEquals(java.util.Optional.of(RollingLoggerTest.T0), out.views.get(0).properties().datasetTimestamp());

    WindowDelivery after = new WindowDelivery(List.of(out), new MutableClock(RollingLoggerTest.T0));
    after.restoreParts(d.parts());
    assertEquals(2, after.stage(MINUTES.info("a", T0, 0, Map.of()), rows(1), true).part());
  }

  @Test
  void aHeldWindowIsWrittenOnlyOnceMarkedReady() {
    RollingLoggerTest.MemoryWriter out = new RollingLoggerTest.MemoryWriter();
    WindowDelivery d = new WindowDelivery(List.of(out), new MutableClock(RollingLoggerTest.T0));
    d.stage(MINUTES.info("a", T0, 0, Map.of()), rows(3), false);
    assertTrue(d.hasHeld());
    assertEquals(new WindowDelivery.Result(0, null), d.deliver());
    assertEquals(0, out.windows.size());
    d.markReady(d.items());
    assertFalse(d.hasHeld());
    assertEquals(new WindowDelivery.Result(1, null), d.deliver());
    assertEquals(3, out.totalCount("x"));
    assertEquals(0, d.size());
  }

  @Test
  void aFailingWriterIsRetriedAloneAndAskedOncePerDelivery() {
    RollingLoggerTest.MemoryWriter good = new RollingLoggerTest.MemoryWriter();
    RollingLoggerTest.MemoryWriter down = new RollingLoggerTest.MemoryWriter();
    down.failing.set(true);
    WindowDelivery d = new WindowDelivery(List.of(good, down), new MutableClock(RollingLoggerTest.T0));
    for (int i = 0; i < 3; i++) {
      d.stage(MINUTES.info("a", T0 + i * 60_000L, 0, Map.of()), rows(i + 1), true);
    }
    WindowDelivery.Result r = d.deliver();
    assertEquals(0, r.completed());
    assertNotNull(r.failure());
    assertTrue(r.failure().contains("store is down"), r.failure());
    assertEquals(1, d.writeFailures(), "a broken writer is asked once per delivery, not once per window");
    assertEquals(3, good.windows.size());
    assertEquals(3, d.pendingWrites());
    assertEquals(3, d.size());

    d.deliver();
    assertEquals(3, good.windows.size(), "the writer that took the windows is not asked again");
    down.failing.set(false);
    assertEquals(new WindowDelivery.Result(3, null), d.deliver());
    assertEquals(6, down.totalCount("x"));
    assertEquals(6, good.totalCount("x"));
    assertEquals(0, d.pendingWrites());
    assertEquals(6, d.windowsWritten());
  }

  @Test
  void partCountersOfClosedWindowsAreForgottenUnlessAWindowIsStillStaged() {
    RollingLoggerTest.MemoryWriter down = new RollingLoggerTest.MemoryWriter();
    down.failing.set(true);
    WindowDelivery d = new WindowDelivery(List.of(down), new MutableClock(RollingLoggerTest.T0));
    d.stage(MINUTES.info("a", T0, 0, Map.of()), rows(1), true);
    d.stage(MINUTES.info("b", T0, 0, Map.of()), rows(1), true);
    down.failing.set(false);
    d.deliver();
    assertEquals(0, d.size());
    d.stage(MINUTES.info("b", T0, 0, Map.of()), rows(1), false); // part 1, held
    long now = T0 + 120_000;
    d.forgetParts(start -> MINUTES.isDue(start, now));
    assertEquals(Map.of(new WindowDelivery.PartKey("b", T0), 2), d.parts());
    assertTrue(d.hasParts("b", T0));
    assertFalse(d.hasParts("a", T0));
  }

  @Test
  void lateRowsAreRefusedByTheOneCheckWithTheWindowTheyMissed() {
    MutableClock clock = new MutableClock(RollingLoggerTest.T0.plusSeconds(61));
    OpenWindows open = new OpenWindows(MINUTES, clock, 2);
    LateDataException e = org.junit.jupiter.api.Assertions.assertThrows(LateDataException.class,
        () -> open.log("a", RollingLoggerTest.T0.plusSeconds(5), p -> p.track(Map.of("x", 1))));
    assertEquals(RollingLoggerTest.T0.plusSeconds(60), e.windowEnd());
    assertEquals(Duration.ZERO, e.lateness());
    assertEquals(Map.of(), open.starts(), "nothing was opened for the late row");
    open.log("a", RollingLoggerTest.T0.plusSeconds(65), p -> p.track(Map.of("x", 1)));
    assertEquals(Map.of("a", List.of(RollingLoggerTest.T0.plusSeconds(60))), open.starts());
  }

  @Test
  void closingHandsDueWindowsOldestFirstAndSealedStatesHoldWhatWasLoggedBefore() throws Exception {
    MutableClock clock = new MutableClock(RollingLoggerTest.T0);
    OpenWindows open = new OpenWindows(MINUTES, clock, 3);
    open.log("a", RollingLoggerTest.T0.plusSeconds(70), p -> p.track(Map.of("x", 1)));
    open.log("a", RollingLoggerTest.T0.plusSeconds(10), p -> p.track(Map.of("x", 1)));
    open.log("a", RollingLoggerTest.T0.plusSeconds(11), p -> p.track(Map.of("x", 2)));
    OpenWindows.Sealed sealed = open.seal();
    open.log("a", RollingLoggerTest.T0.plusSeconds(12), p -> p.track(Map.of("x", 3)));
    List<OpenWindows.State> states = sealed.states();
    assertEquals(2, states.size());
    assertEquals(T0, states.get(0).start());
    assertEquals(2, states.get(0).view().column("x").orElseThrow().counts().n());

    List<Long> handed = new java.util.ArrayList<>();
    List<Long> counts = new java.util.ArrayList<>();
    assertEquals(0, open.close(T0 + 59_999, false, (ds, start, view) -> handed.add(start)));
    assertEquals(2, open.close(T0 + 60_000, true, (ds, start, view) -> {
      handed.add(start);
      counts.add(view.column("x").orElseThrow().counts().n());
    }));
    assertEquals(List.of(T0, T0 + 60_000), handed);
    assertEquals(List.of(3L, 1L), counts);
    assertEquals(Map.of(), open.starts());
  }

  @Test
  void aThreadWhoseStripeIsBusyTakesAFreeOneAndWaitsOnlyWhenAllAreBusy() throws Exception {
    int stripes = 4;
    OpenWindows open = new OpenWindows(MINUTES, new MutableClock(RollingLoggerTest.T0), stripes);
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(stripes);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new java.util.ArrayList<>();
    Runnable logOne = () -> open.log("a", RollingLoggerTest.T0, p -> {
      most.accumulateAndGet(inside.incrementAndGet(), Math::max);
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      p.track(Map.of("x", 1));
      inside.decrementAndGet();
    });
    // five threads whose ids all pick the same stripe first (OpenWindows hashes the thread id so): with
    // stripes chosen by thread id alone, they would track one at a time
    while (threads.size() < stripes + 1) {
      Thread th = new Thread(logOne);
      long mixed = th.getId() * 0x9E3779B97F4A7C15L;
      if (Math.floorMod(mixed >>> 32, (long) stripes) == 0) {
        threads.add(th);
      }
    }
    for (Thread th : threads) {
      th.start();
    }
    try {
      assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS), "every stripe in use at once");
      Thread.sleep(200);
      assertEquals(stripes, most.get(), "the fifth thread waits: a stripe is one update at a time");
    } finally {
      release.countDown();
      for (Thread th : threads) {
        th.join(10_000);
      }
    }
    assertEquals(stripes + 1, open.currentView("a").orElseThrow().column("x").orElseThrow().counts().n());
  }
}
