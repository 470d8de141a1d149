package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's group commit (leader and followers) on a real directory. */
class JournalTest {
  @TempDir
  Path dir;

  private static byte[] body(int thread, int i) {
    return ("{\"thread\": " + thread + ", \"i\": " + i + "}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void concurrentWritersAreAllDurableOnceAnsweredAndShareFsyncs() throws Exception {
    int threads = 8;
    int each = 150;
    long syncs;
    byte[][] bySeq = new byte[threads * each + 1][];
    try (Journal j = new Journal(dir, 64 << 10)) { // small segments: rolls happen while writers wait
      j.openForAppend(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<List<long[]>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            List<long[]> mine = new ArrayList<>();
            for (int i = 0; i < each; i++) {
              byte[] b = body(thread, i);
              long seq = j.append(Journal.KIND_JSON, 1000L + i, "ds-" + thread, b, 0, b.length);
              j.awaitDurable(seq);
              mine.add(new long[] {seq, thread, i});
            }
            return mine;
          }));
        }
        for (Future<List<long[]>> f : futures) {
          for (long[] r : f.get()) {
            bySeq[(int) r[0]] = body((int) r[1], (int) r[2]);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      syncs = j.syncCount();
      assertEquals(threads * each, j.lastSeq());
    }
    // every answered append is in the journal, once, in sequence order
    List<Journal.Record> read = new ArrayList<>();
    long max = Journal.replay(dir, 0, read::add, d -> {
      throw new AssertionError("damage in a cleanly closed journal: " + Journal.describe(d));
    });
    assertEquals(threads * each, max);
    assertEquals(threads * each, read.size());
    for (int k = 0; k < read.size(); k++) {
      Journal.Record r = read.get(k);
      assertEquals(k + 1, r.seq());
      assertArrayEquals(bySeq[k + 1], r.body(), "record " + r.seq());
    }
    assertTrue(Journal.segments(dir).size() > 1, "the small segments rolled");
    // one fsync covers every record written before it started: concurrent writers share them
    assertTrue(syncs >= 1 && syncs < threads * each, "fsyncs " + syncs + " for " + threads * each + " records");
  }

  @Test
  void aRecordWrittenBeforeCloseIsDurableAfterItAndNothingIsAcceptedLater() throws Exception {
    Journal j = new Journal(dir, 1 << 20);
    j.openForAppend(7);
    byte[] b = body(0, 0);
    long seq = j.append(Journal.KIND_JSON, 1L, "ds", b, 0, b.length);
    assertEquals(7, seq);
    j.close();
    j.awaitDurable(seq); // close made it durable: no wait, no error
    IOException refused = assertThrows(IOException.class, () -> j.append(Journal.KIND_JSON, 1L, "ds", b, 0, b.length));
    assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    IOException notWritten = assertThrows(IOException.class, () -> j.awaitDurable(seq + 1));
    assertTrue(notWritten.getMessage().contains("closed"), notWritten.getMessage());
    List<Journal.Record> read = new ArrayList<>();
    assertEquals(7, Journal.replay(dir, 0, read::add));
    assertEquals(1, read.size());
    assertArrayEquals(b, read.get(0).body());
  }
}
