package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a separate process under client load, killed with SIGKILL at random moments and
 * restarted on the same data directory, then flushed: the profiles written hold every row that
 * was acknowledged, and no row twice.
 *
 * <p>A request in flight at the kill was not acknowledged; it may have reached the journal (then
 * it is counted once) or not (then it is not counted). So the exact claim is: written = acknowledged
 * + the rows of some subset of the in-flight requests. The test checks exactly that.
 */
class CrashRecoveryTest {
  private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");
  private static final int CLIENTS = 4;
  private static final int KILLS = 4;
  private static final int MAX_REQUESTS_PER_ROUND = 600; // per client: the load is bounded

  @TempDir
  Path dir;

  private Process start(Path log) throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, System.getProperty("loupe.jvm.opens",
        "--add-opens=java.base/java.nio=ALL-UNNAMED"), "-Xmx512m", "-cp", cp, "dev.loupe.server.ServerMain");
    Map<String, String> env = pb.environment();
    env.put("PORT", "0");
    env.put("LOUPE_HOST", "127.0.0.1");
    env.put("CONTAINER_API_KEY", TestHttp.KEY);
    env.put("UPLOAD_DESTINATION", "DEBUG_FILE_SYSTEM");
    env.put("LOUPE_DATA_DIR", dir.resolve("data").toString());
    env.put("FILE_SYSTEM_WRITER_ROOT", dir.resolve("profiles").toString());
    env.put("LOUPE_WINDOW", "2s"); // rotations and checkpoints happen under the load, where a kill hurts most
    env.put("LOUPE_CHECKPOINT_INTERVAL", "700ms");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private static int awaitPort(Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      Matcher m = LISTENING.matcher(out);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!p.isAlive()) {
        fail("server exited with " + p.exitValue() + ":\n" + out);
      }
      Thread.sleep(20);
    }
    p.destroyForcibly();
    fail("server did not start within 60 s:\n" + Files.readString(log));
    return -1;
  }

  @Test
  void killDashNineAtRandomMomentsLosesNoAcknowledgedRowAndCountsNoneTwice() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    byte[] arrow = ArrowStreams.stream(1, 50); // column "id": 50 rows
    AtomicLong acknowledged = new AtomicLong();
    ConcurrentLinkedQueue<Integer> unknown = new ConcurrentLinkedQueue<>(); // rows of requests in flight at a kill
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    int round = 0;
    for (; round <= KILLS; round++) {
      Path log = dir.resolve("server-" + round + ".log");
      Process server = start(log);
      int port = awaitPort(server, log);
      boolean kill = round < KILLS;
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        long clientSeed = random.nextLong();
        int clientNo = c;
        Thread t = new Thread(() -> {
          try {
            load(client, port, clientNo, new Random(clientSeed), arrow, acknowledged, unknown,
                kill ? MAX_REQUESTS_PER_ROUND : 100);
          } catch (Throwable e) {
            errors.add(e.toString());
          }
        });
        t.start();
        clients.add(t);
      }
      if (kill) {
        Thread.sleep(300 + random.nextInt(2700)); // a random moment: during a request, a rotation, a checkpoint...
        server.destroyForcibly(); // SIGKILL
        server.waitFor();
      }
      for (Thread t : clients) {
        t.join(120_000);
        assertTrue(!t.isAlive(), "client finished");
      }
      if (!kill) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/writeProfiles")).header("X-API-Key", TestHttp.KEY).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        server.destroy(); // SIGTERM: a clean stop
        assertTrue(server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "server stopped");
      }
    }
    assertTrue(errors.isEmpty(), errors.toString());
    ProfileView all = TestHttp.mergeAll(dir.resolve("profiles"));
    long written = TestHttp.count(all, "id");
    long acked = acknowledged.get();
    List<Integer> inFlight = new ArrayList<>(unknown);
    String context = "seed " + seed + ": written " + written + ", acknowledged " + acked + ", in flight at kills "
        + inFlight + ", files " + TestHttp.profileFiles(dir.resolve("profiles")).size();
    System.out.println("crash test: " + context);
    assertTrue(acked > 0, context);
    assertTrue(written >= acked, "an acknowledged row was lost: " + context);
    assertTrue(isSubsetSum(written - acked, inFlight), "rows counted twice (or from nowhere): " + context);
    for (int r = 0; r < round; r++) {
      String out = Files.readString(dir.resolve("server-" + r + ".log"));
      assertTrue(!out.contains("could not be replayed"), out);
    }
  }

  private static boolean isSubsetSum(long target, List<Integer> items) {
    if (target < 0) {
      return false;
    }
    java.util.Set<Long> sums = new java.util.HashSet<>();
    sums.add(0L);
    for (int x : items) {
      java.util.Set<Long> next = new java.util.HashSet<>(sums);
      for (long s : sums) {
        next.add(s + x);
      }
      sums = next;
    }
    return sums.contains(target);
  }

  /** One client: a bounded number of requests, until the server goes away. */
  private static void load(HttpClient client, int port, int clientNo, Random random, byte[] arrow,
      AtomicLong acknowledged, ConcurrentLinkedQueue<Integer> unknown, int requests) {
    for (int i = 0; i < requests; i++) {
      int rows;
      HttpRequest req;
      String dataset = "crash-" + (clientNo % 2);
      if (i % 10 == 9) {
        rows = 50;
        req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/logs/arrow?datasetId=" + dataset))
            .header("X-API-Key", TestHttp.KEY).timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(arrow)).build();
      } else {
        rows = 1 + random.nextInt(20);
        StringBuilder sb = new StringBuilder("{\"datasetId\": \"").append(dataset)
            .append("\", \"multiple\": {\"columns\": [\"id\", \"client\", \"x\"], \"data\": [");
        for (int r = 0; r < rows; r++) {
          sb.append(r == 0 ? "" : ",").append('[').append(i * 100 + r).append(", \"c").append(clientNo).append("\", ")
              .append(random.nextDouble()).append(']');
        }
        sb.append("]}}");
        req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/logs"))
            .header("X-API-Key", TestHttp.KEY).timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(sb.toString())).build();
      }
      try {
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          acknowledged.addAndGet(rows);
        } else {
          throw new AssertionError("unexpected answer " + r.statusCode() + ": " + r.body());
        }
      } catch (IOException e) {
        unknown.add(rows); // the server died with this request in flight: not acknowledged
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
