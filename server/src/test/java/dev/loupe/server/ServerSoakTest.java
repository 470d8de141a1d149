package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded soak: mixed good, malformed, wide and slow traffic against a server process at
 * -Xmx1g, killed with SIGKILL at random moments, with a byte flipped in a random closed journal
 * segment before some restarts. Written rows = acknowledged rows - rows of the records the server
 * reported damaged (+ some of the requests in flight at a kill). Run with
 * {@code ./mvnw -pl server test -Dloupe.soak=true -Dtest=ServerSoakTest} (rounds:
 * {@code -Dloupe.soak.rounds=N}, default 6; seed: {@code -Dloupe.soak.seed=S}).
 */
@EnabledIfSystemProperty(named = "loupe.soak", matches = "true")
class ServerSoakTest {
  private static final int ROWS = 5;

  @TempDir
  Path dir;

  @Test
  void mixedTrafficKillsAndFlippedBytesLoseOnlyWhatTheServerReports() throws Exception {
    long seed = Long.getLong("loupe.soak.seed", System.nanoTime());
    int rounds = Integer.getInteger("loupe.soak.rounds", 6);
    Random random = new Random(seed);
    ServerProcess s = new ServerProcess(dir);
    s.env.put("LOUPE_WINDOW", "2s");
    s.env.put("LOUPE_CHECKPOINT_INTERVAL", "400ms");
    s.env.put("LOUPE_BODY_TIMEOUT", "2s");
    s.env.put("LOUPE_MAX_REQUEST_COLUMNS", "2000");
    AtomicLong acked = new AtomicLong();
    ConcurrentLinkedQueue<Integer> inFlight = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    long damagedRecords = 0;
    int flips = 0;
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (s) {
      for (int round = 0; round <= rounds; round++) {
        s.start();
        damagedRecords += s.metric("loupe_journal_damaged_records_total");
        int port = s.http.port;
        boolean last = round == rounds;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
          Random r = new Random(random.nextLong());
          Thread t = new Thread(() -> traffic(client, port, r, last ? 60 : 400, acked, inFlight, errors));
          t.start();
          threads.add(t);
        }
        Thread slow = new Thread(() -> slowBody(port));
        slow.setDaemon(true);
        slow.start();
        if (!last) {
          Thread.sleep(500 + random.nextInt(2500));
          s.kill9();
          List<Path> closed = new ArrayList<>(Journal.segments(s.journalDir()));
          if (!closed.isEmpty()) {
            closed.remove(closed.size() - 1); // the live one: a flip at its end is a torn write to any reader
          }
          closed.removeIf(p -> p.toFile().length() < 100);
          if (!closed.isEmpty() && random.nextBoolean()) {
            Path seg = closed.get(random.nextInt(closed.size()));
            long at = random.nextInt((int) Files.size(seg));
            flip(seg, at);
            flips++;
            System.out.println("soak: flipped byte " + at + " of " + seg.getFileName());
          }
        }
        for (Thread t : threads) {
          t.join(120_000);
        }
        if (last) {
          HttpResponse<String> w = s.http.post("/writeProfiles", "");
          assertEquals(200, w.statusCode(), w.body());
          assertEquals(200, s.http.get("/health").statusCode());
          s.stop();
        }
      }
      assertTrue(errors.isEmpty(), errors.toString());
      long written = s.written("n");
      long expected = acked.get() - damagedRecords * ROWS;
      long unknown = inFlight.stream().mapToLong(Integer::longValue).sum();
      String context = "seed " + seed + ": written " + written + ", acknowledged " + acked.get() + ", damaged records "
          + damagedRecords + " (bytes flipped: " + flips + "), rows in flight at kills " + unknown;
      System.out.println("soak: " + context);
      assertTrue(written >= expected, "an acknowledged row was lost: " + context);
      assertTrue(written <= expected + unknown, "a row was counted twice: " + context);
    }
  }

  private static void traffic(HttpClient client, int port, Random r, int requests, AtomicLong acked,
      ConcurrentLinkedQueue<Integer> inFlight, ConcurrentLinkedQueue<String> errors) {
    for (int i = 0; i < requests; i++) {
      int kind = r.nextInt(10);
      String body;
      int rows = 0;
      if (kind < 7) {
        StringBuilder data = new StringBuilder();
        for (int k = 0; k < ROWS; k++) {
          data.append(k == 0 ? "" : ",").append('[').append(r.nextInt(1000)).append(",\"s").append(r.nextInt(50))
              .append("\"]");
        }
        body = "{\"datasetId\":\"soak" + r.nextInt(3) + "\",\"multiple\":{\"columns\":[\"n\",\"s\"],\"data\":["
            + data + "]}}";
        rows = ROWS;
      } else if (kind < 9) {
        body = "{\"datasetId\":\"soak\",\"multiple\":{\"columns\":[\"n\"],\"data\":[[1],[2,3]]}}"; // malformed
      } else {
        StringBuilder sb = new StringBuilder("{\"datasetId\":\"soak\",\"single\":{\"n\":1");
        for (int c = 0; c < 3000; c++) {
          sb.append(",\"w").append(c).append("\":").append(c);
        }
        body = sb.append("}}").toString(); // wider than LOUPE_MAX_REQUEST_COLUMNS
      }
      try {
        HttpResponse<String> resp = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/logs"))
            .header("X-API-Key", TestHttp.KEY).timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        int want = kind < 7 ? 200 : kind < 9 ? 400 : 413;
        if (resp.statusCode() == 200 && rows > 0) {
          acked.addAndGet(rows);
        } else if (resp.statusCode() != want) {
          errors.add(resp.statusCode() + " for a request of kind " + kind + ": " + resp.body());
        }
      } catch (IOException e) {
        inFlight.add(rows); // the server was killed under it: it may or may not have been journaled
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void slowBody(int port) {
    try (Socket sock = new Socket("127.0.0.1", port)) {
      OutputStream out = sock.getOutputStream();
      out.write(("POST /logs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + TestHttp.KEY
          + "\r\nContent-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 5; i++) {
        Thread.sleep(700);
        out.write(' ');
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // refused, timed out (408) or killed: all fine for a slow client
    }
  }

  private static void flip(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x10));
      b.position(0);
      ch.write(b, offset);
    }
  }
}
