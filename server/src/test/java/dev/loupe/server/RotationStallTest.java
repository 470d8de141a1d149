package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that takes long to track (a big Arrow body) must not stall the others: the rotation's
 * tick, once a second, used to queue for the write lock behind it, and every request arriving after
 * the tick waited behind the queued writer. A tick that makes no window due takes no lock now.
 */
class RotationStallTest {

  @Test
  void aSlowRequestDoesNotHoldUpTheOthersAcrossTicks(@TempDir Path dir) throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY)
        .dataDir(dir.resolve("data")).fileSystemRoot(dir.resolve("profiles")).window(Duration.ofHours(1)).build();
    try (Ingest ingest = new Ingest(config, List.of(new IdempotentLocalWriter(dir.resolve("profiles"), "test")),
        new Metrics(), new Health())) {
      CountDownLatch tracking = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      // the slow request: its tracking (under the read lock) waits until released, at most 20 s
      CompletableFuture<Boolean> slow = CompletableFuture.supplyAsync(() -> ingest.logFromSource(
          List.of(new Ingest.SourceRows("slow", System.currentTimeMillis(), List.of("x"), p -> {
            tracking.countDown();
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            p.column("x").appendLong(1);
          })), Map.of("t/0", 1L)));
      assertTrue(tracking.await(10, TimeUnit.SECONDS));
      Thread.sleep(2500); // two ticks at least (every second with a one-hour window)
      byte[] body = "{\"datasetId\": \"fast\", \"single\": {\"a\": 1}}".getBytes(StandardCharsets.UTF_8);
      long t0 = System.nanoTime();
      CompletableFuture<Integer> fast = CompletableFuture.supplyAsync(() -> {
        try {
          Ingest.Accepted a = ingest.logJson(LogRequest.parse(body), body);
          ingest.awaitDurable(a);
          return (int) a.rows();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      int rows = fast.get(8, TimeUnit.SECONDS); // with the old tick: only after the slow one is released
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(1, rows);
      assertTrue(!slow.isDone(), "the slow request is still tracking while the other one was answered");
      release.countDown();
      assertTrue(slow.get(10, TimeUnit.SECONDS));
      assertTrue(ms < 8000, ms + " ms");
      assertEquals(1L, ingest.currentView("fast").orElseThrow().columns().get("a").counts().n());
      assertEquals(1L, ingest.currentView("slow").orElseThrow().columns().get("x").counts().n());
    }
  }
}
