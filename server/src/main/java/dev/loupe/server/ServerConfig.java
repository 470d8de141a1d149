package dev.loupe.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The server's settings, read from environment variables ({@link #fromEnvironment}) or from the
 * same settings given as flags ({@link #fromArgs}: flags win over the environment). Each setting
 * has one environment name and one flag, listed in {@link #OPTIONS}; the whylogs container's
 * names keep their meaning, so its deployments can switch without edits.
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

  /** One setting: its environment name, its flag, a one-line meaning and the default as text. */
  public record Option(String env, String flag, boolean takesValue, String meaning, String defaultText) {}

  /** Every setting, in documentation order. */
  public static final List<Option> OPTIONS = withKafka(List.of(
      new Option("PORT", "--port", true, "HTTP port (0 picks a free one)", "8080"),
      new Option("LOUPE_HOST", "--host", true, "address to bind", "0.0.0.0, or 127.0.0.1 when DISABLE_AUTH=true"),
      new Option("CONTAINER_API_KEY", "--api-key", true,
          "comma-separated API keys accepted in the X-API-Key header", "(none: a key is generated once and kept in LOUPE_DATA_DIR/api-key)"),
      new Option("DISABLE_AUTH", "--disable-auth", false, "accept requests without an API key", "false"),
      new Option("WHYLOGS_PERIOD", "--period", true, "window length: MINUTES, HOURS or DAYS", "HOURS"),
      new Option("LOUPE_WINDOW", "--window", true, "window length as a duration (30s, 5m, 1h, 1d); overrides WHYLOGS_PERIOD",
          "(from WHYLOGS_PERIOD)"),
      new Option("LOUPE_LATENESS", "--lateness", true,
          "how long after its end a window still takes rows that carry a timestamp", "0s"),
      new Option("UPLOAD_DESTINATION", "--upload-destination", true, "S3 or DEBUG_FILE_SYSTEM",
          "S3 when S3_BUCKET is set, else DEBUG_FILE_SYSTEM"),
      new Option("S3_BUCKET", "--s3-bucket", true, "bucket for UPLOAD_DESTINATION=S3", "(none)"),
      new Option("S3_PREFIX", "--s3-prefix", true, "key prefix in the bucket", "(empty)"),
      new Option("LOUPE_S3_ENDPOINT", "--s3-endpoint", true,
          "endpoint of an S3-compatible store (MinIO, Ceph, ...), path-style", "(AWS, default chains)"),
      new Option("FILE_SYSTEM_WRITER_ROOT", "--fs-root", true, "directory for UPLOAD_DESTINATION=DEBUG_FILE_SYSTEM",
          "LOUPE_DATA_DIR/profiles"),
      new Option("LOUPE_DATA_DIR", "--data-dir", true, "journal, checkpoint and upload spool; on a persistent disk",
          "./loupe-data"),
      new Option("LOUPE_MAX_BODY_BYTES", "--max-body-bytes", true, "largest request body (413 above); 512k, 64m, 1g",
          "64m"),
      new Option("LOUPE_MAX_DATASETS", "--max-datasets", true, "most datasets with open windows (429 for a new one above)",
          "1000"),
      new Option("LOUPE_MAX_FUTURE", "--max-future", true, "how far ahead of now a row timestamp may be (400 above)",
          "1h"),
      new Option("LOUPE_CHECKPOINT_INTERVAL", "--checkpoint-interval", true,
          "longest time between checkpoints (also taken at every rotation)", "30s"),
      new Option("LOUPE_MAX_REQUEST_COLUMNS", "--max-request-columns", true,
          "most columns in one request (413 above)", "10000"),
      new Option("LOUPE_MAX_WINDOW_COLUMNS", "--max-window-columns", true,
          "most distinct columns in one dataset's open window (413 for a request that would pass it)", "10000"),
      new Option("LOUPE_MAX_OPEN_COLUMNS", "--max-open-columns", true,
          "most distinct columns over all open windows (413 above); each costs memory", "max heap / 128 KiB"),
      new Option("LOUPE_BODY_TIMEOUT", "--body-timeout", true,
          "time a client has to send its whole request body (408 after)", "30s"),
      new Option("LOUPE_MAX_BODY_READERS", "--max-body-readers", true,
          "request bodies received at once (503 for more)", "64"),
      new Option("LOUPE_MAX_INFLIGHT_BYTES", "--max-inflight-bytes", true,
          "bytes of request bodies held in memory at once (503 above)", "max heap / 4")));

  private static List<Option> withKafka(List<Option> server) {
    List<Option> all = new ArrayList<>(server);
    all.addAll(KafkaSettings.OPTIONS);
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
  private final KafkaSettings kafka;

  private ServerConfig(Builder b) {
    this.authDisabled = b.authDisabled;
    this.host = b.host != null ? b.host : (b.authDisabled ? "127.0.0.1" : "0.0.0.0");
    this.port = b.port;
    if (!b.authDisabled && b.apiKeys.isEmpty()) {
      // auth stays on with nothing configured: a key is generated once and kept in the data directory
      this.generatedKeyFile = b.dataDir.resolve("api-key");
      this.apiKeys = List.of(generatedKey(generatedKeyFile));
    } else {
      this.generatedKeyFile = null;
      this.apiKeys = List.copyOf(b.apiKeys);
    }
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
    String v;
    if ((v = get(env, "PORT")) != null) {
      b.port(parseInt("PORT", v));
    }
    if ((v = get(env, "LOUPE_HOST")) != null) {
      b.host(v);
    }
    if ((v = get(env, "CONTAINER_API_KEY")) != null) {
      for (String k : v.split(",")) {
        if (!k.isBlank()) {
          b.apiKey(k.trim());
        }
      }
    }
    if ((v = get(env, "DISABLE_AUTH")) != null) {
      b.disableAuth(parseBoolean("DISABLE_AUTH", v));
    }
    if ((v = get(env, "WHYLOGS_PERIOD")) != null) {
      b.window(period(v));
    }
    if ((v = get(env, "LOUPE_WINDOW")) != null) {
      b.window(parseDuration("LOUPE_WINDOW", v));
    }
    if ((v = get(env, "LOUPE_LATENESS")) != null) {
      b.lateness(parseDuration("LOUPE_LATENESS", v));
    }
    if ((v = get(env, "UPLOAD_DESTINATION")) != null) {
      b.destination(destination(v));
    }
    if ((v = get(env, "S3_BUCKET")) != null) {
      b.s3Bucket(v);
    }
    if ((v = get(env, "S3_PREFIX")) != null) {
      b.s3Prefix(v);
    }
    if ((v = get(env, "LOUPE_S3_ENDPOINT")) != null) {
      b.s3Endpoint(v);
    }
    if ((v = get(env, "FILE_SYSTEM_WRITER_ROOT")) != null) {
      b.fileSystemRoot(Path.of(v));
    }
    if ((v = get(env, "LOUPE_DATA_DIR")) != null) {
      b.dataDir(Path.of(v));
    }
    if ((v = get(env, "LOUPE_MAX_BODY_BYTES")) != null) {
      b.maxBodyBytes(parseBytes("LOUPE_MAX_BODY_BYTES", v));
    }
    if ((v = get(env, "LOUPE_MAX_DATASETS")) != null) {
      b.maxDatasets(parseInt("LOUPE_MAX_DATASETS", v));
    }
    if ((v = get(env, "LOUPE_MAX_FUTURE")) != null) {
      b.maxFuture(parseDuration("LOUPE_MAX_FUTURE", v));
    }
    if ((v = get(env, "LOUPE_CHECKPOINT_INTERVAL")) != null) {
      b.checkpointInterval(parseDuration("LOUPE_CHECKPOINT_INTERVAL", v));
    }
    if ((v = get(env, "LOUPE_MAX_REQUEST_COLUMNS")) != null) {
      b.maxRequestColumns(parseInt("LOUPE_MAX_REQUEST_COLUMNS", v));
    }
    if ((v = get(env, "LOUPE_MAX_WINDOW_COLUMNS")) != null) {
      b.maxWindowColumns(parseInt("LOUPE_MAX_WINDOW_COLUMNS", v));
    }
    if ((v = get(env, "LOUPE_MAX_OPEN_COLUMNS")) != null) {
      b.maxOpenColumns(parseInt("LOUPE_MAX_OPEN_COLUMNS", v));
    }
    if ((v = get(env, "LOUPE_BODY_TIMEOUT")) != null) {
      b.bodyTimeout(parseDuration("LOUPE_BODY_TIMEOUT", v));
    }
    if ((v = get(env, "LOUPE_MAX_BODY_READERS")) != null) {
      b.maxBodyReaders(parseInt("LOUPE_MAX_BODY_READERS", v));
    }
    if ((v = get(env, "LOUPE_MAX_INFLIGHT_BYTES")) != null) {
      b.maxInflightBytes(parseBytes("LOUPE_MAX_INFLIGHT_BYTES", v));
    }
    b.kafka(KafkaSettings.fromEnvironment(env));
    return b.build();
  }

  /**
   * Reads flags ({@code --port 9000}, {@code --port=9000}, {@code --disable-auth}) over the
   * environment: a flag wins over its variable. Unknown flags are an error naming the known ones.
   */
  public static ServerConfig fromArgs(String[] args, Map<String, String> env) {
    return fromEnvironment(argsAsEnvironment(args, env));
  }

  /** The environment with each flag written over its variable; {@link #fromEnvironment} reads the result. */
  public static Map<String, String> argsAsEnvironment(String[] args, Map<String, String> env) {
    Map<String, Option> byFlag = new HashMap<>();
    OPTIONS.forEach(o -> byFlag.put(o.flag(), o));
    Map<String, String> merged = new HashMap<>(env);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      String flag = eq > 0 ? a.substring(0, eq) : a;
      if (eq > 0) {
        value = a.substring(eq + 1);
      }
      Option o = byFlag.get(flag);
      if (o == null) {
        List<String> known = new ArrayList<>();
        OPTIONS.forEach(x -> known.add(x.flag()));
        throw new IllegalArgumentException("unknown option '" + a + "'; known options: " + String.join(", ", known));
      }
      if (!o.takesValue()) {
        merged.put(o.env(), value == null ? "true" : value);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + flag + " needs a value (" + o.meaning() + ")");
        }
        value = args[++i];
      }
      merged.put(o.env(), value);
    }
    return merged;
  }

  /** The settings table: variable, flag, meaning, default; for --help. */
  public static String usage() {
    StringBuilder sb = new StringBuilder("Settings (environment variable / flag: meaning [default]):\n");
    for (Option o : OPTIONS) {
      sb.append("  ").append(o.env()).append(" / ").append(o.flag()).append(o.takesValue() ? " VALUE" : "")
          .append("\n      ").append(o.meaning()).append(" [").append(o.defaultText()).append("]\n");
    }
    return sb.toString();
  }

  private static String get(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
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

  /** "500ms", "30s", "5m", "1h", "1d", or ISO-8601 ("PT1H"). */
  public static Duration parseDuration(String name, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("p") || s.startsWith("-p")) {
        return nonNegative(name, v, Duration.parse(v.trim().toUpperCase(Locale.ROOT)));
      }
      long mult;
      String num;
      if (s.endsWith("ms")) {
        mult = 1;
        num = s.substring(0, s.length() - 2);
      } else if (s.endsWith("s")) {
        mult = 1000;
        num = s.substring(0, s.length() - 1);
      } else if (s.endsWith("m")) {
        mult = 60_000;
        num = s.substring(0, s.length() - 1);
      } else if (s.endsWith("h")) {
        mult = 3_600_000;
        num = s.substring(0, s.length() - 1);
      } else if (s.endsWith("d")) {
        mult = 86_400_000;
        num = s.substring(0, s.length() - 1);
      } else {
        throw new NumberFormatException();
      }
      return nonNegative(name, v, Duration.ofMillis(Math.multiplyExact(Long.parseLong(num.trim()), mult)));
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith(name)) {
        throw e;
      }
      throw new IllegalArgumentException(name + " '" + v + "' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1d");
    }
  }

  private static Duration nonNegative(String name, String v, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " '" + v + "' is negative");
    }
    return d;
  }

  /** "1048576", "512k", "64m", "1g". */
  public static long parseBytes(String name, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    long mult = 1;
    if (s.endsWith("b")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith("k")) {
      mult = 1L << 10;
    } else if (s.endsWith("m")) {
      mult = 1L << 20;
    } else if (s.endsWith("g")) {
      mult = 1L << 30;
    }
    if (mult != 1) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      long n = Math.multiplyExact(Long.parseLong(s.trim()), mult);
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(name + " '" + v + "' is not a positive size; write e.g. 1048576, 512k, 64m or 1g");
    }
  }

  private static int parseInt(String name, String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " '" + v + "' is not a whole number");
    }
  }

  private static boolean parseBoolean(String name, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("1") || s.equals("yes")) {
      return true;
    }
    if (s.equals("false") || s.equals("0") || s.equals("no")) {
      return false;
    }
    throw new IllegalArgumentException(name + " '" + v + "' is not true or false");
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /**
   * Where the generated API key is kept, when no key was configured and auth is on; null
   * otherwise. The server prints its location at start.
   */
  public Path generatedKeyFile() {
    return generatedKeyFile;
  }

  private static String generatedKey(Path file) {
    try {
      if (java.nio.file.Files.exists(file)) {
        String k = java.nio.file.Files.readString(file).trim();
        if (!k.isEmpty()) {
          return k;
        }
      }
      java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
      byte[] random = new byte[24];
      new java.security.SecureRandom().nextBytes(random);
      String k = java.util.HexFormat.of().formatHex(random);
      java.nio.file.Files.writeString(file, k + "\n");
      try {
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // the file stays readable by the data directory's owner rules
      }
      return k;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("no API key configured and none could be generated in " + file + " ("
          + e.getMessage() + "); set CONTAINER_API_KEY, or DISABLE_AUTH=true", e);
    }
  }

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

  /** The Kafka consumer's settings (docs/kafka.md); {@link KafkaSettings#enabled()} is false unless asked for. */
  public KafkaSettings kafka() {
    return kafka;
  }

  /** The settings without secrets, for the start-up log line. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("host", host);
    m.put("port", Integer.toString(port));
    m.put("auth", authDisabled ? "DISABLED" : apiKeys.size() + " key(s)");
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

  /** Builds a {@link ServerConfig} in code (tests, embedding); the defaults are those of {@link #OPTIONS}. */
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
