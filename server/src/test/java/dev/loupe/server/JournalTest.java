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

  private static byte[] sized(int seq, int len) {
    byte[] b = new byte[len];
    java.util.Arrays.fill(b, (byte) ('a' + seq % 26));
    return b;
  }

  /** Appends {@code n} records of {@code len(seq)} bytes each and waits until they are durable. */
  private static void appendDurably(Journal j, int n, java.util.function.IntUnaryOperator len,
      java.util.Map<Long, byte[]> written) throws IOException {
    for (int i = 0; i < n; i++) {
      long next = j.lastSeq() + 1;
      byte[] b = sized((int) next, len.applyAsInt((int) next));
      long seq = j.append(Journal.KIND_JSON, 1L, "ds", b, 0, b.length);
      assertEquals(next, seq);
      j.awaitDurable(seq);
      written.put(seq, b);
    }
  }

  /** What replay reads after {@code afterSeq}, failing on any damage report. */
  private static List<Journal.Record> readClean(Path dir, long afterSeq) throws IOException {
    List<Journal.Record> read = new ArrayList<>();
    Journal.replay(dir, afterSeq, read::add, d -> {
      throw new AssertionError("damage reported: " + Journal.describe(d));
    });
    return read;
  }

  private static void copyDir(Path from, Path to) throws IOException {
    java.nio.file.Files.createDirectories(to);
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(from)) {
      for (Path p : s.toList()) {
        java.nio.file.Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }

  private static long nextFirst(List<Path> segs, Path seg) {
    int i = segs.indexOf(seg);
    return i + 1 < segs.size() ? Journal.firstSeqOf(segs.get(i + 1)) : Long.MAX_VALUE;
  }

  private static void assertReads(java.util.Map<Long, byte[]> written, long afterSeq, List<Journal.Record> read) {
    List<Long> expected = written.keySet().stream().filter(k -> k > afterSeq).sorted().toList();
    assertEquals(expected, read.stream().map(Journal.Record::seq).toList());
    for (Journal.Record r : read) {
      assertArrayEquals(written.get(r.seq()), r.body(), "record " + r.seq());
    }
  }

  @Test
  void retiredSegmentsAreReusedAndTheirOlderRecordsNeverReadAgain() throws Exception {
    // record sizes of both kinds: equal sizes put a new record boundary exactly on an old record (the
    // old record then parses whole), unequal ones put it mid-record (reading resynchronizes on an old one)
    for (boolean aligned : new boolean[] {true, false}) {
      Path d = dir.resolve(aligned ? "aligned" : "unaligned");
      java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
      // unaligned: the later records are shorter, so a reused file's older records reach past the new ones
      java.util.function.IntUnaryOperator len = aligned ? seq -> 3000
          : seq -> seq <= 200 ? 6000 + (seq * 7919) % 4000 : 200 + (seq * 31) % 800;
      try (Journal j = new Journal(d, 32 << 10)) {
        j.openForAppend(1);
        appendDurably(j, 200, len, written);
        long checkpoint = j.lastSeq();
        j.roll();
        appendDurably(j, 5, len, written);
        int before = Journal.segments(d).size();
        j.deleteThrough(checkpoint);
        int spares = j.spareCount();
        assertTrue(spares >= 5, "segments retired as spares: " + spares);
        assertEquals(before - spares, Journal.segments(d).size());
        // the next segments are the spares, overwritten: no new file while spares last
        appendDurably(j, aligned ? 40 : 150, len, written);
        assertTrue(j.spareCount() < spares, "spares reused: " + j.spareCount() + " of " + spares);
        // a crash now: the segment being written is a spare with its older records after ours
        Path crashed = dir.resolve((aligned ? "aligned" : "unaligned") + "-crash");
        copyDir(d, crashed);
        assertReads(written, checkpoint, readClean(crashed, checkpoint));
        long max = Journal.replay(crashed, checkpoint, r -> { }, x -> { });
        assertEquals(j.lastSeq(), max, "the highest sequence number is the newest record's, not an older one's");
      }
      // closed cleanly: every segment reads as exactly its own records, and the last one holds nothing else
      assertReads(written, 200, readClean(d, 200));
      List<Path> segs = Journal.segments(d);
      for (Path seg : segs) {
        List<Journal.Record> own = new ArrayList<>();
        Path one = dir.resolve("one-" + d.getFileName() + "-" + seg.getFileName());
        java.nio.file.Files.createDirectories(one);
        java.nio.file.Files.copy(seg, one.resolve(seg.getFileName()));
        Journal.replay(one, 0, own::add, x -> {
          throw new AssertionError("damage in " + seg + ": " + Journal.describe(x));
        });
        long from = Journal.firstSeqOf(seg);
        long to = nextFirst(segs, seg);
        assertEquals(written.keySet().stream().filter(k -> k >= from && k < to).sorted().toList(),
            own.stream().map(Journal.Record::seq).toList(), seg + " reads as its own records, no older one");
        long bytes = own.stream().mapToLong(r -> Journal.encode(r).length).sum();
        if (seg.equals(segs.get(segs.size() - 1))) {
          assertEquals(java.nio.file.Files.size(seg), bytes, seg + " holds only its own records");
        }
      }
    }
  }

  @Test
  void aTornRecordOverAnOlderLifeIsStillReportedAndUnusedSparesGoOnePerCheckpoint() throws Exception {
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    java.util.function.IntUnaryOperator len = seq -> 1000 + (seq * 7919) % 4000;
    try (Journal j = new Journal(dir, 32 << 10)) {
      j.openForAppend(1);
      appendDurably(j, 200, len, written);
      long checkpoint = j.lastSeq();
      j.roll();
      j.deleteThrough(checkpoint);
      int spares = j.spareCount();
      assertTrue(spares > 3, "spares " + spares);
      appendDurably(j, 3, len, written); // into one spare, overwritten from its start
      // a crash in the middle of the next record: its header and part of its body reach the disk
      long next = j.lastSeq() + 1;
      Path current = Journal.segments(dir).get(Journal.segments(dir).size() - 1);
      Path crashed = dir.resolve("crash");
      copyDir(dir, crashed);
      byte[] torn = Journal.encode(new Journal.Record(next, Journal.KIND_JSON, 1L, "ds", sized((int) next, 2000)));
      long end = written.entrySet().stream().filter(e -> e.getKey() > checkpoint)
          .mapToLong(e -> Journal.encode(new Journal.Record(e.getKey(), Journal.KIND_JSON, 1L, "ds", e.getValue())).length)
          .sum();
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(crashed.resolve(current.getFileName()),
          java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(torn, 0, 100), end);
      }
      List<Journal.Damage> damage = new ArrayList<>();
      List<Journal.Record> read = new ArrayList<>();
      Journal.replay(crashed, checkpoint, read::add, damage::add);
      assertReads(written, checkpoint, read);
      assertEquals(1, damage.size(), "the torn record is reported as before recycling");
      assertEquals(-1, damage.get(0).lostRecords());
      assertEquals(next, damage.get(0).firstLostSeq());
      assertTrue(damage.get(0).to() - damage.get(0).from() < 32 << 10, "only up to the older life's records");
      // the next checkpoint: of the spares no segment took, one is deleted (a gradual shrink), and the
      // retired segments join the rest
      long seq2 = j.lastSeq();
      j.roll();
      appendDurably(j, 1, len, written); // a sync round: the new segment has its name
      int left = j.spareCount();
      assertTrue(left > 2);
      int segmentsBefore = Journal.segments(dir).size();
      j.deleteThrough(seq2);
      int retired = segmentsBefore - Journal.segments(dir).size();
      assertTrue(retired > 0);
      assertEquals(left - 1 + retired, j.spareCount());
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
        long spareFiles = files.filter(p -> Journal.spareNumber(p) >= 0).count();
        assertEquals(j.spareCount(), spareFiles);
      }
    }
  }

  @Test
  void sparesLeftByAnEarlierRunAreDeletedAtStart() throws Exception {
    // a spare a roll had taken when the server crashed, before the sync thread renamed it: it holds a
    // record that was never acknowledged, with a sequence number the next run hands out again
    java.nio.file.Files.createDirectories(dir);
    Path spare = dir.resolve(String.format("spare-%020d.log", 3));
    byte[] b = body(0, 0);
    java.nio.file.Files.write(spare, Journal.encode(new Journal.Record(1, Journal.KIND_JSON, 1L, "ds", b)));
    try (Journal j = new Journal(dir, 1 << 20)) {
      assertTrue(!java.nio.file.Files.exists(spare), "an earlier run's spare is deleted");
      assertEquals(0, j.spareCount());
      j.openForAppend(1);
      long seq = j.append(Journal.KIND_JSON, 1L, "ds", b, 0, b.length);
      j.awaitDurable(seq);
    }
    assertEquals(1, readClean(dir, 0).size());
  }
}
