package dev.loupe.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * The server ingest harness: a load client in its own process, against a server started apart
 * (so client and server do not share a JVM), over loopback. Bodies are prepared before the clock
 * starts: JSON {@code multiple} bodies of 1,000 rows x 10 mixed columns (4 integer, 4 decimal,
 * 2 string) and Arrow IPC streams of 100,000 rows of the same columns. It measures closed-loop peak
 * rows/s for JSON and Arrow (fixed request counts from {@code --concurrency} threads), then p50/p99
 * latency of requests sent open-loop at half of each peak (latency counted from each request's
 * scheduled time). Goals (issue 11): 1M JSON rows/s, 3M Arrow rows/s, p99 under 20 ms at half peak.
 *
 * <pre>
 * DISABLE_AUTH=true PORT=8090 LOUPE_DATA_DIR=/tmp/loupe-load bin/loupe serve &amp;
 * java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.ServerLoad http://127.0.0.1:8090
 * </pre>
 * Options after the URL: {@code --json-requests N} (default 3000), {@code --arrow-requests N}
 * (default 150), {@code --concurrency N} (default 8), {@code --key KEY} (X-API-Key).
 */
public final class ServerLoad {
  static final int JSON_ROWS = 1000;
  static final int ARROW_ROWS = 100_000;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String key;
  private final int concurrency;

  private ServerLoad(String base, String key, int concurrency) {
    this.base = base;
    this.key = key;
    this.concurrency = concurrency;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ServerLoad URL [--json-requests N] [--arrow-requests N] [--concurrency N] [--key KEY]");
      System.exit(2);
    }
    int jsonRequests = 3000;
    int arrowRequests = 150;
    int concurrency = 8;
    String key = null;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--json-requests" -> jsonRequests = Integer.parseInt(args[i + 1]);
        case "--arrow-requests" -> arrowRequests = Integer.parseInt(args[i + 1]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        case "--key" -> key = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    ServerLoad load = new ServerLoad(args[0].replaceAll("/$", ""), key, concurrency);
    List<byte[]> json = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      json.add(jsonBody("load-json", JSON_ROWS, i));
    }
    List<byte[]> arrow = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      arrow.add(arrowBody(ARROW_ROWS, i));
    }
    String jsonPath = "/logs";
    String arrowPath = "/logs/arrow?datasetId=load-arrow";
    load.closedLoop(jsonPath, json, jsonRequests / 5); // warm-up
    load.closedLoop(arrowPath, arrow, Math.max(1, arrowRequests / 5));

    double js = load.closedLoop(jsonPath, json, jsonRequests);
    double jsonRate = (double) jsonRequests * JSON_ROWS / js;
    double as = load.closedLoop(arrowPath, arrow, arrowRequests);
    double arrowRate = (double) arrowRequests * ARROW_ROWS / as;
    System.out.printf("JSON : %,d requests x %,d rows x 10 columns in %.2f s = %,.0f rows/s (%.1f MB/s)%n",
        jsonRequests, JSON_ROWS, js, jsonRate, jsonRequests * (double) json.get(0).length / js / 1e6);
    System.out.printf("Arrow: %,d requests x %,d rows x 10 columns in %.2f s = %,.0f rows/s (%.1f MB/s)%n",
        arrowRequests, ARROW_ROWS, as, arrowRate, arrowRequests * (double) arrow.get(0).length / as / 1e6);
    load.openLoop("JSON ", jsonPath, json, jsonRequests / js / 2, JSON_ROWS);
    load.openLoop("Arrow", arrowPath, arrow, arrowRequests / as / 2, ARROW_ROWS);
    System.out.println("client cores: " + Runtime.getRuntime().availableProcessors());
  }

  private HttpRequest request(String path, byte[] body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      b.header("X-API-Key", key);
    }
    return b.build();
  }

  private void send(String path, byte[] body) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(request(path, body), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** {@code count} requests from {@code concurrency} threads, each sent when the last was answered; seconds. */
  double closedLoop(String path, List<byte[]> bodies, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    AtomicInteger next = new AtomicInteger();
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      fs.add(pool.submit(() -> {
        for (int i; (i = next.getAndIncrement()) < count; ) {
          send(path, bodies.get(i % bodies.size()));
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get(20, TimeUnit.MINUTES);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    return s;
  }

  /** Requests at a fixed rate for about 10 s (at most 3,000); latency from each request's scheduled time. */
  void openLoop(String what, String path, List<byte[]> bodies, double rate, int rowsPerRequest) throws Exception {
    int n = (int) Math.min(3000, Math.max(50, rate * 10));
    long interval = (long) (1e9 / rate);
    ExecutorService pool = Executors.newFixedThreadPool(64);
    long[] latency = new long[n];
    List<Future<?>> fs = new ArrayList<>();
    long start = System.nanoTime() + 50_000_000L;
    for (int i = 0; i < n; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int k = i;
      fs.add(pool.submit(() -> {
        send(path, bodies.get(k % bodies.size()));
        latency[k] = System.nanoTime() - due;
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get(10, TimeUnit.MINUTES);
    }
    pool.shutdown();
    Arrays.sort(latency);
    System.out.printf("%s at half peak (%.1f req/s = %,.0f rows/s, %d requests): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        what, rate, rate * rowsPerRequest, n, latency[n / 2] / 1e6, latency[(int) (n * 0.99)] / 1e6,
        latency[n - 1] / 1e6);
  }

  /** A {@code multiple} body: 4 integer, 4 decimal and 2 string columns (one of 20 values, one of 100,000). */
  static byte[] jsonBody(String dataset, int rows, long seed) {
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
    return sb.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** An Arrow IPC stream of the same 10 columns. */
  static byte[] arrowBody(int rows, long seed) throws IOException {
    Random random = new Random(seed);
    try (BufferAllocator alloc = new RootAllocator()) {
      List<FieldVector> vs = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        BigIntVector v = new BigIntVector("i" + c, alloc);
        v.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          v.set(i, random.nextInt(1000 * (c + 1)));
        }
        v.setValueCount(rows);
        vs.add(v);
      }
      for (int c = 0; c < 4; c++) {
        Float8Vector v = new Float8Vector("f" + c, alloc);
        v.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          v.set(i, Math.round(random.nextGaussian() * (c + 1) * 1000) / 1000.0);
        }
        v.setValueCount(rows);
        vs.add(v);
      }
      for (int c = 0; c < 2; c++) {
        VarCharVector v = new VarCharVector("s" + c, alloc);
        v.allocateNew((long) rows * 10, rows);
        int card = c == 0 ? 20 : 100_000;
        for (int i = 0; i < rows; i++) {
          v.setSafe(i, ("v" + random.nextInt(card)).getBytes(StandardCharsets.UTF_8));
        }
        v.setValueCount(rows);
        vs.add(v);
      }
      try (VectorSchemaRoot root = new VectorSchemaRoot(vs);
           ByteArrayOutputStream out = new ByteArrayOutputStream();
           ArrowStreamWriter w = new ArrowStreamWriter(root, null, out)) {
        root.setRowCount(rows);
        w.start();
        w.writeBatch();
        w.end();
        return out.toByteArray();
      }
    }
  }
}
