package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each finding of issue 12 (an adversarial probe of the server at -Xmx1g) replayed against a real
 * server process: the rows written equal the rows acknowledged with 200 (minus the records the
 * server itself reported damaged), and the server keeps answering.
 */
class FaultInjectionTest {
  @TempDir
  Path dir;

  private static String row(int n) {
    return "{\"datasetId\":\"ds\",\"single\":{\"n\":" + n + "}}";
  }

  private static String wideRow(String prefix, int columns) {
    StringBuilder sb = new StringBuilder("{\"datasetId\":\"ds\",\"single\":{\"n\":1");
    for (int i = 0; i < columns; i++) {
      sb.append(",\"").append(prefix).append(i).append("\":").append(i);
    }
    return sb.append("}}").toString();
  }

  private static void assertAnswers(ServerProcess s) {
    HttpResponse<String> h = s.http.get("/health");
    assertTrue(h.statusCode() == 200, "health: " + h.statusCode() + " " + h.body());
    assertEquals(200, s.http.post("/logs", "{\"datasetId\":\"probe\",\"single\":{\"x\":1}}").statusCode());
  }

  /** Finding 1: wide requests are refused at admission; no window is dropped; the acknowledged rows are written. */
  @Test
  void wideRequestsAreRefusedBeforeJournalingAndEveryAcknowledgedRowIsWritten() throws Exception {
    try (ServerProcess s = new ServerProcess(dir).start()) {
      long acked = 0;
      for (int i = 0; i < 10; i++) {
        assertEquals(200, s.http.post("/logs", row(i)).statusCode());
        acked++;
      }
      int refused = 0;
      for (int r = 0; r < 12; r++) {
        HttpResponse<String> resp = s.http.post("/logs", wideRow("r" + r + "_", 5000));
        if (resp.statusCode() == 200) {
          acked++;
        } else {
          assertEquals(413, resp.statusCode(), resp.body());
          assertTrue(resp.body().contains("LOUPE_MAX_OPEN_COLUMNS") || resp.body().contains("LOUPE_MAX_WINDOW_COLUMNS"),
              resp.body());
          refused++;
        }
      }
      assertTrue(refused >= 10, "the column budget refused the requests that cannot fit: " + refused);
      assertAnswers(s);
      HttpResponse<String> w = s.http.post("/writeProfiles", "");
      assertEquals(200, w.statusCode(), w.body());
      assertEquals(acked, s.written("n"));
      s.kill9();
      s.start();
      assertEquals(200, s.http.post("/writeProfiles", "").statusCode());
      assertEquals(acked, s.written("n"), "a restart neither loses nor repeats a row");
    }
  }

  /** Finding 2: a 100k-column request is refused before the journal; a journaled record that cannot be applied is quarantined. */
  @Test
  void aRecordThatCannotBeAppliedIsQuarantinedAndStartUpGoesOn() throws Exception {
    try (ServerProcess s = new ServerProcess(dir).start()) {
      for (int i = 0; i < 10; i++) {
        assertEquals(200, s.http.post("/logs", row(i)).statusCode());
      }
      HttpResponse<String> wide = s.http.post("/logs", wideRow("c", 100_000));
      assertEquals(413, wide.statusCode(), wide.body());
      assertTrue(wide.body().contains("LOUPE_MAX_REQUEST_COLUMNS"), wide.body());
      s.kill9();
      // as if an older server had journaled it: a well-framed record the limits refuse, and one of garbage
      long next = nextSeq(s.journalDir());
      byte[] body = wideRow("c", 100_000).getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream seg = new ByteArrayOutputStream();
      Journal.Key key = Journal.key(s.journalDir());
      seg.write(Journal.encode(new Journal.Record(next, Journal.KIND_JSON, System.currentTimeMillis(), "ds", body), key));
      seg.write(Journal.encode(new Journal.Record(next + 1, Journal.KIND_JSON, System.currentTimeMillis(), "ds",
          "{\"datasetId\":".getBytes(StandardCharsets.UTF_8)), key));
      seg.write(Journal.encode(new Journal.Record(next + 2, Journal.KIND_JSON, System.currentTimeMillis(), "ds",
          row(99).getBytes(StandardCharsets.UTF_8)), key));
      Files.write(s.journalDir().resolve(String.format("journal-%020d.log", next)), seg.toByteArray());
      s.start();
      assertEquals(2, s.metric("loupe_quarantined_records_total"));
      assertTrue(Files.exists(s.dataDir().resolve("quarantine").resolve(String.format("record-%020d.bin", next))));
      assertTrue(s.log().contains("QUARANTINED journal record " + next), s.log());
      HttpResponse<String> h = s.http.get("/health");
      assertTrue(h.body().contains("\"degraded\"") && h.body().contains("quarantine"), h.body());
      assertAnswers(s);
      assertEquals(200, s.http.post("/writeProfiles", "").statusCode());
      assertEquals(11, s.written("n"), "the 10 rows and the intact record after the quarantined ones");
    }
  }

  /** Finding 3: one flipped byte in the live segment costs the record it hit, and no other. */
  @Test
  void aFlippedJournalByteCostsOnlyTheRecordItHit() throws Exception {
    ServerProcess s = new ServerProcess(dir);
    s.env.put("LOUPE_CHECKPOINT_INTERVAL", "1h"); // every record stays in the live segment
    try (s) {
      s.start();
      int rowsPerRequest = 10;
      long acked = 0;
      for (int i = 0; i < 60; i++) {
        StringBuilder data = new StringBuilder();
        for (int r = 0; r < rowsPerRequest; r++) {
          data.append(r == 0 ? "" : ",").append("[").append(i * 100 + r).append(",\"v").append(r).append("\"]");
        }
        HttpResponse<String> resp = s.http.post("/logs", "{\"datasetId\":\"ds\",\"multiple\":{\"columns\":[\"n\",\"s\"],"
            + "\"data\":[" + data + "]}}");
        assertEquals(200, resp.statusCode(), resp.body());
        acked += rowsPerRequest;
      }
      s.kill9();
      Path live = Journal.segments(s.journalDir()).stream().max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
      long size = Files.size(live);
      assertTrue(size > 1000, "the live segment holds the records: " + size);
      flip(live, size / 2);
      s.start();
      long damaged = s.metric("loupe_journal_damaged_records_total");
      assertEquals(1, damaged, s.log());
      assertTrue(s.log().contains("DAMAGED journal record"), s.log());
      assertAnswers(s);
      assertEquals(200, s.http.post("/writeProfiles", "").statusCode());
      assertEquals(acked - damaged * rowsPerRequest, s.written("n"));
    }
  }

  /** Finding 4: hundreds of slow bodies neither freeze the server nor stop other requests. */
  @Test
  void slowClientsDoNotFreezeTheServer() throws Exception {
    ServerProcess s = new ServerProcess(dir);
    s.env.put("LOUPE_BODY_TIMEOUT", "3s");
    List<Socket> slow = new ArrayList<>();
    try (s) {
      s.start();
      for (int i = 0; i < 10; i++) {
        assertEquals(200, s.http.post("/logs", row(i)).statusCode());
      }
      for (int i = 0; i < 260; i++) {
        Socket sock = new Socket("127.0.0.1", s.http.port);
        sock.setSoTimeout(15_000);
        OutputStream out = sock.getOutputStream();
        out.write(("POST /logs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + TestHttp.KEY
            + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(sock);
      }
      Thread trickle = new Thread(() -> { // one byte a second on every socket, as the probe did
        for (int t = 0; t < 8; t++) {
          for (Socket sock : slow) {
            try {
              sock.getOutputStream().write(' ');
              sock.getOutputStream().flush();
            } catch (IOException closedByServer) {
              // answered already
            }
          }
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      trickle.setDaemon(true);
      trickle.start();
      long t0 = System.nanoTime();
      HttpResponse<String> h = s.http.get("/health");
      assertEquals(200, h.statusCode(), h.body());
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "health answered while 260 bodies trickle");
      // a good request may meet 503 (every reader taken) while the trickles are being cut: it gets in soon
      int good = 0;
      while (System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos()) {
        good = s.http.post("/logs", row(10)).statusCode();
        if (good == 200) {
          break;
        }
        assertEquals(503, good);
        Thread.sleep(200);
      }
      assertEquals(200, good, "a good request got in while 260 bodies trickle");
      // every slow request ends: 503 at once (too many readers) or 408 at the body deadline
      int answered408 = 0;
      int answered503 = 0;
      for (Socket sock : slow) {
        String status = statusLine(sock.getInputStream());
        assertTrue(status.contains(" 408") || status.contains(" 503"), "'" + status + "'");
        answered408 += status.contains(" 408") ? 1 : 0;
        answered503 += status.contains(" 503") ? 1 : 0;
      }
      assertEquals(260, answered408 + answered503);
      assertTrue(answered408 > 0 && answered503 > 0, answered408 + " x 408, " + answered503 + " x 503");
      trickle.interrupt();
      assertAnswers(s);
      assertEquals(200, s.http.post("/writeProfiles", "").statusCode());
      assertEquals(11, s.written("n"));
    } finally {
      for (Socket sock : slow) {
        sock.close();
      }
    }
  }

  /**
   * Arrow streams whose framing is sound but whose batches lie (more rows than their buffers hold,
   * string offsets past the data, dictionary indices outside the dictionary), in one batch or the
   * last of several: each is refused with 400 before it is journaled, and the server keeps taking
   * requests (a record that failed after its journal append would stop the server until a restart).
   */
  @Test
  void arrowBatchesThatLieAreRefusedBeforeJournaling() throws Exception {
    List<byte[]> liars = List.of(
        ArrowStreams.replaceLong(ArrowStreams.stream(1, 12345), 12345, 50_000_000),
        ArrowStreams.replaceLong(ArrowStreams.stream(3, 12345), 12345, 50_000_000),
        ArrowStreams.brokenOffsets(ArrowStreams.stream(1, 100)),
        ArrowStreams.brokenOffsets(ArrowStreams.stream(2, 100)),
        ArrowStreams.dictionaryEncoded(0, 1, 7, 2),
        ArrowStreams.dictionaryEncoded(0, -1));
    try (ServerProcess s = new ServerProcess(dir).start()) {
      for (byte[] body : liars) {
        HttpResponse<String> r = s.http.post("/logs/arrow?datasetId=arrow", body, TestHttp.KEY);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("Arrow"), r.body());
        assertAnswers(s);
      }
      assertEquals(200, s.http.post("/logs/arrow?datasetId=arrow", ArrowStreams.stream(1, 50), TestHttp.KEY)
          .statusCode());
      assertEquals(200, s.http.post("/logs/arrow?datasetId=arrow", ArrowStreams.dictionaryEncoded(0, 1, 2, 2),
          TestHttp.KEY).statusCode());
      assertEquals(200, s.http.post("/writeProfiles", "").statusCode());
      assertEquals(50, s.written("id"));
      assertEquals(50 + 4, s.written("city")); // the plain stream's city column and the dictionary one
    }
  }

  /** Finding 5: lying lengths and garbage allocate nothing from what they declare. */
  @Test
  void declaredLengthsAreNotTrustedForAllocation() throws Exception {
    List<Socket> liars = new ArrayList<>();
    try (ServerProcess s = new ServerProcess(dir).start()) {
      HttpResponse<String> garbage = s.http.post("/logs/arrow?datasetId=ds", HexFormat.of().parseHex("ffffffff00008025"),
          TestHttp.KEY);
      assertEquals(400, garbage.statusCode(), garbage.body());
      assertTrue(garbage.body().contains("declares"), garbage.body());
      HttpResponse<String> json = s.http.post("/logs/arrow?datasetId=ds", row(1).getBytes(StandardCharsets.UTF_8),
          TestHttp.KEY);
      assertEquals(400, json.statusCode(), json.body());
      assertTrue(json.body().contains("JSON"), json.body());
      for (int i = 0; i < 40; i++) {
        Socket sock = new Socket("127.0.0.1", s.http.port);
        sock.getOutputStream().write(("POST /logs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + TestHttp.KEY
            + "\r\nContent-Length: 60000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        sock.getOutputStream().flush();
        liars.add(sock);
      }
      Thread.sleep(500);
      long inflight = s.metric("loupe_inflight_body_bytes");
      assertTrue(inflight <= 40L * (64 << 10), "memory follows the bytes that arrived, not the declared 60 MB: "
          + inflight);
      long acked = 0;
      for (int i = 0; i < 10; i++) {
        assertEquals(200, s.http.post("/logs", row(i)).statusCode());
        acked++;
      }
      assertAnswers(s);
      byte[] arrow = ArrowStreams.stream(1, 50);
      assertEquals(200, s.http.post("/logs/arrow?datasetId=arrow", arrow, TestHttp.KEY).statusCode());
      assertEquals(200, s.http.post("/writeProfiles", "").statusCode());
      assertEquals(acked, s.written("n"));
      assertEquals(50, s.written("id"));
    } finally {
      for (Socket sock : liars) {
        sock.close();
      }
    }
  }

  /** Finding 6: empty and refused requests take no dataset slot. */
  @Test
  void onlyAcceptedRowsTakeDatasetSlots() throws Exception {
    ServerProcess s = new ServerProcess(dir);
    s.env.put("LOUPE_MAX_DATASETS", "5");
    try (s) {
      s.start();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = s.http.post("/logs", "{\"datasetId\":\"empty" + i
            + "\",\"multiple\":{\"columns\":[\"a\"],\"data\":[]}}");
        assertEquals(200, r.statusCode(), r.body());
      }
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r = s.http.post("/logs", "{\"datasetId\":\"late" + i
            + "\",\"timestamp\":1000,\"single\":{\"a\":1}}");
        assertEquals(400, r.statusCode(), r.body());
      }
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r = s.http.post("/logs", "{\"datasetId\":\"real" + i + "\",\"single\":{\"n\":1}}");
        assertEquals(200, r.statusCode(), r.body());
      }
      HttpResponse<String> sixth = s.http.post("/logs", "{\"datasetId\":\"real5\",\"single\":{\"n\":1}}");
      assertEquals(429, sixth.statusCode(), sixth.body());
      assertEquals(200, s.http.post("/writeProfiles", "").statusCode());
      assertEquals(5, s.written("n"));
    }
  }

  /** Finding 7: gzip, timestamps, /writeProfiles and the destination's failures, a damaged checkpoint. */
  @Test
  void statusesAndMessagesSayWhatHappened() throws Exception {
    Path blocker = dir.resolve("not-a-directory");
    Files.writeString(blocker, "a file where the destination's directory should be");
    ServerProcess s = new ServerProcess(dir);
    s.env.put("FILE_SYSTEM_WRITER_ROOT", blocker.resolve("profiles").toString());
    s.env.put("LOUPE_CHECKPOINT_INTERVAL", "200ms");
    try (s) {
      s.start();
      assertTrue(s.log().contains("is not writable"), s.log());
      HttpResponse<String> h = s.http.get("/health");
      assertEquals(200, h.statusCode());
      assertTrue(h.body().contains("degraded") && h.body().contains("destination"), h.body());

      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
        z.write(row(1).getBytes(StandardCharsets.UTF_8));
      }
      HttpResponse<String> zipped = s.http.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + s.http.port + "/logs")).header("X-API-Key", TestHttp.KEY).header("Content-Encoding", "gzip")
          .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, zipped.statusCode(), zipped.body());
      long acked = 1;

      HttpResponse<String> max = s.http.post("/logs", "{\"datasetId\":\"ds\",\"timestamp\":9223372036854775807,"
          + "\"single\":{\"n\":1}}");
      assertEquals(400, max.statusCode());
      assertTrue(max.body().contains("9999") && !max.body().contains("-292275055"), max.body());
      long seconds = System.currentTimeMillis() / 1000 - 7200;
      HttpResponse<String> secs = s.http.post("/logs", "{\"datasetId\":\"ds\",\"timestamp\":" + seconds
          + ",\"single\":{\"n\":1}}");
      assertEquals(400, secs.statusCode());
      assertTrue(secs.body().contains("epoch seconds"), secs.body());

      for (int i = 0; i < 9; i++) {
        assertEquals(200, s.http.post("/logs", row(i)).statusCode());
        acked++;
      }
      HttpResponse<String> w = s.http.post("/writeProfiles", "");
      assertEquals(503, w.statusCode(), w.body());
      assertTrue(w.body().contains("\"waiting\":1") && w.body().contains("\"written\":0"), w.body());
      assertAnswers(s); // its row is dataset "probe", column x, not n

      // the operator fixes the destination: the kept window goes out, nothing lost
      Files.delete(blocker);
      Files.createDirectories(blocker.resolve("profiles"));
      HttpResponse<String> again = s.http.post("/writeProfiles", "");
      assertEquals(200, again.statusCode(), again.body());
      s.env.put("FILE_SYSTEM_WRITER_ROOT", blocker.resolve("profiles").toString());
      assertEquals(acked, TestHttp.count(TestHttp.mergeAll(blocker.resolve("profiles")), "n"));

      // a damaged checkpoint: start-up falls back to the previous one and the journal, losing nothing
      for (int i = 0; i < 20; i++) {
        assertEquals(200, s.http.post("/logs", row(i)).statusCode());
        Thread.sleep(20);
      }
      acked += 20;
      Thread.sleep(600); // a few checkpoints
      s.stop();
      Path ck = s.dataDir().resolve("checkpoint.bin");
      assertTrue(Files.exists(s.dataDir().resolve("checkpoint.prev.bin")));
      flip(ck, Files.size(ck) / 2);
      s.start();
      assertTrue(s.log().contains("started from the previous checkpoint"), s.log());
      assertEquals(200, s.http.post("/writeProfiles", "").statusCode());
      assertEquals(acked, TestHttp.count(TestHttp.mergeAll(blocker.resolve("profiles")), "n"));
    }
  }

  // ---- helpers ----

  private static long nextSeq(Path journal) throws IOException {
    long[] max = {0};
    Journal.replay(journal, 0, r -> max[0] = Math.max(max[0], r.seq()), d -> { });
    for (Path p : Journal.segments(journal)) {
      max[0] = Math.max(max[0], Journal.firstSeqOf(p) - 1);
    }
    return max[0] + 1;
  }

  private static void flip(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.flip();
      byte v = b.get(0);
      b.put(0, (byte) (v ^ 0x5A));
      ch.write(b, offset);
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      sb.append((char) c);
    }
    return sb.toString();
  }

  @Test
  void unitsHintNamesTheUnitThatFits() {
    assertFalse(Ingest.unitsHint(System.currentTimeMillis(), System.currentTimeMillis()).contains("looks like"));
    assertTrue(Ingest.unitsHint(System.currentTimeMillis() * 1000, System.currentTimeMillis()).contains("microseconds"));
    assertTrue(Ingest.unitsHint(System.currentTimeMillis() * 1_000_000, System.currentTimeMillis())
        .contains("nanoseconds"));
  }
}
