package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded load benchmark on loopback (fixed request counts), run with
 * {@code ./mvnw -pl server -am verify -Dloupe.load=true -Dtest=ServerLoadBenchmarkTest}. It reports
 * JSON rows/s (10 columns), Arrow rows/s (10 columns) and p50/p99 latency of JSON requests sent at
 * half the measured peak rate. A benchmark, not a timed assertion: it only checks that every
 * request was answered 200 and every row counted.
 */
@EnabledIfSystemProperty(named = "loupe.load", matches = "true")
class ServerLoadBenchmarkTest {
  private static final int JSON_ROWS_PER_REQUEST = 1000;
  private static final int JSON_REQUESTS = 1500;
  private static final int ARROW_ROWS_PER_REQUEST = 100_000;
  private static final int ARROW_REQUESTS = 120;
  private static final int CONCURRENCY = 8;

  @TempDir
  Path dir;

  static String jsonBody(String dataset, int rows, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder(rows * 120);
    sb.append("{\"datasetId\": \"").append(dataset).append("\", \"multiple\": {\"columns\": [\"i0\", \"i1\", \"i2\", "
        + "\"i3\", \"f0\", \"f1\", \"f2\", \"f3\", \"s0\", \"s1\"], \"data\": [");
    for (int i = 0; i < rows; i++) {
      sb.append(i == 0 ? "[" : ",[");
      for (int c = 0; c < 4; c++) {
        sb.append(r.nextInt(1000 * (c + 1))).append(',');
      }
      for (int c = 0; c < 4; c++) {
        sb.append(Math.round(r.nextGaussian() * (c + 1) * 1000) / 1000.0).append(',');
      }
      sb.append("\"v").append(r.nextInt(20)).append("\",\"v").append(r.nextInt(100_000)).append("\"]");
    }
    return sb.append("]}}").toString();
  }

  private static HttpRequest request(int port, String path, byte[] body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("X-API-Key", TestHttp.KEY)
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  /** Sends {@code count} requests from {@code CONCURRENCY} threads as fast as they are answered; returns seconds. */
  private static double closedLoop(HttpClient client, int port, String path, List<byte[]> bodies, int count)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    AtomicInteger next = new AtomicInteger();
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < CONCURRENCY; t++) {
      fs.add(pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < count) {
          HttpResponse<String> r = client.send(request(port, path, bodies.get(i % bodies.size())),
              HttpResponse.BodyHandlers.ofString());
          assertEquals(200, r.statusCode(), r.body());
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get(10, TimeUnit.MINUTES);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    return s;
  }

  @Test
  void reportThroughputAndLatency() throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY)
        .dataDir(dir.resolve("data")).fileSystemRoot(dir.resolve("profiles")).build();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    StringBuilder report = new StringBuilder();
    try (LoupeServer server = LoupeServer.start(config)) {
      int port = server.port();
      List<byte[]> json = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        json.add(jsonBody("bench-json", JSON_ROWS_PER_REQUEST, i).getBytes(StandardCharsets.UTF_8));
      }
      List<byte[]> arrow = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        arrow.add(ArrowStreams.wide(ARROW_ROWS_PER_REQUEST, i));
      }
      closedLoop(client, port, "/logs", json, JSON_REQUESTS / 5); // warm-up
      closedLoop(client, port, "/logs/arrow?datasetId=bench-arrow", arrow, ARROW_REQUESTS / 5);

      double js = closedLoop(client, port, "/logs", json, JSON_REQUESTS);
      double jsonRowsPerSec = (double) JSON_REQUESTS * JSON_ROWS_PER_REQUEST / js;
      double as = closedLoop(client, port, "/logs/arrow?datasetId=bench-arrow", arrow, ARROW_REQUESTS);
      double arrowRowsPerSec = (double) ARROW_REQUESTS * ARROW_ROWS_PER_REQUEST / as;
      report.append(String.format("JSON : %,d requests x %,d rows x 10 columns in %.2f s = %,.0f rows/s (%,.0f req/s, "
          + "%.1f MB/s of JSON)%n", JSON_REQUESTS, JSON_ROWS_PER_REQUEST, js, jsonRowsPerSec, JSON_REQUESTS / js,
          JSON_REQUESTS * (double) json.get(0).length / js / 1e6));
      report.append(String.format("Arrow: %,d requests x %,d rows x 10 columns in %.2f s = %,.0f rows/s (%.1f MB/s of IPC)%n",
          ARROW_REQUESTS, ARROW_ROWS_PER_REQUEST, as, arrowRowsPerSec, ARROW_REQUESTS * (double) arrow.get(0).length / as / 1e6));

      int n = 0;
      for (double fraction : new double[] {0.25, 0.5}) {
        n += openLoop(client, port, json, JSON_REQUESTS / js * fraction, fraction, report);
      }
      report.append("cores: ").append(Runtime.getRuntime().availableProcessors()).append('\n');
      long expected = (long) (JSON_REQUESTS / 5 + JSON_REQUESTS + n) * JSON_ROWS_PER_REQUEST;
      String summary = new TestHttp(port).get("/profiles/bench-json").body();
      long counted = new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary).get("columns").get("i0")
          .get("counts/n").asLong();
      assertEquals(expected, counted, "every JSON row counted once");
    }
    System.out.println("=== Loupe server load benchmark ===\n" + report);
  }

  /** Sends requests at a fixed rate (open loop); latency counts from each request's scheduled time. */
  private static int openLoop(HttpClient client, int port, List<byte[]> json, double rate, double fraction,
      StringBuilder report) throws Exception {
    int n = (int) Math.min(2000, Math.max(200, rate * 8));
    long intervalNanos = (long) (1e9 / rate);
    ExecutorService pool = Executors.newFixedThreadPool(32);
    long[] latency = new long[n];
    List<Future<?>> fs = new ArrayList<>();
    long start = System.nanoTime() + 50_000_000;
    for (int i = 0; i < n; i++) {
      long due = start + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int k = i;
      fs.add(pool.submit(() -> {
        HttpResponse<String> r = client.send(request(port, "/logs", json.get(k % json.size())),
            HttpResponse.BodyHandlers.ofString());
        latency[k] = System.nanoTime() - due;
        assertEquals(200, r.statusCode(), r.body());
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
    long[] sorted = latency.clone();
    Arrays.sort(sorted);
    report.append(String.format("Latency at %.0f%% of peak (%.0f req/s = %,.0f rows/s, %d requests): p50 %.2f ms, "
        + "p99 %.2f ms, max %.2f ms%n", fraction * 100, rate, rate * JSON_ROWS_PER_REQUEST, n, sorted[n / 2] / 1e6,
        sorted[(int) (n * 0.99)] / 1e6, sorted[n - 1] / 1e6));
    StringBuilder perSecond = new StringBuilder("  p50 per second:");
    int perSec = (int) Math.max(1, rate);
    for (int from = 0; from < n; from += perSec) {
      long[] slice = Arrays.copyOfRange(latency, from, Math.min(n, from + perSec));
      Arrays.sort(slice);
      perSecond.append(String.format(" %.1f", slice[slice.length / 2] / 1e6));
    }
    report.append(perSecond).append(" ms\n");
    return n;
  }
}
