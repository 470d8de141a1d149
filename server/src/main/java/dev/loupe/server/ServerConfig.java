package dev.loupe.server;

import static dev.loupe.server.Settings.bool;
import static dev.loupe.server.Settings.bytes;
import static dev.loupe.server.Settings.duration;
import static dev.loupe.server.Settings.integer;
import static dev.loupe.server.Settings.toggle;
import static dev.loupe.server.Settings.value;

import dev.loupe.server.Settings.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The server's settings, read from environment variables ({@link #fromEnvironment}) or from the
 * same settings given as flags ({@link #fromArgs}: flags win over the environment). Each setting
 * has one environment name and one flag, written once in a table with its help text and parser
 * ({@link #usage()} prints it); the whylogs container's names keep their meaning, so its
 * deployments can switch without edits. Reading settings touches no file: the server makes its
 * generated API key at start.
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.fromArgs(args, System.getenv());
 * try (LoupeServer server = LoupeServer.start(config)) { server.awaitStop(); }
 * }</pre>
 */
public final class ServerConfig {

  /** Where finished windows go. */
  public enum Destination {
    /** A local directory ({@code FILE_SYSTEM_WRITER_ROOT}); the default. */
    DEBUG_FILE_SYSTEM,
    /** An S3 bucket, through a durable local spool. */
    S3
  }

  /**
   * Every server setting, in documentation order, each written once: environment name, flag, help
   * text, default as text, and how its value goes into the {@link Builder} (the Builder holds the
   * defaults). The Kafka settings follow, from {@link KafkaSettings#SETTINGS}.
   */
  static final List<Setting<Builder>> SETTINGS = List.of(
      value("PORT", "--port", "HTTP port (0 picks a free one)", "8080", (b, n, v) -> b.port(integer(n, v))),
      value("LOUPE_HOST", "--host", "address to bind", "0.0.0.0, or 127.0.0.1 when DISABLE_AUTH=true",
          (b, n, v) -> b.host(v)),
      value("CONTAINER_API_KEY", "--api-key", "comma-separated API keys accepted in the X-API-Key header",
          "(none: a key is generated once and kept in LOUPE_DATA_DIR/api-key)", (b, n, v) -> {
            for (String k : v.split(",")) {
              if (!k.isBlank()) {
                b.apiKey(k.trim());
              }
            }
          }),
      toggle("DISABLE_AUTH", "--disable-auth", "accept requests without an API key", "false",
          (b, n, v) -> b.disableAuth(bool(n, v))),
      value("WHYLOGS_PERIOD", "--period", "window length: MINUTES, HOURS or DAYS", "HOURS",
          (b, n, v) -> b.window(period(v))),
      value("LOUPE_WINDOW", "--window", "window length as a duration (30s, 5m, 1h, 1d); overrides WHYLOGS_PERIOD",
          "(from WHYLOGS_PERIOD)", (b, n, v) -> b.window(duration(n, v))),
      value("LOUPE_LATENESS", "--lateness", "how long after its end a window still takes rows that carry a timestamp",
          "0s", (b, n, v) -> b.lateness(duration(n, v))),
      value("UPLOAD_DESTINATION", "--upload-destination", "S3 or DEBUG_FILE_SYSTEM",
          "S3 when S3_BUCKET is set, else DEBUG_FILE_SYSTEM", (b, n, v) -> b.destination(destination(v))),
      value("S3_BUCKET", "--s3-bucket", "bucket for UPLOAD_DESTINATION=S3", "(none)", (b, n, v) -> b.s3Bucket(v)),
      value("S3_PREFIX", "--s3-prefix", "key prefix in the bucket", "(empty)", (b, n, v) -> b.s3Prefix(v)),
      value("LOUPE_S3_ENDPOINT", "--s3-endpoint", "endpoint of an S3-compatible store (MinIO, Ceph, ...), path-style",
          "(AWS, default chains)", (b, n, v) -> b.s3Endpoint(v)),
      value("FILE_SYSTEM_WRITER_ROOT", "--fs-root", "directory for UPLOAD_DESTINATION=DEBUG_FILE_SYSTEM",
          "LOUPE_DATA_DIR/profiles", (b, n, v) -> b.fileSystemRoot(Path.of(v))),
      value("LOUPE_DATA_DIR", "--data-dir", "journal, checkpoint and upload spool; on a persistent disk",
          "./loupe-data", (b, n, v) -> b.dataDir(Path.of(v))),
      value("LOUPE_MAX_BODY_BYTES", "--max-body-bytes", "largest request body (413 above); 512k, 64m, 1g", "64m",
          (b, n, v) -> b.maxBodyBytes(bytes(n, v))),
      value("LOUPE_MAX_DATASETS", "--max-datasets", "most datasets with open windows (429 for a new one above)",
          "1000", (b, n, v) -> b.maxDatasets(integer(n, v))),
      value("LOUPE_MAX_FUTURE", "--max-future", "how far ahead of now a row timestamp may be (400 above)", "1h",
          (b, n, v) -> b.maxFuture(duration(n, v))),
      value("LOUPE_CHECKPOINT_INTERVAL", "--checkpoint-interval",
          "longest time between checkpoints (also taken at every rotation)", "30s",
          (b, n, v) -> b.checkpointInterval(duration(n, v))),
      value("LOUPE_MAX_REQUEST_COLUMNS", "--max-request-columns", "most columns in one request (413 above)", "10000",
          (b, n, v) -> b.maxRequestColumns(integer(n, v))),
      value("LOUPE_MAX_WINDOW_COLUMNS", "--max-window-columns",
          "most distinct columns in one dataset's open window (413 for a request that would pass it)", "10000",
          (b, n, v) -> b.maxWindowColumns(integer(n, v))),
      value("LOUPE_MAX_OPEN_COLUMNS", "--max-open-columns",
          "most distinct columns over all open windows (413 above); each costs memory", "max heap / 128 KiB",
          (b, n, v) -> b.maxOpenColumns(integer(n, v))),
      value("LOUPE_BODY_TIMEOUT", "--body-timeout", "time a client has to send its whole request body (408 after)",
          "30s", (b, n, v) -> b.bodyTimeout(duration(n, v))),
      value("LOUPE_MAX_BODY_READERS", "--max-body-readers", "request bodies received at once (503 for more)", "64",
          (b, n, v) -> b.maxBodyReaders(integer(n, v))),
      value("LOUPE_MAX_INFLIGHT_BYTES", "--max-inflight-bytes",
          "bytes of request bodies held in memory at once (503 above)", "max heap / 4",
          (b, n, v) -> b.maxInflightBytes(bytes(n, v))),
      toggle("LOUPE_WARM_UP", "--warm-up",
          "compile the checkpoint's merge at start, on a background thread (1-2 s of one core); false skips it",
          "true", (b, n, v) -> b.warmUp(bool(n, v))));

  /** The server's settings and then Kafka's: what flags and {@code --help} cover. */
  static final List<Setting<?>> ALL_SETTINGS = allSettings();

  private static List<Setting<?>> allSettings() {
    List<Setting<?>> all = new ArrayList<>(SETTINGS);
    all.addAll(KafkaSettings.SETTINGS);
    return List.copyOf(all);
  }

  private final String host;
  private final int port;
  private final List<String> apiKeys;
  private final Path generatedKeyFile;
  private final boolean authDisabled;
  private final Duration window;
  private final Duration lateness;
  private final Destination destination;
  private final String s3Bucket;
  private final String s3Prefix;
  private final String s3Endpoint;
  private final Path fileSystemRoot;
  private final Path dataDir;
  private final long maxBodyBytes;
  private final int maxDatasets;
  private final Duration maxFuture;
  private final Duration checkpointInterval;
  private final int maxRequestColumns;
  private final int maxWindowColumns;
  private final long maxOpenColumns;
  private final Duration bodyTimeout;
  private final int maxBodyReaders;
  private final long maxInflightBytes;
  private final boolean warmUp;
  private final KafkaSettings kafka;

  private ServerConfig(Builder b) {
    this.authDisabled = b.authDisabled;
    this.host = b.host != null ? b.host : (b.authDisabled ? "127.0.0.1" : "0.0.0.0");
    this.port = b.port;
    // auth stays on with nothing configured: the server generates a key at start (once) and keeps it here
    this.generatedKeyFile = !b.authDisabled && b.apiKeys.isEmpty() ? b.dataDir.resolve("api-key") : null;
    this.apiKeys = List.copyOf(b.apiKeys);
    this.window = b.window;
    this.lateness = b.lateness;
    this.s3Bucket = b.s3Bucket;
    this.destination = b.destination != null ? b.destination
        : (b.s3Bucket != null ? Destination.S3 : Destination.DEBUG_FILE_SYSTEM);
    this.s3Prefix = b.s3Prefix;
    this.s3Endpoint = b.s3Endpoint;
    this.dataDir = b.dataDir;
    this.fileSystemRoot = b.fileSystemRoot != null ? b.fileSystemRoot : b.dataDir.resolve("profiles");
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxDatasets = b.maxDatasets;
    this.maxFuture = b.maxFuture;
    this.checkpointInterval = b.checkpointInterval;
    this.maxRequestColumns = b.maxRequestColumns;
    this.maxWindowColumns = b.maxWindowColumns;
    this.maxOpenColumns = b.maxOpenColumns > 0 ? b.maxOpenColumns
        : Math.max(1000, Runtime.getRuntime().maxMemory() / (128 << 10));
    this.bodyTimeout = b.bodyTimeout;
    this.maxBodyReaders = b.maxBodyReaders;
    this.warmUp = b.warmUp;
    this.maxInflightBytes = b.maxInflightBytes > 0 ? b.maxInflightBytes
        : Math.max(b.maxBodyBytes, Runtime.getRuntime().maxMemory() / 4);
    this.kafka = b.kafka;
    if (destination == Destination.S3 && (s3Bucket == null || s3Bucket.isBlank())) {
      throw new IllegalArgumentException("UPLOAD_DESTINATION=S3 needs S3_BUCKET (--s3-bucket)");
    }
    if (window.toMillis() < 1000) {
      throw new IllegalArgumentException("window " + window + " is shorter than one second");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("PORT " + port + " is not a port number (0-65535)");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the settings from environment variables (pass {@code System.getenv()}); unknown variables are ignored. */
  public static ServerConfig fromEnvironment(Map<String, String> env) {
    Builder b = new Builder();
    Settings.read(SETTINGS, env, b);
    b.kafka(KafkaSettings.fromEnvironment(env));
    return b.build();
  }

  /**
   * Reads flags ({@code --port 9000}, {@code --port=9000}, {@code --disable-auth}) over the
   * environment: a flag wins over its variable. Unknown flags are an error naming the known ones.
   */
  public static ServerConfig fromArgs(String[] args, Map<String, String> env) {
    return fromEnvironment(Settings.argsAsEnvironment(args, env, ALL_SETTINGS));
  }

  /** The settings table: variable, flag, meaning, default; for --help. */
  public static String usage() {
    return Settings.usage(ALL_SETTINGS);
  }

  static Duration period(String v) {
    switch (v.toUpperCase(Locale.ROOT)) {
      case "MINUTES":
        return Duration.ofMinutes(1);
      case "HOURS":
        return Duration.ofHours(1);
      case "DAYS":
        return Duration.ofDays(1);
      default:
        throw new IllegalArgumentException("WHYLOGS_PERIOD '" + v + "' is not one of MINUTES, HOURS, DAYS "
            + "(or set LOUPE_WINDOW to any duration such as 30s, 5m, 1h)");
    }
  }

  static Destination destination(String v) {
    String u = v.toUpperCase(Locale.ROOT);
    if (u.equals("S3")) {
      return Destination.S3;
    }
    if (u.equals("DEBUG_FILE_SYSTEM")) {
      return Destination.DEBUG_FILE_SYSTEM;
    }
    throw new IllegalArgumentException("UPLOAD_DESTINATION '" + v + "' is not supported; use S3 or DEBUG_FILE_SYSTEM");
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /**
   * Where the generated API key is kept, when no key was configured and auth is on; null
   * otherwise. {@link LoupeServer#start} reads it, or generates it there the first time, and the
   * launcher prints its location.
   */
  public Path generatedKeyFile() {
    return generatedKeyFile;
  }

  /** The configured API keys (empty when auth is off, or when the server uses its {@link #generatedKeyFile()}). */
  public List<String> apiKeys() {
    return apiKeys;
  }

  public boolean authDisabled() {
    return authDisabled;
  }

  public Duration window() {
    return window;
  }

  public Duration lateness() {
    return lateness;
  }

  public Destination destination() {
    return destination;
  }

  public String s3Bucket() {
    return s3Bucket;
  }

  public String s3Prefix() {
    return s3Prefix;
  }

  public String s3Endpoint() {
    return s3Endpoint;
  }

  public Path fileSystemRoot() {
    return fileSystemRoot;
  }

  public Path dataDir() {
    return dataDir;
  }

  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  public int maxDatasets() {
    return maxDatasets;
  }

  public Duration maxFuture() {
    return maxFuture;
  }

  public Duration checkpointInterval() {
    return checkpointInterval;
  }

  public int maxRequestColumns() {
    return maxRequestColumns;
  }

  public int maxWindowColumns() {
    return maxWindowColumns;
  }

  public long maxOpenColumns() {
    return maxOpenColumns;
  }

  public Duration bodyTimeout() {
    return bodyTimeout;
  }

  public int maxBodyReaders() {
    return maxBodyReaders;
  }

  public long maxInflightBytes() {
    return maxInflightBytes;
  }

  /** Whether the server compiles its checkpoint's merge at start (see {@code MergeWarmUp}). */
  public boolean warmUp() {
    return warmUp;
  }

  /** The Kafka consumer's settings (docs/kafka.md); {@link KafkaSettings#enabled()} is false unless asked for. */
  public KafkaSettings kafka() {
    return kafka;
  }

  /** The settings without secrets, for the start-up log line. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("host", host);
    m.put("port", Integer.toString(port));
    m.put("auth", authDisabled ? "DISABLED" : (generatedKeyFile != null ? 1 : apiKeys.size()) + " key(s)");
    m.put("window", window.toString());
    m.put("lateness", lateness.toString());
    m.put("destination", destination == Destination.S3
        ? "s3://" + s3Bucket + "/" + s3Prefix + (s3Endpoint == null ? "" : " at " + s3Endpoint)
        : fileSystemRoot.toString());
    m.put("dataDir", dataDir.toString());
    m.put("maxBodyBytes", Long.toString(maxBodyBytes));
    m.put("maxDatasets", Integer.toString(maxDatasets));
    m.put("maxColumns", maxRequestColumns + "/request, " + maxWindowColumns + "/window, " + maxOpenColumns + " open");
    if (kafka.enabled()) {
      m.put("kafka", kafka.toString());
    }
    return m;
  }

  @Override
  public String toString() {
    return "ServerConfig" + describe();
  }

  /** Builds a {@link ServerConfig} in code (tests, embedding); the defaults are those {@link #usage()} lists. */
  public static final class Builder {
    private String host;
    private int port = 8080;
    private final List<String> apiKeys = new ArrayList<>();
    private boolean authDisabled;
    private Duration window = Duration.ofHours(1);
    private Duration lateness = Duration.ZERO;
    private Destination destination;
    private String s3Bucket;
    private String s3Prefix = "";
    private String s3Endpoint;
    private Path fileSystemRoot;
    private Path dataDir = Path.of("loupe-data");
    private long maxBodyBytes = 64L << 20;
    private int maxDatasets = 1000;
    private Duration maxFuture = Duration.ofHours(1);
    private Duration checkpointInterval = Duration.ofSeconds(30);
    private KafkaSettings kafka = KafkaSettings.disabled();
    private int maxRequestColumns = 10_000;
    private int maxWindowColumns = 10_000;
    private long maxOpenColumns; // 0: sized to the heap
    private Duration bodyTimeout = Duration.ofSeconds(30);
    private int maxBodyReaders = 64;
    private long maxInflightBytes; // 0: sized to the heap
    private boolean warmUp = true;

    private Builder() {}

    public Builder maxRequestColumns(int n) {
      this.maxRequestColumns = atLeastOne("LOUPE_MAX_REQUEST_COLUMNS", n);
      return this;
    }

    public Builder maxWindowColumns(int n) {
      this.maxWindowColumns = atLeastOne("LOUPE_MAX_WINDOW_COLUMNS", n);
      return this;
    }

    public Builder maxOpenColumns(long n) {
      this.maxOpenColumns = atLeastOne("LOUPE_MAX_OPEN_COLUMNS", n);
      return this;
    }

    public Builder bodyTimeout(Duration d) {
      if (d.toMillis() < 100) {
        throw new IllegalArgumentException("LOUPE_BODY_TIMEOUT must be at least 100ms, got " + d);
      }
      this.bodyTimeout = d;
      return this;
    }

    public Builder maxBodyReaders(int n) {
      this.maxBodyReaders = atLeastOne("LOUPE_MAX_BODY_READERS", n);
      return this;
    }

    public Builder warmUp(boolean on) {
      this.warmUp = on;
      return this;
    }

    public Builder maxInflightBytes(long n) {
      this.maxInflightBytes = atLeastOne("LOUPE_MAX_INFLIGHT_BYTES", n);
      return this;
    }

    private static int atLeastOne(String name, long n) {
      if (n < 1 || n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(name + " must be from 1 to " + Integer.MAX_VALUE + ", got " + n);
      }
      return (int) n;
    }

    public Builder kafka(KafkaSettings k) {
      this.kafka = Objects.requireNonNull(k);
      return this;
    }

    public Builder host(String h) {
      this.host = Objects.requireNonNull(h);
      return this;
    }

    public Builder port(int p) {
      this.port = p;
      return this;
    }

    public Builder apiKey(String k) {
      apiKeys.add(Objects.requireNonNull(k));
      return this;
    }

    public Builder disableAuth(boolean off) {
      this.authDisabled = off;
      return this;
    }

    public Builder window(Duration d) {
      this.window = Objects.requireNonNull(d);
      return this;
    }

    public Builder lateness(Duration d) {
      this.lateness = Objects.requireNonNull(d);
      return this;
    }

    public Builder destination(Destination d) {
      this.destination = d;
      return this;
    }

    public Builder s3Bucket(String b) {
      this.s3Bucket = b;
      return this;
    }

    public Builder s3Prefix(String p) {
      this.s3Prefix = Objects.requireNonNull(p);
      return this;
    }

    public Builder s3Endpoint(String e) {
      this.s3Endpoint = e;
      return this;
    }

    public Builder fileSystemRoot(Path p) {
      this.fileSystemRoot = p;
      return this;
    }

    public Builder dataDir(Path p) {
      this.dataDir = Objects.requireNonNull(p);
      return this;
    }

    public Builder maxBodyBytes(long n) {
      this.maxBodyBytes = n;
      return this;
    }

    public Builder maxDatasets(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("LOUPE_MAX_DATASETS must be at least 1, got " + n);
      }
      this.maxDatasets = n;
      return this;
    }

    public Builder maxFuture(Duration d) {
      this.maxFuture = Objects.requireNonNull(d);
      return this;
    }

    public Builder checkpointInterval(Duration d) {
      if (d.toMillis() < 100) {
        throw new IllegalArgumentException("LOUPE_CHECKPOINT_INTERVAL must be at least 100ms, got " + d);
      }
      this.checkpointInterval = d;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(this);
    }
  }
}
