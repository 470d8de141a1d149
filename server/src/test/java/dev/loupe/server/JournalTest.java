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

  /**
   * Large bodies go to the device with direct I/O, between pad records that align them. Read back,
   * the records are exactly the ones appended, in order, and no pad is among them; a restart goes on
   * after the pads' sequence numbers; a copy of the journal cut anywhere in its last segment (a crash)
   * reads a prefix of them; and a journal written without direct I/O reads the same.
   */
  @Test
  void largeBodiesWrittenWithDirectIoReadBackExactlyBetweenSmallOnes() throws Exception {
    java.util.Random r = new java.util.Random(7);
    List<byte[]> bodies = new ArrayList<>();
    int large = 0;
    for (int i = 0; i < 40; i++) {
      boolean big = i % 3 == 0;
      large += big ? 1 : 0;
      byte[] b = new byte[big ? Journal.DIRECT_MIN_BYTES + r.nextInt(600_000) : r.nextInt(5000)];
      r.nextBytes(b);
      bodies.add(b);
    }
    for (boolean direct : new boolean[] {true, false}) {
      Path d = dir.resolve(direct ? "direct" : "buffered");
      try (Journal j = new Journal(d, 4 << 20, direct)) { // 4 MiB segments: rolls between large records
        j.openForAppend(1);
        long last = 0;
        for (int i = 0; i < bodies.size(); i++) {
          byte[] b = bodies.get(i);
          long seq = j.append(i % 2 == 0 ? Journal.KIND_JSON : Journal.KIND_ARROW, 1000L + i, "ds-" + i, b, 0,
              b.length);
          assertTrue(seq > last);
          last = seq;
        }
        j.awaitDurable(last);
        assertEquals(direct ? large : 0, j.directWrites(), "records written with direct I/O");
      }
      List<Journal.Record> read = new ArrayList<>();
      long max = Journal.replay(d, 0, read::add, damage -> {
        throw new AssertionError("damage in a cleanly closed journal: " + Journal.describe(damage));
      });
      assertEquals(bodies.size(), read.size());
      for (int i = 0; i < bodies.size(); i++) {
        Journal.Record rec = read.get(i);
        assertArrayEquals(bodies.get(i), rec.body(), "record " + i);
        assertEquals("ds-" + i, rec.datasetId());
        assertEquals(1000L + i, rec.timestamp());
        assertEquals(i % 2 == 0 ? Journal.KIND_JSON : Journal.KIND_ARROW, rec.kind());
      }
      assertTrue(direct ? max > bodies.size() : max == bodies.size(), "pads take sequence numbers: " + max);

      // a crash anywhere in the last segment: a prefix of the records, nothing else
      List<Path> segs = Journal.segments(d);
      Path lastSeg = segs.get(segs.size() - 1);
      long size = java.nio.file.Files.size(lastSeg);
      for (int cut = 0; cut < 12; cut++) {
        Path copy = dir.resolve("cut-" + direct + "-" + cut);
        java.nio.file.Files.createDirectories(copy);
        for (Path f : java.nio.file.Files.list(d).toList()) {
          java.nio.file.Files.copy(f, copy.resolve(f.getFileName()));
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(copy.resolve(lastSeg.getFileName()),
            java.nio.file.StandardOpenOption.WRITE)) {
          ch.truncate(cut == 0 ? 0 : (long) (size * r.nextDouble()));
        }
        List<Journal.Record> prefix = new ArrayList<>();
        Journal.replay(copy, 0, prefix::add, damage -> { });
        assertTrue(prefix.size() <= bodies.size());
        for (int i = 0; i < prefix.size(); i++) {
          assertArrayEquals(bodies.get(i), prefix.get(i).body(), "cut " + cut + ", record " + i);
        }
      }

      // a restart appends after the last number, pads included
      byte[] after = body(9, 9);
      try (Journal j = new Journal(d, 4 << 20, direct)) {
        long m = j.replay(0, rec -> { }, damage -> {
          throw new AssertionError(Journal.describe(damage));
        });
        assertEquals(max, m);
        j.openForAppend(m + 1);
        j.awaitDurable(j.append(Journal.KIND_JSON, 1L, "after", after, 0, after.length));
      }
      read.clear();
      Journal.replay(d, 0, read::add);
      assertEquals(bodies.size() + 1, read.size());
      assertArrayEquals(after, read.get(bodies.size()).body());
    }
  }

  /**
   * Writers of large and small bodies at once, in segments that roll while direct writes are in
   * flight (a direct write is made outside the journal's lock): every append that returned is
   * durable once awaited, and the journal holds each record once, in order, with its body.
   */
  @Test
  void concurrentLargeAndSmallWritersAcrossRollsKeepEveryRecordOnceInOrder() throws Exception {
    int threads = 4;
    int each = 30;
    java.util.Map<Long, byte[]> bySeq = new java.util.concurrent.ConcurrentHashMap<>();
    long direct;
    try (Journal j = new Journal(dir, 2 << 20)) {
      j.openForAppend(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            java.util.Random r = new java.util.Random(thread);
            for (int i = 0; i < each; i++) {
              byte[] b = new byte[(i + thread) % 2 == 0 ? Journal.DIRECT_MIN_BYTES + r.nextInt(300_000) : r.nextInt(3000)];
              r.nextBytes(b);
              long seq = j.append(Journal.KIND_ARROW, i, "ds-" + thread, b, 0, b.length);
              j.awaitDurable(seq);
              assertTrue(bySeq.put(seq, b) == null, "number " + seq + " handed out twice");
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      direct = j.directWrites();
    }
    assertEquals(threads * each / 2, direct, "large records written with direct I/O");
    List<Journal.Record> read = new ArrayList<>();
    Journal.replay(dir, 0, read::add, d -> {
      throw new AssertionError("damage in a cleanly closed journal: " + Journal.describe(d));
    });
    assertEquals(threads * each, read.size());
    long last = 0;
    for (Journal.Record rec : read) {
      assertTrue(rec.seq() > last, "in order");
      last = rec.seq();
      assertArrayEquals(bySeq.get(rec.seq()), rec.body(), "record " + rec.seq());
    }
    assertTrue(Journal.segments(dir).size() > 3, "segments rolled: " + Journal.segments(dir));
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
        java.nio.file.Files.copy(d.resolve(Journal.KEY_FILE), one.resolve(Journal.KEY_FILE));
        Journal.replay(one, 0, own::add, x -> {
          throw new AssertionError("damage in " + seg + ": " + Journal.describe(x));
        });
        long from = Journal.firstSeqOf(seg);
        long to = nextFirst(segs, seg);
        assertEquals(written.keySet().stream().filter(k -> k >= from && k < to).sorted().toList(),
            own.stream().map(Journal.Record::seq).toList(), seg + " reads as its own records, no older one");
        long bytes = own.stream().mapToLong(r -> Journal.encode(r, null).length).sum();
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
      byte[] torn = Journal.encode(new Journal.Record(next, Journal.KIND_JSON, 1L, "ds", sized((int) next, 2000)),
          Journal.key(dir));
      long end = written.entrySet().stream().filter(e -> e.getKey() > checkpoint)
          .mapToLong(e -> Journal.encode(new Journal.Record(e.getKey(), Journal.KIND_JSON, 1L, "ds", e.getValue()), null).length)
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
    java.nio.file.Files.write(spare, Journal.encode(new Journal.Record(1, Journal.KIND_JSON, 1L, "ds", b), null));
    try (Journal j = new Journal(dir, 1 << 20)) {
      assertTrue(!java.nio.file.Files.exists(spare), "an earlier run's spare is deleted");
      assertEquals(0, j.spareCount());
      j.openForAppend(1);
      long seq = j.append(Journal.KIND_JSON, 1L, "ds", b, 0, b.length);
      j.awaitDurable(seq);
    }
    assertEquals(1, readClean(dir, 0).size());
  }

  /**
   * A body that carries whole journal records of its own (an Arrow binary column can hold any bytes):
   * one every 400 bytes, each with sequence number {@code fakeSeq} and dataset "forged".
   */
  private static byte[] hostile(int len, long fakeSeq) {
    byte[] fake = Journal.encode(new Journal.Record(fakeSeq, Journal.KIND_JSON, 1L, "forged",
        "{\"forged\": 1}".getBytes(StandardCharsets.UTF_8)), null); // a client has no key
    byte[] b = new byte[len];
    java.util.Arrays.fill(b, (byte) 'h');
    for (int at = 17; at + fake.length <= len; at += 400) {
      System.arraycopy(fake, 0, b, at, fake.length);
    }
    return b;
  }

  /** Appends {@code n} hostile records, each durable before the next. */
  private static void appendHostile(Journal j, int n, int len, long fakeSeq, java.util.Map<Long, byte[]> written)
      throws IOException {
    for (int i = 0; i < n; i++) {
      byte[] b = hostile(len, fakeSeq);
      long seq = j.append(Journal.KIND_ARROW, 1L, "ds", b, 0, b.length);
      j.awaitDurable(seq);
      written.put(seq, b);
    }
  }

  @Test
  void recordsForgedInsideAnOlderLifesBodiesAreNeverReadAfterACleanClose() throws Exception {
    // a retired segment's records are hostile bodies, each holding forged records; recycled, the file's
    // new records end part-way through one of them, and a rolled segment is not cut (the older life
    // stays after its records): reading must stop at the segment's own records, not take a forged one
    for (long fakeSeq : new long[] {Long.MAX_VALUE, 1_000_000L}) {
      Path d = dir.resolve("clean-" + fakeSeq);
      java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
      long checkpoint;
      try (Journal j = new Journal(d, 32 << 10)) {
        j.openForAppend(1);
        appendHostile(j, 40, 9000, fakeSeq, written);
        checkpoint = j.lastSeq();
        j.roll();
        appendDurably(j, 1, s -> 500, written);
        j.deleteThrough(checkpoint);
        assertTrue(j.spareCount() >= 5, "spares " + j.spareCount());
        // shorter records of other lengths: each recycled segment's records end inside an older body
        appendDurably(j, 200, s -> 700 + (s * 7919) % 1500, written);
      }
      List<Journal.Record> read = new ArrayList<>();
      long max = Journal.replay(d, checkpoint, read::add, x -> {
        throw new AssertionError("damage reported in a cleanly closed journal: " + Journal.describe(x));
      });
      for (Journal.Record r : read) {
        assertTrue(!r.datasetId().equals("forged"), "a forged record was read as the journal's: seq " + r.seq());
      }
      assertReads(written, checkpoint, read);
      assertEquals(written.keySet().stream().mapToLong(Long::longValue).max().getAsLong(), max,
          "the highest sequence number is the newest record's (the server starts at max + 1)");
    }
  }

  @Test
  void recordsForgedInsideAnOlderLifesBodiesAreNeverReadAfterACrash() throws Exception {
    // as above, but the server crashes while writing into a recycled segment: its older life follows its
    // records, uncut, in the last segment
    Path d = dir.resolve("j");
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    try (Journal j = new Journal(d, 32 << 10)) {
      j.openForAppend(1);
      appendHostile(j, 40, 9000, Long.MAX_VALUE, written);
      long checkpoint = j.lastSeq();
      j.roll();
      appendDurably(j, 1, s -> 500, written);
      j.deleteThrough(checkpoint);
      for (int k = 0; k < 12; k++) { // crash images at several points of the recycled segments' new lives
        appendDurably(j, 3, s -> 700 + (s * 7919) % 1500, written);
        Path crashed = dir.resolve("crash-" + k);
        copyDir(d, crashed);
        List<Journal.Record> read = new ArrayList<>();
        List<Journal.Damage> damage = new ArrayList<>();
        long max = Journal.replay(crashed, checkpoint, read::add, damage::add);
        for (Journal.Record r : read) {
          assertTrue(!r.datasetId().equals("forged"), "image " + k + ": a forged record was read: seq " + r.seq());
        }
        assertReads(written, checkpoint, read);
        assertEquals(j.lastSeq(), max, "image " + k + ": the highest sequence number is the newest record's");
        assertEquals(List.of(), damage.stream().map(Journal::describe).toList(), "image " + k);
      }
    }
  }

  /** Offset of record {@code seq} in segment {@code seg}, from the records written there before it. */
  private static long offsetOf(Path seg, long seq, java.util.Map<Long, byte[]> written) {
    long off = 0;
    for (long s = Journal.firstSeqOf(seg); s < seq; s++) {
      off += Journal.encode(new Journal.Record(s, Journal.KIND_JSON, 1L, "ds", written.get(s)), null).length;
    }
    return off;
  }

  private static void flip(Path file, long at) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x40));
      ch.write(b.rewind(), at);
    }
  }

  @Test
  void aFlippedByteInARecycledSegmentsRecordIsReportedWithTheRecordsItCost() throws Exception {
    Path d = dir.resolve("j");
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    java.util.function.IntUnaryOperator len = s -> 3000 + (s * 7919) % 6000;
    java.util.function.IntUnaryOperator shorter = s -> 600 + (s * 31) % 900;
    long checkpoint;
    Path image = dir.resolve("image");
    Path inner = null;
    Path last;
    try (Journal j = new Journal(d, 32 << 10)) {
      j.openForAppend(1);
      appendDurably(j, 200, len, written);
      checkpoint = j.lastSeq();
      j.roll();
      appendDurably(j, 1, len, written);
      j.deleteThrough(checkpoint);
      appendDurably(j, 150, shorter, written); // recycled segments, records shorter than before
      // a crash when the last segment is recycled, holds 3 records or more and its older life follows them
      for (int k = 0; ; k++) {
        assertTrue(k < 200, "no crash point found");
        appendDurably(j, 1, shorter, written);
        List<Path> now = Journal.segments(d);
        Path cur = now.get(now.size() - 1);
        long end = offsetOf(cur, j.lastSeq() + 1, written);
        if (j.lastSeq() - Journal.firstSeqOf(cur) >= 2 && java.nio.file.Files.size(cur) > end) {
          copyDir(d, image);
          last = image.resolve(cur.getFileName());
          break;
        }
      }
    }
    List<Path> segs = Journal.segments(image);
    // a recycled segment that is not the last, not cut, its older life following its records
    for (int i = segs.size() - 2; i > 0 && inner == null; i--) {
      if (java.nio.file.Files.size(segs.get(i)) > offsetOf(segs.get(i), Journal.firstSeqOf(segs.get(i + 1)), written)
          && Journal.firstSeqOf(segs.get(i)) > checkpoint + 1) {
        inner = segs.get(i);
      }
    }
    assertTrue(inner != null, "a recycled inner segment with its older life after its records");
    long maxSeq = written.keySet().stream().mapToLong(Long::longValue).max().getAsLong();
    long innerFirst = Journal.firstSeqOf(inner);
    long innerLast = nextFirst(segs, inner) - 1;
    long lastFirst = Journal.firstSeqOf(last);
    assertTrue(innerLast - innerFirst >= 2 && maxSeq - lastFirst >= 2, "segments of 3 records or more");
    // {segment, record, byte within the record (8: the sequence number in its header; 200: its body)}
    record Case(Path seg, long seq, int at, long lost) {}
    List<Case> cases = List.of(
        new Case(inner, innerFirst + 1, 8, 1), new Case(inner, innerFirst + 1, 200, 1),
        new Case(inner, innerLast, 8, 1), new Case(inner, innerLast, 200, 1),
        new Case(last, lastFirst + 1, 8, 1), new Case(last, lastFirst + 1, 200, 1),
        new Case(last, maxSeq, 200, -1));
    int n = 0;
    for (Case c : cases) {
      Path copy = dir.resolve("case-" + n++);
      copyDir(image, copy);
      flip(copy.resolve(c.seg().getFileName()), offsetOf(c.seg(), c.seq(), written) + c.at());
      List<Journal.Record> read = new ArrayList<>();
      List<Journal.Damage> damage = new ArrayList<>();
      long max = Journal.replay(copy, checkpoint, read::add, damage::add);
      java.util.Map<Long, byte[]> expected = new java.util.HashMap<>(written);
      expected.remove(c.seq());
      assertEquals(1, damage.size(), c + ": " + damage.stream().map(Journal::describe).toList());
      assertReads(expected, checkpoint, read);
      assertEquals(c.seq(), damage.get(0).firstLostSeq(), c.toString());
      assertEquals(c.lost(), damage.get(0).lostRecords(), c.toString());
      assertEquals(c.seq() == maxSeq ? maxSeq - 1 : maxSeq, max, c.toString());
    }
  }

  private static long filesIn(Path d) throws IOException {
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(d)) {
      return s.filter(p -> Journal.firstSeqOf(p) >= 0 || Journal.spareNumber(p) >= 0).count();
    }
  }

  @Test
  void checkpointsAtRisingAndFallingRatesKeepEveryRecordAfterThePreviousCheckpointAndBoundedFiles() throws Exception {
    // as Ingest does: at each checkpoint, roll, then retire the segments the previous checkpoint covers
    // (a damaged checkpoint falls back to the previous one and replays from its sequence number)
    Path d = dir.resolve("j");
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    int[] rates = new int[50];
    java.util.Arrays.fill(rates, 1);
    System.arraycopy(new int[] {5, 60, 90, 90, 3, 1, 0, 2, 70}, 0, rates, 0, 9);
    java.util.function.IntUnaryOperator len = s -> 800 + (s * 7919) % 2500;
    long peakSegments = 0;
    long[] previous = {0, 0}; // {the checkpoint before the last, the last}
    try (Journal j = new Journal(d, 16 << 10)) {
      j.openForAppend(1);
      int round = 0;
      for (int rate : rates) {
        appendDurably(j, rate, len, written);
        long ck = j.lastSeq();
        j.roll();
        j.awaitDurable(ck);
        peakSegments = Math.max(peakSegments, Journal.segments(d).size()); // two intervals' worth, at most
        j.deleteThrough(previous[1]);
        previous[0] = previous[1];
        previous[1] = ck;
        appendDurably(j, 1, len, written); // a request after the checkpoint; then a crash
        Path image = dir.resolve("image-" + round++);
        copyDir(d, image);
        // from the last checkpoint, and from the one before it (the last one found damaged)
        assertReads(written, previous[1], readClean(image, previous[1]));
        assertReads(written, previous[0], readClean(image, previous[0]));
        assertEquals(j.lastSeq(), Journal.replay(image, previous[1], r -> { }, x -> { }));
        // a new file is made only when no spare is left: files never outnumber the most segments held
        assertTrue(filesIn(d) <= peakSegments + 2, "round " + round + ": " + filesIn(d) + " files, peak segments "
            + peakSegments);
        // every spare file is known (the sync thread may be opening one ahead: give it a moment)
        for (int t = 0; t < 100 && filesIn(d) - Journal.segments(d).size() != j.spareCount(); t++) {
          Thread.sleep(10);
        }
        assertEquals(filesIn(d) - Journal.segments(d).size(), j.spareCount(), "round " + round);
      }
    }
    // after the peak, one spare goes per checkpoint: forty quiet checkpoints leave a few files
    assertTrue(peakSegments >= 15, "peak segments " + peakSegments);
    assertTrue(filesIn(d) <= 4, "files left after the rate fell: " + filesIn(d));
    // closed cleanly: everything after the last retired checkpoint reads back, no damage
    assertReads(written, previous[0], readClean(d, previous[0]));
  }

  @Test
  void aSpareThatCannotBeRenamedFailsTheJournalLoudlyAndLosesNoAcknowledgedRecord() throws Exception {
    Path d = dir.resolve("j");
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    java.util.function.IntUnaryOperator len = s -> 2000;
    Journal j = new Journal(d, 16 << 10);
    j.openForAppend(1);
    appendDurably(j, 40, len, written);
    long ck = j.lastSeq();
    j.roll();
    appendDurably(j, 1, len, written);
    j.deleteThrough(ck);
    assertTrue(j.spareCount() > 2);
    appendDurably(j, 1, len, written); // a sync round: the sync thread opens a spare ahead
    Thread.sleep(300);
    // the spares vanish (another process, a failing disk): the one opened ahead can no longer be renamed
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(d)) {
      for (Path p : s.filter(p -> Journal.spareNumber(p) >= 0).toList()) {
        java.nio.file.Files.delete(p);
      }
    }
    IOException failed = null;
    for (int i = 0; i < 40 && failed == null; i++) {
      byte[] b = sized(i, 2000);
      try {
        long seq = j.append(Journal.KIND_JSON, 1L, "ds", b, 0, b.length);
        j.awaitDurable(seq);
        written.put(seq, b);
      } catch (IOException e) {
        failed = e;
      }
    }
    assertTrue(failed != null, "the journal went on after a segment could not be named");
    assertTrue(j.failed());
    IOException later = assertThrows(IOException.class, () -> j.append(Journal.KIND_JSON, 1L, "ds", new byte[1], 0, 1));
    assertTrue(later.getMessage().contains("failed"), later.getMessage());
    j.close();
    // every acknowledged record is still read
    List<Journal.Record> read = new ArrayList<>();
    Journal.replay(d, ck, read::add, x -> { });
    java.util.Set<Long> got = new java.util.HashSet<>(read.stream().map(Journal.Record::seq).toList());
    for (long seq : written.keySet()) {
      if (seq > ck) {
        assertTrue(got.contains(seq), "acknowledged record " + seq + " lost");
      }
    }
  }

  private static Object fileKey(Path p) throws IOException {
    return java.nio.file.Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
  }

  /** Appends one record and waits a moment: the sync thread opens the next spare ahead. */
  private static void appendAndLetASpareOpen(Journal j, java.util.function.IntUnaryOperator len,
      java.util.Map<Long, byte[]> written) throws Exception {
    appendDurably(j, 1, len, written);
    Thread.sleep(200);
  }

  @Test
  void recordsACrashHidBehindAnUnwrittenPageAreNotReadAsANewRunsAfterItsFileIsRecycled() throws Exception {
    // run 1 writes records 43..62 into a recycled segment and crashes before they are durable; the
    // page of record 45 never reached the disk (write-back order is the kernel's), so the segment shows
    // 43, 44, the older life's record 3, then 46..62: reading stops at record 3, run 2 starts at 45,
    // and numbers 46..62 are handed out again while run 1's records with those numbers stay in the file
    int rec = 2000 + Journal.FIXED_HEADER + 2; // bytes of a record with a 2000-byte body, dataset "ds"
    java.util.function.IntUnaryOperator len = s -> 2000;
    java.util.Map<Long, byte[]> run1 = new java.util.HashMap<>();
    Path d = dir.resolve("run1");
    Path image = dir.resolve("image1");
    try (Journal j = new Journal(d, 64 << 10)) {
      j.openForAppend(1);
      appendDurably(j, 40, len, run1);
      j.roll();
      appendDurably(j, 1, len, run1);
      j.deleteThrough(40);
      appendAndLetASpareOpen(j, len, run1);
      j.roll(); // segment 43: the recycled file that held records 1..33, one per 2037 bytes like these
      for (int i = 0; i < 20; i++) {
        byte[] b = sized(43 + i, 2000);
        assertEquals(43 + i, j.append(Journal.KIND_JSON, 1L, "ds", b, 0, b.length));
        run1.put(43L + i, b);
      }
      j.awaitDurable(62);
      copyDir(d, image);
    }
    Path seg43 = image.resolve(String.format("journal-%020d.log", 43));
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(seg43,
        java.nio.file.StandardOpenOption.WRITE)) { // the unwritten page: the older life's record 3 shows
      ch.write(java.nio.ByteBuffer.wrap(Journal.encode(new Journal.Record(3, Journal.KIND_JSON, 1L, "ds",
          run1.get(3L)), Journal.key(image))), 2L * rec);
    }
    // run 2, as Ingest runs it: replay after the checkpoint (40), start at max + 1, checkpoint, retire
    java.util.Map<Long, byte[]> run2 = new java.util.HashMap<>();
    Path image2 = dir.resolve("image2");
    try (Journal j = new Journal(image, 64 << 10)) {
      long max = j.replay(40, r -> { }, x -> { });
      assertEquals(44, max);
      j.openForAppend(max + 1);
      appendDurably(j, 1, len, run2); // 45
      j.roll();
      j.deleteThrough(40);
      appendDurably(j, 1, len, run2); // 46
      j.roll();
      Object recycled = fileKey(seg43);
      j.deleteThrough(45); // segments 41, 43 and 45 become spares, in that order
      appendAndLetASpareOpen(j, len, run2); // 47
      j.roll(); // 48: segment 41's file
      appendAndLetASpareOpen(j, len, run2); // 48
      j.roll(); // 49: segment 43's file, run 1's records 46..62 still in it
      // one long record that ends inside the bytes of run 1's record 49: the next record there is run 1's 50
      appendDurably(j, 1, s -> 6 * rec + 1000 - Journal.FIXED_HEADER - 2, run2); // 49
      Path seg49 = image.resolve(String.format("journal-%020d.log", 49));
      assertEquals(recycled, fileKey(seg49), "segment 49 is segment 43's file, recycled");
      copyDir(image, image2); // a crash
    }
    List<Journal.Record> read = new ArrayList<>();
    Journal.replay(image2, 46, read::add, x -> { });
    assertEquals(List.of(47L, 48L, 49L), read.stream().map(Journal.Record::seq).toList(),
        "only run 2's records after its checkpoint at 46");
  }

  @Test
  void aCrashThatLostTheRenamesOfARetiredSegmentAndItsReuseReadsNoRecordTwiceAndLosesNone() throws Exception {
    // deleteThrough renames segment X to a spare without a directory fsync; a roll reuses the spare as
    // segment Y and its records are written; the crash comes before the sync thread's directory fsync,
    // and neither rename reached the disk: the file is named journal-X again, with Y's records (never
    // acknowledged) at its start and X's older records after them
    Path d = dir.resolve("j");
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    java.util.function.IntUnaryOperator len = s -> 2000;
    Path image = dir.resolve("image");
    long y;
    List<Path> retired;
    try (Journal j = new Journal(d, 16 << 10)) {
      j.openForAppend(1);
      appendDurably(j, 30, len, written);
      j.roll();
      appendDurably(j, 1, len, written); // 31
      List<Path> before = Journal.segments(d);
      retired = before.subList(0, before.size() - 1);
      j.deleteThrough(30);
      assertEquals(retired.size(), j.spareCount());
      appendAndLetASpareOpen(j, len, written); // 32
      j.roll();
      y = j.lastSeq() + 1;
      appendDurably(j, 3, len, written); // 33..35 in the first retired segment's file
      copyDir(d, image);
    }
    // undo both renames in the image: spare-k is the k-th retired segment, the reused one is journal-y
    java.nio.file.Files.move(image.resolve(String.format("journal-%020d.log", y)),
        image.resolve(retired.get(0).getFileName()));
    for (int k = 1; k < retired.size(); k++) {
      java.nio.file.Files.move(image.resolve(String.format("spare-%020d.log", k)),
          image.resolve(retired.get(k).getFileName()));
    }
    List<Journal.Record> read = new ArrayList<>();
    List<Journal.Damage> damage = new ArrayList<>();
    long max;
    try (Journal j = new Journal(image, 16 << 10)) {
      max = j.replay(30, read::add, damage::add);
      // records up to the checkpoint may be reported (they are in it); none after it is lost or read twice
      for (Journal.Damage dm : damage) {
        assertTrue(dm.lostRecords() <= 0 || dm.firstLostSeq() + dm.lostRecords() - 1 <= 30, Journal.describe(dm));
      }
      assertEquals(List.of(31L, 32L), read.stream().map(Journal.Record::seq).toList(),
          "the checkpoint's successors, once; y's records were never acknowledged");
      assertEquals(32, max);
      j.openForAppend(max + 1);
      // y's records are cut from the file: their numbers are handed out again
      assertEquals(0, java.nio.file.Files.size(image.resolve(retired.get(0).getFileName())));
      appendDurably(j, 3, s -> 500, new java.util.HashMap<>());
    }
  }

  /** Copies a directory whose files the journal renames meanwhile: tries again when one vanished. */
  private static void copyDirWhileRenaming(Path from, Path to) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        copyDir(from, to);
        return;
      } catch (java.nio.file.NoSuchFileException | java.nio.file.FileAlreadyExistsException e) {
        assertTrue(attempt < 50, "could not copy " + from + ": " + e);
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(to)) {
          for (Path p : s.toList()) {
            java.nio.file.Files.delete(p);
          }
        }
      }
    }
  }

  @Test
  void writersRollsAndCheckpointsRacingKeepEveryAcknowledgedRecordOnce() throws Exception {
    // three writers, 8 KB segments (a roll every few records, a spare opened ahead after each sync),
    // checkpoints every 20 ms as Ingest takes them (roll, wait, retire what the previous one covers),
    // and crash images between checkpoints: every record acknowledged before an image is in it, once
    Path d = dir.resolve("j");
    java.util.concurrent.ConcurrentHashMap<Long, byte[]> acked = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    long kept = 0;
    int images = 0;
    try (Journal j = new Journal(d, 8 << 10)) {
      j.openForAppend(1);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int thread = t;
        writers.add(pool.submit(() -> {
          java.util.Random rnd = new java.util.Random(thread);
          for (int i = 0; !stop.get(); i++) {
            byte[] b = new byte[50 + rnd.nextInt(3000)];
            java.util.Arrays.fill(b, (byte) (thread * 64 + i % 64));
            long seq = j.append(Journal.KIND_ARROW, 1L, "ds-" + thread, b, 0, b.length);
            j.awaitDurable(seq);
            acked.put(seq, b);
          }
          return null;
        }));
      }
      long previous = 0;
      long deadline = System.nanoTime() + 1_500_000_000L;
      try {
        while (System.nanoTime() < deadline) {
          long ck = j.lastSeq();
          j.roll();
          j.awaitDurable(ck);
          j.deleteThrough(previous);
          kept = previous;
          previous = ck;
          java.util.Set<Long> before = new java.util.HashSet<>(acked.keySet());
          Path image = dir.resolve("image-" + images++);
          copyDirWhileRenaming(d, image);
          List<Journal.Record> read = new ArrayList<>();
          Journal.replay(image, kept, read::add, x -> { });
          List<Long> seqs = read.stream().map(Journal.Record::seq).toList();
          for (int k = 1; k < seqs.size(); k++) {
            assertTrue(seqs.get(k) > seqs.get(k - 1), "image " + images + ": read out of order or twice: " + seqs);
          }
          java.util.Set<Long> got = new java.util.HashSet<>(seqs);
          for (long seq : before) {
            assertTrue(seq <= kept || got.contains(seq), "image " + images + ": acknowledged record " + seq + " lost");
          }
          Thread.sleep(20);
        }
      } finally {
        stop.set(true);
        pool.shutdown();
      }
      for (Future<?> f : writers) {
        f.get();
      }
    }
    assertTrue(images > 5, "images " + images);
    List<Journal.Record> read = readClean(d, kept);
    java.util.Map<Long, byte[]> expected = new java.util.HashMap<>(acked);
    assertReads(expected, kept, read);
  }

  /** A journal as a server before keys left it: records 1..5 (300 bytes each) in "LJRN" layout, no journal.key. */
  private static void writeJournalFromBeforeKeys(Path d, java.util.Map<Long, byte[]> written) throws IOException {
    java.nio.file.Files.createDirectories(d);
    java.io.ByteArrayOutputStream old = new java.io.ByteArrayOutputStream();
    for (long s = 1; s <= 5; s++) {
      byte[] b = sized((int) s, 300);
      old.write(Journal.encode(new Journal.Record(s, Journal.KIND_JSON, 1L, "ds", b), null));
      written.put(s, b);
    }
    java.nio.file.Files.write(d.resolve(String.format("journal-%020d.log", 1)), old.toByteArray());
  }

  /**
   * Start-up of a journal from before keys in {@code d}, as Ingest runs it: replay (no damage) finds
   * {@code max}, and appending from max + 1 makes the key, keyed from there.
   */
  private static void startUpgraded(Journal j, Path d, long max) throws IOException {
    assertEquals(max, j.replay(0, r -> { }, x -> {
      throw new AssertionError(Journal.describe(x));
    }));
    j.openForAppend(max + 1);
    assertEquals(max + 1, Journal.key(d).keyedFrom());
  }

  /** CRC32C of 16 zero bytes then a header's bytes 4 .. 27+D (the dataset id is 2 bytes here). */
  private static int zeroKeyCrc(byte[] record) {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(new byte[16]);
    c.update(record, 4, 23 + 2);
    return (int) c.getValue();
  }

  /**
   * Record {@code seq} of dataset "ds", keyed with {@code key}, whose 4,000-byte body holds {@code fake}
   * at offset 100.
   */
  private static byte[] recordWhoseBodyHolds(byte[] fake, long seq, Journal.Key key) {
    byte[] body = new byte[4000];
    java.util.Arrays.fill(body, (byte) 'x');
    System.arraycopy(fake, 0, body, 100, fake.length);
    return Journal.encode(new Journal.Record(seq, Journal.KIND_ARROW, 1L, "ds", body), key);
  }

  /**
   * The attack the key closes: a crash tears record n after its header, and its body (a client's bytes)
   * holds a whole record numbered n + 1 for another dataset. Without the key, that forged record checks
   * out, its number fits the bytes before it, and replay read it as acknowledged rows.
   */
  @Test
  void aForgedRecordInATornBodyIsNotReadWhateverItsNumberAndMarker() throws Exception {
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    Path crashed = dir.resolve("crashed");
    long next;
    try (Journal j = new Journal(dir.resolve("live"), 1 << 20)) {
      j.openForAppend(1);
      appendDurably(j, 5, s -> 500, written);
      next = j.lastSeq() + 1;
      copyDir(dir.resolve("live"), crashed);
    }
    Journal.Key key = Journal.key(crashed);
    assertTrue(key != null && key.keyedFrom() == 1, "a new journal is keyed from its first record");
    Journal.Record forged = new Journal.Record(next + 1, Journal.KIND_JSON, 1L, "victim",
        "{\"datasetId\": \"victim\", \"single\": {\"forged\": 1}}".getBytes(StandardCharsets.UTF_8));
    Journal.Key guessed = new Journal.Key(new byte[16], 1); // a forger guessing the key: all zeros
    // and one who saw a keyed header (record 1's, say in a quarantined stretch in a bug report): with a keyed CRC,
    // which is affine, that header gives the check of any other header with a dataset id of its length
    byte[] leaked = java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(Journal.segments(crashed).get(0)),
        Journal.FIXED_HEADER + 2);
    byte[] affine = Journal.encode(new Journal.Record(next + 1, Journal.KIND_JSON, 1L, "vv",
        "{\"datasetId\": \"vv\", \"single\": {\"forged\": 1}}".getBytes(StandardCharsets.UTF_8)), null);
    java.nio.ByteBuffer.wrap(affine).putInt(0, Journal.MAGIC);
    int check = java.nio.ByteBuffer.wrap(leaked).getInt(27 + 2) ^ zeroKeyCrc(leaked) ^ zeroKeyCrc(affine);
    java.nio.ByteBuffer.wrap(affine).putInt(27 + 2, check);
    for (byte[] fake : List.of(Journal.encode(forged, null), Journal.encode(forged, guessed), affine)) {
      byte[] torn = recordWhoseBodyHolds(fake, next, key);
      Path seg = Journal.segments(crashed).get(0);
      long end = java.nio.file.Files.size(seg);
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(seg,
          java.nio.file.StandardOpenOption.WRITE)) {
        // the header and the body up to just past the forged record reached the disk, the rest did not
        ch.write(java.nio.ByteBuffer.wrap(torn, 0, Journal.FIXED_HEADER + 2 + 100 + fake.length + 10), end);
      }
      List<Journal.Record> read = new ArrayList<>();
      List<Journal.Damage> damage = new ArrayList<>();
      long max = Journal.replay(crashed, 0, read::add, damage::add);
      assertReads(written, 0, read);
      assertEquals(next - 1, max, "the forged number is not the highest");
      assertEquals(1, damage.size());
      assertEquals(-1, damage.get(0).lostRecords(), "the torn record, at the tail: never acknowledged");
      assertEquals(next, damage.get(0).firstLostSeq());
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(seg,
          java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(end);
      }
    }
    // the control: the same torn record whose body holds the forged record made with the journal's own key
    // (which no client has) is read, so this crash image is one where a forgery would land
    byte[] fake = Journal.encode(forged, key);
    byte[] torn = recordWhoseBodyHolds(fake, next, key);
    java.nio.file.Files.write(Journal.segments(crashed).get(0),
        java.util.Arrays.copyOf(torn, Journal.FIXED_HEADER + 2 + 100 + fake.length + 10),
        java.nio.file.StandardOpenOption.APPEND);
    List<Journal.Record> read = new ArrayList<>();
    Journal.replay(crashed, 0, read::add, d -> { });
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, next + 1), read.stream().map(Journal.Record::seq).toList());
    assertEquals("victim", read.get(5).datasetId());
  }

  /**
   * A journal written before keys ("LJRN" records, no journal.key) is read as it was, gets a key from its
   * next record on, and its old records are still read after another crash; an "LJRN" record at a number
   * the key covers is not.
   */
  @Test
  void aJournalFromBeforeKeysIsReadAndKeyedFromItsNextRecord() throws Exception {
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    writeJournalFromBeforeKeys(dir, written);
    Path image = dir.resolve("image");
    try (Journal j = new Journal(dir, 1 << 20)) {
      startUpgraded(j, dir, 5);
      appendDurably(j, 3, s -> 300, written);
      copyDir(dir, image); // a crash before the old segment is retired
    }
    assertReads(written, 0, readClean(image, 0));
    // an "LJRN" record numbered 9, after the keyed 6..8: a forger falling back on the old format
    byte[] fake = Journal.encode(new Journal.Record(9, Journal.KIND_JSON, 1L, "victim", sized(9, 300)), null);
    java.nio.file.Files.write(Journal.segments(image).get(1), fake, java.nio.file.StandardOpenOption.APPEND);
    List<Journal.Record> read = new ArrayList<>();
    assertEquals(8, Journal.replay(image, 0, read::add, d -> { }));
    assertReads(written, 0, read);
  }

  @Test
  void aMissingOrDamagedKeyStopsStartUpAndSaysWhatToDo() throws Exception {
    try (Journal j = new Journal(dir, 1 << 20)) {
      j.openForAppend(1);
      appendDurably(j, 2, s -> 100, new java.util.HashMap<>());
    }
    Path keyFile = dir.resolve(Journal.KEY_FILE);
    byte[] good = java.nio.file.Files.readAllBytes(keyFile);
    byte[] bad = good.clone();
    bad[7] ^= 1;
    java.nio.file.Files.write(keyFile, bad);
    IOException damaged = assertThrows(IOException.class, () -> new Journal(dir, 1 << 20));
    assertTrue(damaged.getMessage().contains("journal.key is damaged") && damaged.getMessage().contains("move "),
        damaged.getMessage());
    java.nio.file.Files.delete(keyFile);
    try (Journal j = new Journal(dir, 1 << 20)) {
      IOException missing = assertThrows(IOException.class, () -> j.replay(0, r -> { }, d -> { }));
      assertTrue(missing.getMessage().contains("journal.key is missing") && missing.getMessage().contains("Restore"),
          missing.getMessage());
    }
    java.nio.file.Files.write(keyFile, good);
    assertEquals(2, readClean(dir, 0).size());
  }

  /**
   * Review (journal key): an "LJRN" record is still read below the key's first number, and a client can
   * write one (it needs no key): numbered 0 in a journal that never had "LJRN" records (keyed from 1), or
   * below the key's first number in one keyed after an upgrade. Put in a body, it did not land as rows, but
   * after a flipped byte in that record's header, the search for the next record found it first and took
   * it for a recycled file's older life: every acknowledged record after the damaged one in that segment
   * was dropped (and, in the last segment, its numbers handed out again), where a flipped byte costs only
   * the record it hits.
   */
  @Test
  void anOldFormatRecordForgedInABodyCostsNothingButTheDamagedRecord() throws Exception {
    // a journal keyed from its first record; the damaged segment is not the last
    Path fresh = dir.resolve("fresh");
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    long hostileSeq;
    Path seg;
    try (Journal j = new Journal(fresh, 1 << 20)) {
      j.openForAppend(1);
      appendDurably(j, 3, s -> 500, written);
      appendHostile(j, 1, 2000, 0, written); // forged "LJRN" records numbered 0 in its body
      hostileSeq = j.lastSeq();
      appendDurably(j, 4, s -> 500, written);
      seg = Journal.segments(fresh).get(0);
      j.roll();
      appendDurably(j, 1, s -> 500, written);
    }
    assertEquals(1, Journal.key(fresh).keyedFrom());
    assertDamagedRecordCostsOnlyItself(fresh, seg, hostileSeq, written);

    // a journal from before keys, keyed from 6 on upgrade; the damaged segment is the last
    Path upgraded = dir.resolve("upgraded");
    java.util.Map<Long, byte[]> old = new java.util.HashMap<>();
    writeJournalFromBeforeKeys(upgraded, old);
    try (Journal j = new Journal(upgraded, 1 << 20)) {
      startUpgraded(j, upgraded, 5);
      appendDurably(j, 2, s -> 500, old);
      appendHostile(j, 1, 2000, 3, old); // forged "LJRN" records numbered 3, below the key's first (6)
      hostileSeq = j.lastSeq();
      appendDurably(j, 4, s -> 500, old);
      seg = Journal.segments(upgraded).get(1);
    }
    assertEquals(6, Journal.key(upgraded).keyedFrom());
    assertDamagedRecordCostsOnlyItself(upgraded, seg, hostileSeq, old);
  }

  /** Flips a byte of record {@code seq}'s header (its timestamp) and checks that only that record is lost. */
  private static void assertDamagedRecordCostsOnlyItself(Path d, Path seg, long seq, java.util.Map<Long, byte[]> written)
      throws IOException {
    flip(seg, offsetOf(seg, seq, written) + 20);
    List<Journal.Record> read = new ArrayList<>();
    List<Journal.Damage> damage = new ArrayList<>();
    long max = Journal.replay(d, 0, read::add, damage::add);
    java.util.Map<Long, byte[]> expected = new java.util.HashMap<>(written);
    expected.remove(seq);
    assertReads(expected, 0, read);
    assertEquals(written.keySet().stream().mapToLong(Long::longValue).max().getAsLong(), max,
        "the highest number is the newest acknowledged record's");
    assertEquals(1, damage.size(), damage.stream().map(Journal::describe).toList().toString());
    assertEquals(seq, damage.get(0).firstLostSeq());
    assertEquals(1, damage.get(0).lostRecords(), Journal.describe(damage.get(0)));
  }

  /**
   * Review (journal key): a missing journal.key is noticed by the marker at a segment's start only. When
   * the first record of the last segment is damaged there too (a flipped byte in its marker), replay read
   * nothing, reported nothing (it looked like a torn tail), and openForAppend made a new key and cut the
   * segment: every acknowledged record in it gone without a word.
   */
  @Test
  void aMissingKeyIsNoticedWhenTheFirstKeyedRecordIsDamagedToo() throws Exception {
    try (Journal j = new Journal(dir, 1 << 20)) {
      j.openForAppend(1);
      appendDurably(j, 3, s -> 100, new java.util.HashMap<>());
    }
    flip(Journal.segments(dir).get(0), 1);
    java.nio.file.Files.delete(dir.resolve(Journal.KEY_FILE));
    try (Journal j = new Journal(dir, 1 << 20)) {
      IOException missing = assertThrows(IOException.class, () -> j.replay(0, r -> { }, d -> { }));
      assertTrue(missing.getMessage().contains("journal.key is missing"), missing.getMessage());
    }
    assertEquals(3 * (Journal.FIXED_HEADER + 2 + 100), java.nio.file.Files.size(Journal.segments(dir).get(0)),
        "the segment is left as it was");
  }

  /** A dataset id longer than a record can hold is refused, not written as a header that cannot be read back. */
  @Test
  void aDatasetIdLongerThanARecordHoldsIsRefused() throws Exception {
    try (Journal j = new Journal(dir, 1 << 20)) {
      j.openForAppend(1);
      byte[] b = body(0, 0);
      String longest = "d".repeat(Journal.MAX_DATASET_ID_BYTES);
      j.awaitDurable(j.append(Journal.KIND_JSON, 1L, longest, b, 0, b.length));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> j.append(Journal.KIND_JSON, 1L, longest + "d", b, 0, b.length));
      assertTrue(e.getMessage().contains("at most " + Journal.MAX_DATASET_ID_BYTES), e.getMessage());
      j.awaitDurable(j.append(Journal.KIND_JSON, 1L, "ds", b, 0, b.length));
    }
    List<Journal.Record> read = readClean(dir, 0);
    assertEquals(List.of(1L, 2L), read.stream().map(Journal.Record::seq).toList());
    assertEquals(Journal.MAX_DATASET_ID_BYTES, read.get(0).datasetId().length());
  }

  /**
   * Review (journal key), what held: a journal from before keys whose segments are recycled under the key
   * (their "LJRN" records, with forged "LJRN" records in their bodies, follow the keyed ones uncut) reads
   * as exactly its keyed records after a crash, and a flipped byte in a recycled segment costs one record.
   * A crash while the key was made (its temporary file left in the directory) changes nothing.
   */
  @Test
  void aJournalFromBeforeKeysRecycledUnderTheKeyReadsOnlyItsKeyedRecords() throws Exception {
    Path d = dir.resolve("j");
    java.nio.file.Files.createDirectories(d);
    java.util.Map<Long, byte[]> written = new java.util.HashMap<>();
    for (long first : new long[] {1, 21}) {
      java.io.ByteArrayOutputStream old = new java.io.ByteArrayOutputStream();
      for (long s = first; s < first + 20; s++) {
        byte[] b = hostile(3000, 0); // old bodies hold "LJRN" records numbered 0
        old.write(Journal.encode(new Journal.Record(s, Journal.KIND_ARROW, 1L, "ds", b), null));
      }
      java.nio.file.Files.write(d.resolve(String.format("journal-%020d.log", first)), old.toByteArray());
    }
    java.nio.file.Files.write(d.resolve(".journal.key.tmp-left-by-a-crash"), new byte[] {1, 2, 3});
    Path image = dir.resolve("image");
    try (Journal j = new Journal(d, 32 << 10)) {
      startUpgraded(j, d, 40);
      appendDurably(j, 1, s -> 500, written);
      j.roll();
      appendDurably(j, 1, s -> 500, written);
      j.deleteThrough(40);
      assertEquals(2, j.spareCount());
      appendDurably(j, 150, s -> 400 + (s * 31) % 500, written); // shorter records: the old life shows after them
      copyDir(d, image); // a crash: the last segment is not cut
    }
    List<Path> segs = Journal.segments(image);
    List<Path> recycled = segs.stream().filter(p -> {
      try {
        long end = offsetOf(p, segs.indexOf(p) + 1 < segs.size() ? Journal.firstSeqOf(segs.get(segs.indexOf(p) + 1))
            : written.keySet().stream().mapToLong(Long::longValue).max().getAsLong() + 1, written);
        return java.nio.file.Files.size(p) > end;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList();
    assertTrue(!recycled.isEmpty(), "a recycled segment with its older life after its records");
    assertReads(written, 0, readClean(image, 0));
    // a flipped byte in a record of a recycled segment: that record only
    Path seg = recycled.get(0);
    long victim = Journal.firstSeqOf(seg) + 1;
    assertTrue(written.containsKey(victim + 1), "records after the damaged one");
    flip(seg, offsetOf(seg, victim, written) + 20);
    List<Journal.Record> read = new ArrayList<>();
    List<Journal.Damage> damage = new ArrayList<>();
    Journal.replay(image, 0, read::add, damage::add);
    java.util.Map<Long, byte[]> expected = new java.util.HashMap<>(written);
    expected.remove(victim);
    assertReads(expected, 0, read);
    assertEquals(1, damage.size(), damage.stream().map(Journal::describe).toList().toString());
    assertEquals(1, damage.get(0).lostRecords());
  }
}
