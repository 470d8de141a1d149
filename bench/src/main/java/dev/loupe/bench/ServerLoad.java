package dev.loupe.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
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
 * (so client and server do not share a JVM), over loopback. Requests are prepared before the clock
 * starts, headers included: JSON {@code multiple} bodies of 1,000 rows x 10 mixed columns (4 integer,
 * 4 decimal, 2 string) and Arrow IPC streams of 100,000 rows of the same columns. Each sending thread
 * keeps one HTTP/1.1 keep-alive connection and writes the prepared bytes with one call (a minimal
 * client: the JDK's HttpClient took about a third of the server's CPU for the same requests, on a
 * machine where the two share 2 cores). It measures closed-loop peak rows/s for JSON and Arrow
 * (fixed request counts from {@code --concurrency} threads), then p50/p99 latency of requests sent
 * open-loop at half of each peak (latency counted from each request's scheduled time, so a request
 * held up behind a slow one counts its wait). Each phase prints the CPU the client took and, with
 * {@code --server-pid}, the server's (Linux /proc, 100 ticks a second). Goals (issue 11): 1M JSON
 * rows/s, 3M Arrow rows/s, p99 under 20 ms at half peak.
 *
 * <pre>
 * DISABLE_AUTH=true PORT=8090 LOUPE_DATA_DIR=/tmp/loupe-load bin/loupe serve &amp;
 * java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.ServerLoad http://127.0.0.1:8090
 * </pre>
 * Options after the URL: {@code --json-requests N} (default 3000), {@code --arrow-requests N}
 * (default 150), {@code --arrow-rows N} (rows per Arrow request, default 100,000; 10,000 is the size
 * docs/server.md recommends when latency matters), {@code --concurrency N} (default 8), {@code --key KEY} (X-API-Key),
 * {@code --server-pid PID} (report the server's CPU), {@code --only json|arrow} (one kind only),
 * {@code --warm-up-seconds S} (closed-loop requests of each kind before anything is measured, default 20:
 * a fresh server's JIT spends several seconds of CPU compiling the request path; 0 measures it cold),
 * {@code --half-peak-seconds S} (length of each open-loop phase, default 10), {@code --latency-log PREFIX}
 * (each open-loop phase writes PREFIX-json.tsv or PREFIX-arrow.tsv: every request's offset from the
 * phase's start in seconds and its latency in milliseconds, to see when the slow ones came),
 * {@code --open-loop-rows-per-second R} (the open-loop phases' rate instead of half the measured peak: to
 * compare two servers at the same load, since the peak itself varies from run to run),
 * {@code --lead-in-seconds S} (default 15: each open-loop phase first runs S seconds at its rate,
 * unmeasured, so that both JVMs have compiled the open loop's code, with its 64 connections, before
 * anything is measured; 0 measures from the first request).
 */
public final class ServerLoad {
  static final int JSON_ROWS = 1000;
  static final int ARROW_ROWS = 100_000;
  private static int arrowRows = ARROW_ROWS;
  private static String latencyLog;
  private static String openLoopLabel = "at half peak";
  private static double leadInSeconds = 15;

  private final String host;
  private final int port;
  private final String key;
  private final int concurrency;
  private final long serverPid;

  private ServerLoad(String base, String key, int concurrency, long serverPid) {
    URI u = URI.create(base);
    this.host = u.getHost();
    this.port = u.getPort() < 0 ? 80 : u.getPort();
    this.key = key;
    this.concurrency = concurrency;
    this.serverPid = serverPid;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ServerLoad URL [--json-requests N] [--arrow-requests N] [--arrow-rows N]"
          + " [--concurrency N] [--key KEY] [--server-pid PID] [--only json|arrow] [--warm-up-seconds S]"
          + " [--half-peak-seconds S] [--latency-log PREFIX] [--open-loop-rows-per-second R]"
          + " [--lead-in-seconds S]");
      System.exit(2);
    }
    int jsonRequests = 3000;
    int arrowRequests = 150;
    int concurrency = 8;
    String key = null;
    long serverPid = -1;
    String only = null;
    double warmUpSeconds = 20;
    double halfPeakSeconds = 10;
    double fixedRate = 0;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--json-requests" -> jsonRequests = Integer.parseInt(args[i + 1]);
        case "--arrow-requests" -> arrowRequests = Integer.parseInt(args[i + 1]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        case "--key" -> key = args[i + 1];
        case "--server-pid" -> serverPid = Long.parseLong(args[i + 1]);
        case "--only" -> only = args[i + 1];
        case "--arrow-rows" -> arrowRows = Integer.parseInt(args[i + 1]);
        case "--warm-up-seconds" -> warmUpSeconds = Double.parseDouble(args[i + 1]);
        case "--half-peak-seconds" -> halfPeakSeconds = Double.parseDouble(args[i + 1]);
        case "--latency-log" -> latencyLog = args[i + 1];
        case "--lead-in-seconds" -> leadInSeconds = Double.parseDouble(args[i + 1]);
        case "--open-loop-rows-per-second" -> {
          fixedRate = Double.parseDouble(args[i + 1]);
          openLoopLabel = "at the set rate";
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    ServerLoad load = new ServerLoad(args[0].replaceAll("/$", ""), key, concurrency, serverPid);
    String jsonPath = "/logs";
    String arrowPath = "/logs/arrow?datasetId=load-arrow";
    List<byte[]> json = new ArrayList<>();
    List<byte[]> arrow = new ArrayList<>();
    int jsonBytes = 0;
    int arrowBytes = 0;
    for (int i = 0; i < 8; i++) {
      byte[] b = jsonBody("load-json", JSON_ROWS, i);
      jsonBytes = b.length;
      json.add(load.request(jsonPath, "application/json", b));
    }
    for (int i = 0; i < 4; i++) {
      byte[] b = arrowBody(arrowRows, i);
      arrowBytes = b.length;
      arrow.add(load.request(arrowPath, "application/vnd.apache.arrow.stream", b));
    }
    boolean doJson = !"arrow".equals(only);
    boolean doArrow = !"json".equals(only);
    // warm-up: a server is measured once its JIT has compiled the request path (on 2 cores C2 spends
    // 6-8 s of CPU on it, about as long as a measured phase); each kind runs for the given seconds
    if (doJson) {
      load.warmUp("JSON ", json, JSON_ROWS, warmUpSeconds);
    }
    if (doArrow) {
      load.warmUp("Arrow", arrow, arrowRows, warmUpSeconds);
    }
    double jsonRate = 0;
    double arrowRate = 0;
    double js = 0;
    double as = 0;
    if (doJson) {
      Cpu c = load.cpu();
      js = load.closedLoop(json, jsonRequests);
      jsonRate = (double) jsonRequests * JSON_ROWS / js;
      System.out.printf("JSON : %,d requests x %,d rows x 10 columns in %.2f s = %,.0f rows/s (%.1f MB/s); %s%n",
          jsonRequests, JSON_ROWS, js, jsonRate, jsonRequests * (double) jsonBytes / js / 1e6, load.cpu().since(c, js));
    }
    if (doArrow) {
      Cpu c = load.cpu();
      as = load.closedLoop(arrow, arrowRequests);
      arrowRate = (double) arrowRequests * arrowRows / as;
      System.out.printf("Arrow: %,d requests x %,d rows x 10 columns in %.2f s = %,.0f rows/s (%.1f MB/s); %s%n",
          arrowRequests, arrowRows, as, arrowRate, arrowRequests * (double) arrowBytes / as / 1e6,
          load.cpu().since(c, as));
    }
    if (doJson) {
      load.openLoop("JSON ", json, fixedRate > 0 ? fixedRate / JSON_ROWS : jsonRequests / js / 2, JSON_ROWS,
          halfPeakSeconds);
    }
    if (doArrow) {
      load.openLoop("Arrow", arrow, fixedRate > 0 ? fixedRate / arrowRows : arrowRequests / as / 2, arrowRows,
          halfPeakSeconds);
    }
    System.out.println("client cores: " + Runtime.getRuntime().availableProcessors() + "; load average "
        + String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
  }

  /** The whole request, headers and body, as one array written with one call. */
  byte[] request(String path, String contentType, byte[] body) {
    String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nContent-Type: " + contentType
        + "\r\nContent-Length: " + body.length + "\r\n" + (key == null ? "" : "X-API-Key: " + key + "\r\n") + "\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  /** CPU seconds of this process and (with --server-pid) of the server, at one moment. */
  record Cpu(double client, double server, double serverSys) {
    String since(Cpu before, double wallSeconds) {
      String out = String.format("client CPU %.1f s (%.0f%% of one core)", client - before.client,
          100 * (client - before.client) / wallSeconds);
      if (server >= 0) {
        out += String.format(", server CPU %.1f s (%.0f%% of one core; %.1f s of it in the kernel)",
            server - before.server, 100 * (server - before.server) / wallSeconds, serverSys - before.serverSys);
      }
      return out;
    }
  }

  Cpu cpu() throws IOException {
    double client = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
    double server = -1;
    double serverSys = -1;
    if (serverPid > 0) {
      // /proc/PID/stat: fields 14 and 15 (after the parenthesized name) are user and system ticks
      String stat = Files.readString(Path.of("/proc/" + serverPid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      server = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
      serverSys = Long.parseLong(f[12]) / 100.0;
    }
    return new Cpu(client, server, serverSys);
  }

  /** One keep-alive HTTP/1.1 connection: writes a prepared request, reads the whole answer. */
  final class Conn implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] line = new byte[8192];

    void send(byte[] request) throws IOException {
      if (socket == null) {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
      }
      out.write(request);
      out.flush();
      String status = readLine();
      long length = -1;
      boolean chunked = false;
      boolean close = false;
      for (String h; !(h = readLine()).isEmpty(); ) {
        int colon = h.indexOf(':');
        String name = colon < 0 ? h : h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
        String value = colon < 0 ? "" : h.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
          case "connection" -> close = value.equalsIgnoreCase("close");
          default -> { }
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (chunked) {
        for (long n; (n = Long.parseLong(readLine().split(";")[0].trim(), 16)) > 0; ) {
          copy(n, body);
          readLine();
        }
        while (!readLine().isEmpty()) {
          // trailers
        }
      } else if (length >= 0) {
        copy(length, body);
      } else {
        in.transferTo(body);
        close = true;
      }
      if (close) {
        close();
      }
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IllegalStateException("POST answered " + status + ": " + body.toString(StandardCharsets.UTF_8));
      }
    }

    private void copy(long n, ByteArrayOutputStream to) throws IOException {
      byte[] buf = new byte[(int) Math.min(n, 8192)];
      while (n > 0) {
        int r = in.read(buf, 0, (int) Math.min(n, buf.length));
        if (r < 0) {
          throw new IOException("connection closed inside an answer");
        }
        to.write(buf, 0, r);
        n -= r;
      }
    }

    private String readLine() throws IOException {
      int n = 0;
      for (int b; (b = in.read()) != '\n'; ) {
        if (b < 0) {
          throw new IOException("connection closed before a whole answer");
        }
        if (n < line.length) {
          line[n++] = (byte) b;
        }
      }
      if (n > 0 && line[n - 1] == '\r') {
        n--;
      }
      return new String(line, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      if (socket != null) {
        socket.close();
        socket = null;
      }
    }
  }

  /**
   * Closed-loop requests of one kind for about {@code seconds} (in rounds of {@code concurrency x 25}
   * requests), unmeasured but printed: what a cold server does while its JIT compiles.
   */
  void warmUp(String what, List<byte[]> requests, int rowsPerRequest, double seconds) throws Exception {
    if (seconds <= 0) {
      return;
    }
    long t0 = System.nanoTime();
    long sent = 0;
    double first = -1;
    while ((System.nanoTime() - t0) / 1e9 < seconds) {
      int n = concurrency * 25;
      double s = closedLoop(requests, n);
      if (first < 0) {
        first = n * (double) rowsPerRequest / s;
      }
      sent += n;
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%s warm-up: %,d requests in %.1f s (%,.0f rows/s; the first %d: %,.0f rows/s)%n", what, sent,
        s, sent * (double) rowsPerRequest / s, concurrency * 25, first);
  }

  /** {@code count} requests from {@code concurrency} threads, each sent when the last was answered; seconds. */
  double closedLoop(List<byte[]> requests, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    AtomicInteger next = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(concurrency);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      fs.add(pool.submit(() -> {
        try (Conn c = new Conn()) {
          ready.countDown();
          go.await();
          for (int i; (i = next.getAndIncrement()) < count; ) {
            c.send(requests.get(i % requests.size()));
          }
        }
        return null;
      }));
    }
    ready.await();
    long t0 = System.nanoTime();
    go.countDown();
    for (Future<?> f : fs) {
      f.get(20, TimeUnit.MINUTES);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    return s;
  }

  /**
   * Requests at a fixed rate for {@code seconds} (at least 50 requests; at most 3,000 when the phase
   * is 10 s or shorter, as before the option existed); latency from each request's scheduled time.
   * Up to 64 are in flight at once, each on its own connection, opened (with one request each, not
   * measured) before the phase, which then runs {@code --lead-in-seconds} unmeasured at its rate
   * before the measured requests. A phase longer than the server's
   * checkpoint interval (30 s) measures the steady state with its checkpoints in it.
   */
  void openLoop(String what, List<byte[]> requests, double rate, int rowsPerRequest, double seconds)
      throws Exception {
    int n = (int) Math.max(50, rate * seconds);
    if (seconds <= 10) {
      n = Math.min(3000, n);
    }
    long interval = (long) (1e9 / rate);
    ExecutorService pool = Executors.newFixedThreadPool(64);
    List<Conn> conns = java.util.Collections.synchronizedList(new ArrayList<>());
    ThreadLocal<Conn> conn = ThreadLocal.withInitial(() -> {
      Conn c = new Conn();
      conns.add(c);
      return c;
    });
    // every sending thread opens its connection and sends one request before the phase: a service
    // at a steady rate has its connections (and the server its threads) already; opening 64 at the
    // phase's start put a burst of thread and connection set-up into its first half second
    java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(64);
    List<Future<?>> warm = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      int k = i;
      warm.add(pool.submit(() -> {
        opened.countDown();
        opened.await(); // each of the 64 threads takes one of these, so each opens its own connection
        conn.get().send(requests.get(k % requests.size()));
        return null;
      }));
    }
    for (Future<?> f : warm) {
      f.get(10, TimeUnit.MINUTES);
    }
    Thread.sleep(1000);
    if (leadInSeconds > 0) { // the same schedule, unmeasured: both sides' open-loop code compiled first
      long[] unmeasured = new long[(int) Math.max(1, rate * leadInSeconds)];
      atRate(pool, conn, requests, interval, unmeasured, System.nanoTime() + 50_000_000L);
    }
    long[] latency = new long[n];
    Cpu c0 = cpu();
    long start = System.nanoTime() + 50_000_000L;
    atRate(pool, conn, requests, interval, latency, start);
    double wall = (System.nanoTime() - start) / 1e9;
    Cpu c1 = cpu();
    pool.shutdown();
    for (Conn c : conns) {
      c.close();
    }
    printSlowest(what, latency, interval, start);
    if (latencyLog != null) {
      StringBuilder tsv = new StringBuilder("offset_s\tlatency_ms\n");
      for (int i = 0; i < n; i++) {
        tsv.append(String.format("%.4f\t%.3f%n", i * interval / 1e9, latency[i] / 1e6));
      }
      java.nio.file.Files.writeString(java.nio.file.Path.of(latencyLog + "-" + what.trim().toLowerCase() + ".tsv"),
          tsv);
    }
    Arrays.sort(latency);
    System.out.printf("%s %s (%.1f req/s = %,.0f rows/s, %d requests): p50 %.2f ms, p99 %.2f ms, "
        + "max %.2f ms; %s%n", what, openLoopLabel, rate, rate * rowsPerRequest, n, latency[n / 2] / 1e6,
        latency[(int) (n * 0.99)] / 1e6, latency[n - 1] / 1e6, c1.since(c0, wall));
  }

  /** {@code latency.length} requests, the i-th due at {@code start + i * interval}; each one's latency from then. */
  private static void atRate(ExecutorService pool, ThreadLocal<Conn> conn, List<byte[]> requests, long interval,
      long[] latency, long start) throws Exception {
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < latency.length; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int k = i;
      fs.add(pool.submit(() -> {
        conn.get().send(requests.get(k % requests.size()));
        latency[k] = System.nanoTime() - due;
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get(10, TimeUnit.MINUTES);
    }
  }

  /**
   * The slowest requests of an open-loop phase with the wall-clock time they were due, to set beside
   * the server's log (checkpoints, GC): where a tail comes from.
   */
  private static void printSlowest(String what, long[] latency, long interval, long start) {
    long wallAtStart = System.currentTimeMillis() - (System.nanoTime() - start) / 1_000_000L;
    Integer[] order = new Integer[latency.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(latency[b], latency[a]));
    StringBuilder sb = new StringBuilder(what).append(" slowest:");
    for (int i = 0; i < Math.min(5, order.length); i++) {
      int k = order[i];
      long dueWall = wallAtStart + k * interval / 1_000_000L;
      sb.append(String.format(" %.1f ms due %s (+%.2f s);", latency[k] / 1e6,
          java.time.Instant.ofEpochMilli(dueWall), k * interval / 1e9));
    }
    System.out.println(sb);
  }

  /** A {@code multiple} body: 4 integer, 4 decimal and 2 string columns (one of 20 values, one of 100,000). */
  public static byte[] jsonBody(String dataset, int rows, long seed) {
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
  public static byte[] arrowBody(int rows, long seed) throws IOException {
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
