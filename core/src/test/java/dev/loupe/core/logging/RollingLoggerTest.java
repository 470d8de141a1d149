package dev.loupe.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollingLoggerTest {
  static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  /** Collects what it is handed; can be told to fail. */
  static final class MemoryWriter implements Writer {
    final List<WindowInfo> windows = Collections.synchronizedList(new ArrayList<>());
    final List<ProfileView> views = Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean failing = new AtomicBoolean();

    @Override
    public void write(ProfileView view, WindowInfo window) throws IOException {
      if (failing.get()) {
        throw new IOException("store is down");
      }
      windows.add(window);
      views.add(view);
    }

    long totalCount(String column) {
      synchronized (views) {
        return views.stream().mapToLong(v -> v.column(column).map(c -> c.counts().n()).orElse(0L)).sum();
      }
    }
  }

  @Test
  void writesEachFinishedWindowWithItsAlignedStartAsDatasetTimestamp() throws Exception {
    MutableClock clock = new MutableClock(T0.plusSeconds(5));
    MemoryWriter out = new MemoryWriter();
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofMinutes(1)).clock(clock).writer(out)
        .tick(null).tag("env", "test").build()) {
      logger.log("orders", Map.of("amount", 1));
      logger.log("orders", Map.of("amount", 2));
      clock.advanceMillis(60_000);
      logger.log("orders", Map.of("amount", 3));
      logger.flushDue();
      assertEquals(1, out.windows.size(), "only the first window is finished");
      WindowInfo w = out.windows.get(0);
      assertEquals(T0, w.start());
      assertEquals(T0.plusSeconds(60), w.end());
      assertEquals("orders", w.datasetId());
      ProfileView v = out.views.get(0);
      assertEquals(2, v.column("amount").orElseThrow().counts().n());
      assertEquals(T0, v.properties().datasetTimestamp().orElseThrow());
      assertEquals("test", v.properties().tags().get("env"));
    }
    assertEquals(2, out.windows.size(), "close() writes the open window");
    assertEquals(3, out.totalCount("amount"));
  }

  @Test
  void lateRowsWithinLatenessJoinTheirWindowAndLaterOnesAreRefusedLoudly() throws Exception {
    MutableClock clock = new MutableClock(T0.plusSeconds(70));
    MemoryWriter out = new MemoryWriter();
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofMinutes(1)).lateness(Duration.ofSeconds(30))
        .clock(clock).writer(out).tick(null).build()) {
      logger.log("d", T0.plusSeconds(10), Map.of("x", 1)); // window [T0, T0+60) still open until T0+90
      logger.flushDue();
      assertEquals(0, out.windows.size());
      clock.set(T0.plusSeconds(90));
      logger.flushDue();
      assertEquals(1, out.windows.size());
      assertEquals(T0, out.windows.get(0).start());
      LateDataException e = assertThrows(LateDataException.class,
          () -> logger.log("d", T0.plusSeconds(20), Map.of("x", 2)));
      assertTrue(e.getMessage().contains("lateness"), e.getMessage());
    }
    assertEquals(1, out.totalCount("x"));
  }

  @Test
  void aWindowFlushedEarlyIsWrittenAgainAsALaterPartNeverOverwritten(@TempDir Path dir) throws Exception {
    MutableClock clock = new MutableClock(T0);
    LocalDirectoryWriter local = new LocalDirectoryWriter(dir);
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofHours(1)).clock(clock).writer(local)
        .tick(null).build()) {
      logger.log("d", Map.of("x", 1));
      logger.flushAll();
      logger.log("d", Map.of("x", 2));
      logger.log("d", Map.of("x", 3));
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
    }
    assertEquals(List.of(
        dir.resolve("d/2026/11/21/d-20261121T100000Z-local-p1.bin"),
        dir.resolve("d/2026/11/21/d-20261121T100000Z-local.bin")), files);
    long total = 0;
    for (Path f : files) {
      total += ProfileView.read(f).column("x").orElseThrow().counts().n();
    }
    assertEquals(3, total);
  }

  @Test
  void failedWritesAreKeptAndRetriedUntilTheStoreIsBack() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MemoryWriter out = new MemoryWriter();
    out.failing.set(true);
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofMinutes(1)).clock(clock).writer(out)
        .tick(null).build()) {
      for (int minute = 0; minute < 3; minute++) {
        logger.log("d", Map.of("x", minute));
        clock.advanceMillis(60_000);
        logger.flushDue();
      }
      assertEquals(3, logger.pendingWrites());
      assertEquals(0, out.windows.size());
      out.failing.set(false);
      logger.flushDue();
      assertEquals(0, logger.pendingWrites());
      assertEquals(3, out.windows.size());
      assertEquals(3, out.totalCount("x"));
    }
  }

  @Test
  void closeReportsWindowsItCouldNotWrite() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MemoryWriter out = new MemoryWriter();
    out.failing.set(true);
    RollingLogger logger = RollingLogger.builder().window(Duration.ofMinutes(1)).clock(clock).writer(out)
        .tick(null).build();
    logger.log("orders", Map.of("x", 1));
    IOException e = assertThrows(IOException.class, logger::close);
    assertTrue(e.getMessage().contains("orders"), e.getMessage());
    assertTrue(e.getMessage().contains("could not be written"), e.getMessage());
  }

  @Test
  void heartbeatWritesAnEmptyProfileForAQuietWindow() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MemoryWriter out = new MemoryWriter();
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofMinutes(1)).clock(clock).writer(out)
        .tick(null).heartbeat(true).build()) {
      logger.log("d", Map.of("x", 1));
      clock.advanceMillis(60_000);
      logger.flushDue(); // writes the window with data
      clock.advanceMillis(60_000);
      logger.flushDue(); // the second window had no rows: heartbeat
      assertEquals(2, out.windows.size());
      assertEquals(T0.plusSeconds(60), out.windows.get(1).start());
      assertTrue(out.views.get(1).columns().isEmpty());
    }
  }

  @Test
  void manyThreadsLoggingAcrossBoundariesLoseNoRow() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MemoryWriter out = new MemoryWriter();
    int threads = 4;
    int rowsPerThread = 20_000;
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofSeconds(1)).clock(clock).writer(out)
        .tick(Duration.ofMillis(1)).build()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < rowsPerThread; i++) {
            logger.log("d" + (i % 2), Map.of("x", i, "t", id));
            if (id == 0 && i % 500 == 0) {
              clock.advanceMillis(250); // windows rotate while the others log
            }
          }
        });
        th.start();
        workers.add(th);
      }
      start.countDown();
      for (Thread th : workers) {
        th.join();
      }
    }
    assertEquals((long) threads * rowsPerThread, out.totalCount("x"));
    assertTrue(out.windows.size() > 10, "rotated many times: " + out.windows.size());
  }

  @Test
  void openWindowsAndFailedWritesSurviveAHandOverToANewLogger() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MemoryWriter down = new MemoryWriter();
    down.failing.set(true);
    RollingLogger first = RollingLogger.builder().window(Duration.ofMinutes(1)).clock(clock).writer(down)
        .tick(null).build();
    first.log("d", Map.of("x", 1));
    clock.advanceMillis(60_000);
    first.flushDue(); // fails: pending
    first.log("d", Map.of("x", 2));
    first.log("d", Map.of("x", 3));
    List<RollingLogger.WindowState> open = first.openWindowStates();
    List<RollingLogger.WindowState> pending = first.pendingWriteStates();
    assertEquals(1, open.size());
    assertEquals(2, open.get(0).view().column("x").orElseThrow().counts().n());
    assertEquals(1, pending.size());

    MemoryWriter up = new MemoryWriter();
    try (RollingLogger second = RollingLogger.builder().window(Duration.ofMinutes(1)).clock(clock).writer(up)
        .tick(null).build()) {
      for (RollingLogger.WindowState w : open) {
        second.restoreWindow(w.window().datasetId(), w.window().start(), w.view());
      }
      for (RollingLogger.WindowState w : pending) {
        second.restorePendingWrite(w.window(), w.view());
      }
      second.log("d", Map.of("x", 4));
      assertEquals(3, second.currentView("d").orElseThrow().column("x").orElseThrow().counts().n());
    }
    assertEquals(2, up.windows.size());
    assertEquals(4, up.totalCount("x"));
  }

  @Test
  void sealedStatesHoldExactlyWhatWasLoggedBeforeTheSealAndNothingIsLostOrCountedTwice() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MemoryWriter out = new MemoryWriter();
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofMinutes(1)).clock(clock).writer(out)
        .tick(null).stripes(3).build()) {
      for (int i = 0; i < 10; i++) {
        logger.log("d", Map.of("x", i));
      }
      RollingLogger.Sealed sealed = logger.sealOpenWindows();
      for (int i = 0; i < 5; i++) {
        logger.log("d", Map.of("x", i)); // after the seal: not in the sealed states
      }
      List<RollingLogger.WindowState> states = sealed.states();
      assertEquals(1, states.size());
      assertEquals(10, states.get(0).view().column("x").orElseThrow().counts().n());
      assertEquals(15, logger.currentView("d").orElseThrow().column("x").orElseThrow().counts().n());
      RollingLogger.Sealed again = logger.sealOpenWindows();
      logger.log("d", Map.of("x", 99));
      assertEquals(15, again.states().get(0).view().column("x").orElseThrow().counts().n());
      clock.advanceMillis(60_000);
      logger.flushDue();
    }
    assertEquals(16, out.totalCount("x"));
  }

  @Test
  void sealingWhileThreadsLogLosesNoRow() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MemoryWriter out = new MemoryWriter();
    int threads = 4;
    int rows = 20_000;
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofHours(1)).clock(clock).writer(out)
        .tick(null).build()) {
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread th = new Thread(() -> {
          for (int i = 0; i < rows; i++) {
            logger.log("d", Map.of("x", i));
          }
        });
        th.start();
        ts.add(th);
      }
      long lastSealed = 0;
      while (ts.stream().anyMatch(Thread::isAlive)) {
        List<RollingLogger.WindowState> s = logger.sealOpenWindows().states();
        long n = s.isEmpty() ? 0 : s.get(0).view().column("x").map(c -> c.counts().n()).orElse(0L);
        assertTrue(n >= lastSealed, "sealed counts never go back: " + n + " after " + lastSealed);
        lastSealed = n;
      }
      for (Thread th : ts) {
        th.join();
      }
    }
    assertEquals((long) threads * rows, out.totalCount("x"));
  }
}
