package dev.loupe.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.Writer;
import dev.loupe.core.logging.internal.DurableFiles;
import dev.loupe.s3.S3Clients;
import dev.loupe.s3.S3Writer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Loupe server: the whylogs container's HTTP API in front of a journaled, checkpointed
 * {@link dev.loupe.core.logging.RollingLogger} whose windows go to a local directory or S3.
 *
 * <pre>{@code
 * try (LoupeServer server = LoupeServer.start(ServerConfig.fromEnvironment(System.getenv()))) {
 *   server.awaitStop();
 * }
 * }</pre>
 *
 * Endpoints: {@code POST /logs}, {@code POST /logs/arrow?datasetId=}, {@code POST /writeProfiles},
 * {@code GET /profiles/{datasetId}}, {@code GET /health}, {@code GET /metrics}. See docs/server.md.
 */
public final class LoupeServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(LoupeServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Dataset ids end up in file names and S3 keys. */
  private static final Pattern DATASET_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** Jetty, Javalin and the Kafka clients log every start and stop at INFO; keep the server's own lines readable. */
  private static final java.util.logging.Logger[] QUIET = quietLibraries();

  private final ServerConfig config;
  private final Metrics metrics = new Metrics();
  private final Health health = new Health();
  private final BodyReader bodies;
  private final Ingest ingest;
  private final KafkaIngestion kafka; // null unless KAFKA_ENABLED
  private final Javalin app;
  private final byte[][] keys;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private MonitorEndpoint monitor; // set with the destination: the history is where windows are written
  private volatile boolean closed;

  private LoupeServer(ServerConfig config, S3Client s3) throws IOException {
    this.config = config;
    this.keys = apiKeys(config).stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.bodies = new BodyReader(config.maxBodyBytes(), config.bodyTimeout().toMillis(), config.maxBodyReaders(),
        config.maxInflightBytes());
    metrics.gauge("loupe_inflight_body_bytes", bodies::inFlightBytes);
    Writer destination = destination(config, s3);
    this.ingest = new Ingest(config, List.of(destination), metrics, health);
    Javalin a = null;
    try {
      a = Javalin.create(cfg -> {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.http.maxRequestSize = config.maxBodyBytes();
        cfg.jetty.host = config.host();
        cfg.jetty.port = config.port();
        // a blocking read of a silent client ends after the body deadline (BodyReader checks it between reads)
        cfg.jetty.modifyHttpConfiguration(h -> h.setIdleTimeout(config.bodyTimeout().toMillis()));
        cfg.routes.post("/logs", guard(this::logs));
        cfg.routes.post("/logs/arrow", guard(this::logsArrow));
        cfg.routes.post("/writeProfiles", guard(this::writeProfiles));
        cfg.routes.get("/profiles/{datasetId}", guard(this::profile));
        cfg.routes.get("/datasets/{datasetId}/monitor", guard(this::monitor));
        cfg.routes.get("/health", guard(this::health));
        cfg.routes.get("/metrics", guard(this::metrics));
        cfg.routes.exception(BadRequestException.class, (e, ctx) -> {
          metrics.rejected(reason(e.status()));
          error(ctx, e.status(), e.getMessage());
        });
        cfg.routes.exception(Exception.class, (e, ctx) -> {
          metrics.rejected("server_error");
          LOG.log(System.Logger.Level.ERROR, "request " + ctx.method() + " " + ctx.path() + " failed: " + e, e);
          error(ctx, 500, "internal error: " + e + "; the request was not acknowledged, retry it");
        });
      });
      a.start();
    } catch (RuntimeException e) {
      if (a != null) {
        a.stop();
      }
      ingest.close();
      throw new IOException("cannot start the HTTP server on " + config.host() + ":" + config.port() + ": "
          + e.getMessage(), e);
    }
    this.app = a;
    KafkaIngestion k = null;
    if (config.kafka().enabled()) {
      try {
        k = new KafkaIngestion(config.kafka(), ingest, metrics);
      } catch (RuntimeException e) {
        app.stop();
        ingest.close();
        throw new IOException("cannot start the Kafka consumer (" + config.kafka() + "): " + e.getMessage(), e);
      }
    }
    this.kafka = k;
    LOG.log(System.Logger.Level.INFO, "Loupe server listening on " + config.host() + ":" + app.port() + " "
        + config.describe());
  }

  /**
   * An Error (out of memory, stack overflow) escapes Javalin's exception handlers and would leave an
   * empty 500 nobody sees. Here it is recorded (a counted reason, a log line) and answered with a
   * JSON 500 that is sent at once, then rethrown: the server does not carry on as if nothing happened
   * inside that request (see Ingest.poison for a request that was already journaled).
   */
  private io.javalin.http.Handler guard(io.javalin.http.Handler h) {
    return ctx -> {
      try {
        h.handle(ctx);
      } catch (Error e) {
        String reason = e instanceof OutOfMemoryError ? "out_of_memory" : "server_error";
        metrics.rejected(reason);
        LOG.log(System.Logger.Level.ERROR, "request " + ctx.method() + " " + ctx.path() + " failed: " + e, e);
        try {
          jakarta.servlet.http.HttpServletResponse res = ctx.res();
          if (!res.isCommitted()) {
            res.resetBuffer();
            res.setStatus(500);
            res.setContentType("application/json");
            res.getOutputStream().write(JSON.writeValueAsBytes(Map.of("error", "internal error (" + reason + "): " + e
                + "; the request was not acknowledged, retry it later or smaller")));
            res.flushBuffer();
          }
        } catch (IOException | RuntimeException ignored) {
          // the client is gone; the error is logged and counted above
        }
        throw e;
      }
    };
  }

  private static java.util.logging.Logger[] quietLibraries() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return new java.util.logging.Logger[0]; // the operator configured logging
    }
    java.util.logging.Logger[] ls = {java.util.logging.Logger.getLogger("org.eclipse.jetty"),
        java.util.logging.Logger.getLogger("io.javalin"), java.util.logging.Logger.getLogger("org.apache.kafka")};
    for (java.util.logging.Logger l : ls) {
      l.setLevel(java.util.logging.Level.WARNING);
    }
    return ls;
  }

  /** Starts a server; the destination's S3 client (if any) comes from the configuration. */
  public static LoupeServer start(ServerConfig config) throws IOException {
    return new LoupeServer(config, null);
  }

  /** Starts a server whose S3 destination uses {@code s3} (tests, custom credentials). */
  public static LoupeServer start(ServerConfig config, S3Client s3) throws IOException {
    return new LoupeServer(config, s3);
  }

  private Writer destination(ServerConfig c, S3Client s3) throws IOException {
    Files.createDirectories(c.dataDir());
    if (c.destination() == ServerConfig.Destination.S3) {
      S3Client client = s3 != null ? s3 : S3Clients.forEndpoint(c.s3Endpoint());
      S3Writer w = S3Writer.builder()
          .client(client)
          .bucket(c.s3Bucket())
          .prefix(c.s3Prefix())
          .spoolDirectory(c.dataDir().resolve("spool"))
          .build();
      metrics.counter("loupe_uploads_total", w::uploads);
      metrics.counter("loupe_upload_failures_total", w::uploadFailures);
      metrics.gauge("loupe_spool_bytes", w::spoolBytes);
      monitor = new MonitorEndpoint(new dev.loupe.s3.S3History(new dev.loupe.s3.S3Profiles(client), c.s3Bucket(),
          c.s3Prefix()), c.window());
      return w;
    }
    checkWritable(c.fileSystemRoot());
    IdempotentLocalWriter w = new IdempotentLocalWriter(c.fileSystemRoot(), DurableFiles.instanceId(c.dataDir()));
    monitor = new MonitorEndpoint(new dev.loupe.core.monitor.DirectoryHistory(c.fileSystemRoot()), c.window());
    metrics.counter("loupe_uploads_total", w::written);
    metrics.counter("loupe_upload_failures_total", w::failures);
    metrics.gauge("loupe_spool_bytes", () -> 0L);
    return w;
  }

  /**
   * An unwritable FILE_SYSTEM_WRITER_ROOT is said at start (log, /health "degraded"), not first at
   * the end of the window. The server still starts: rows are journaled and checkpointed, and the
   * windows wait in memory and in the checkpoint until the directory is fixed.
   */
  private void checkWritable(Path root) {
    try {
      Files.createDirectories(root);
      Path probe = Files.createTempFile(root, ".loupe-probe", ".tmp");
      Files.delete(probe);
    } catch (IOException | RuntimeException e) {
      String what = "FILE_SYSTEM_WRITER_ROOT " + root + " is not writable (" + e + "); windows will be kept in memory "
          + "and in the checkpoint and retried until it is; fix its permissions or point it elsewhere";
      LOG.log(System.Logger.Level.ERROR, what);
      health.set("destination", what);
    }
  }

  /**
   * The keys the server accepts: the configured ones, or, with none configured and auth on, the key
   * kept in {@link ServerConfig#generatedKeyFile()}, generated there (mode 600) the first time.
   */
  private static List<String> apiKeys(ServerConfig config) throws IOException {
    Path file = config.generatedKeyFile();
    if (file == null) {
      return config.apiKeys();
    }
    try {
      if (Files.exists(file)) {
        String k = Files.readString(file).trim();
        if (!k.isEmpty()) {
          return List.of(k);
        }
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      byte[] random = new byte[24];
      new java.security.SecureRandom().nextBytes(random);
      String k = java.util.HexFormat.of().formatHex(random);
      Files.writeString(file, k + "\n");
      try {
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // the file stays readable by the data directory's owner rules
      }
      return List.of(k);
    } catch (IOException e) {
      throw new IOException("no API key configured and none could be generated in " + file + " ("
          + e.getMessage() + "); set CONTAINER_API_KEY, or DISABLE_AUTH=true", e);
    }
  }

  /** The port bound (useful with port 0). */
  public int port() {
    return app.port();
  }

  public ServerConfig config() {
    return config;
  }

  /** Blocks until {@link #close()} has run (from another thread or a shutdown hook). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Stops accepting requests, takes a last checkpoint and closes the destination (waits for uploads, bounded). */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      app.stop();
      if (kafka != null) {
        kafka.close(); // checkpoints and commits what it consumed, while ingestion is still open
      }
      ingest.close();
    } finally {
      stopped.countDown();
    }
  }

  // ---- handlers ----

  private void logs(Context ctx) throws IOException {
    metrics.request("logs");
    authorize(ctx);
    Ingest.Accepted a;
    try (BodyReader.Body body = body(ctx)) {
      a = ingest.inCpuTurn(() -> {
        LogRequest req = LogRequest.parse(body.bytes);
        checkDatasetId(req.datasetId);
        return ingest.logJson(req, body.bytes);
      });
    }
    ingest.awaitDurable(a);
    long rows = a.rows();
    metrics.rows("json", rows);
    ctx.contentType("application/json").result("{\"accepted\":" + rows + "}");
  }

  private void logsArrow(Context ctx) throws IOException {
    metrics.request("logs_arrow");
    authorize(ctx);
    String datasetId = ctx.queryParam("datasetId");
    if (datasetId == null) {
      throw new BadRequestException(400, "missing query parameter datasetId: POST /logs/arrow?datasetId=NAME");
    }
    checkDatasetId(datasetId);
    Long ts = epochMillis(ctx.queryParam("timestamp"));
    Ingest.Accepted a;
    try (BodyReader.Body body = body(ctx)) {
      a = ingest.inCpuTurn(() -> ingest.logArrow(datasetId, ts, body.bytes));
    }
    ingest.awaitDurable(a);
    long rows = a.rows();
    metrics.rows("arrow", rows);
    ctx.contentType("application/json").result("{\"accepted\":" + rows + "}");
  }

  /** The {@code timestamp} query parameter (epoch milliseconds), or null when absent. */
  private static Long epochMillis(String t) {
    if (t == null) {
      return null;
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new BadRequestException(400, "query parameter timestamp '" + t + "' is not epoch milliseconds");
    }
  }

  private void writeProfiles(Context ctx) throws IOException {
    metrics.request("write_profiles");
    authorize(ctx);
    // the whylogs container answers {"profilesWritten": n, "profilePaths": [...]}; "windows", "written" and
    // "waiting" are Loupe's own (windows closed now, handed to the destination, still waiting for it)
    Ingest.Flush f = ingest.flushAll();
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    if (f.failure() != null) {
      metrics.rejected("destination_failed");
      LOG.log(System.Logger.Level.ERROR, "POST /writeProfiles: " + f.failure());
      out.put("error", f.waiting() + " window(s) could not be written yet: " + f.failure());
    }
    out.put("profilesWritten", f.paths().size());
    out.put("profilePaths", f.paths().values().stream().flatMap(java.util.List::stream).toList());
    out.put("windows", f.closed());
    out.put("written", f.written());
    out.put("waiting", f.waiting());
    ctx.status(f.failure() == null ? 200 : 503).contentType("application/json").result(JSON.writeValueAsString(out));
  }

  private void profile(Context ctx) throws IOException {
    metrics.request("profiles");
    authorize(ctx);
    String id = ctx.pathParam("datasetId");
    checkDatasetId(id);
    Optional<ProfileView> v = ingest.currentView(id);
    if (v.isEmpty()) {
      throw new BadRequestException(404, "dataset '" + id + "' has no rows in the current window");
    }
    ctx.contentType("application/json").result(v.get().toJson());
  }

  /** The monitor's checks over the windows this server wrote (see {@link MonitorEndpoint}). */
  private void monitor(Context ctx) throws IOException {
    metrics.request("monitor");
    authorize(ctx);
    String id = ctx.pathParam("datasetId");
    checkDatasetId(id);
    ctx.contentType("application/json").result(monitor.run(id, ctx.queryParam("trailing"), ctx.queryParam("since"),
        ctx.queryParam("until")));
  }

  /**
   * 200 "ok"; 200 "degraded" with the problems when rows are taken but something needs a look (a
   * destination that refuses windows, quarantined records); 503 "unavailable" when requests are refused.
   */
  private void health(Context ctx) throws IOException {
    metrics.request("health");
    boolean ok = ingest.healthy() && (kafka == null || kafka.healthy());
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("status", !ok ? "unavailable" : health.degraded() ? "degraded" : "ok");
    out.put("window", ingest.window().toString());
    if (health.degraded()) {
      out.put("problems", health.problems());
    }
    if (kafka != null) {
      out.put("kafka", JSON.readTree(kafka.healthJson()));
    }
    ctx.status(ok ? 200 : 503).contentType("application/json").result(JSON.writeValueAsString(out));
  }

  private void metrics(Context ctx) {
    metrics.request("metrics");
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render());
  }

  // ---- helpers ----

  /** X-API-Key against every configured key, each compare in constant time. */
  private void authorize(Context ctx) {
    if (config.authDisabled()) {
      return;
    }
    String h = ctx.header("X-API-Key");
    boolean ok = false;
    if (h != null) {
      byte[] got = h.getBytes(StandardCharsets.UTF_8);
      for (byte[] k : keys) {
        ok |= MessageDigest.isEqual(got, k);
      }
    }
    if (!ok) {
      throw new BadRequestException(401, h == null ? "missing X-API-Key header" : "X-API-Key not accepted");
    }
  }

  private BodyReader.Body body(Context ctx) throws IOException {
    return bodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), ctx.header("Content-Encoding"));
  }

  static boolean validDatasetId(String id) {
    return id != null && DATASET_ID.matcher(id).matches() && !id.chars().allMatch(c -> c == '.');
  }

  private static void checkDatasetId(String id) {
    if (!validDatasetId(id)) {
      throw new BadRequestException(400, "datasetId '" + (id == null ? "" : id.length() > 200 ? id.substring(0, 200)
          + "..." : id) + "' is not allowed: use 1 to 128 of A-Z a-z 0-9 . _ - (it becomes part of file names "
          + "and S3 keys)");
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 401 -> "auth";
      case 404 -> "not_found";
      case 413 -> "too_large";
      case 408 -> "timeout";
      case 415 -> "unsupported_encoding";
      case 429 -> "too_many_datasets";
      case 503 -> "unavailable";
      default -> "bad_request";
    };
  }

  private static void error(Context ctx, int status, String message) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(Map.of("error", message)));
    } catch (IOException e) {
      ctx.status(status).result(message);
    }
  }
}
