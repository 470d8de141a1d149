package dev.loupe.server;

import static dev.loupe.server.Settings.bool;
import static dev.loupe.server.Settings.integer;
import static dev.loupe.server.Settings.toggle;
import static dev.loupe.server.Settings.value;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.server.Settings.Setting;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The Kafka consumer's settings (docs/kafka.md). The whylogs container's {@code KAFKA_*} names keep
 * their meaning (lists and maps as JSON, as the container reads them; a comma-separated list is
 * accepted too); Loupe's own settings are {@code LOUPE_KAFKA_*}.
 */
public final class KafkaSettings {

  /** What happens to a value that is itself a JSON object. */
  public enum Nesting {
    /** Nested keys become columns named {@code outer.inner} (the container's default). */
    FLATTEN,
    /** Nested objects are dropped; the other values of the record are profiled. */
    IGNORE
  }

  static final int DEFAULT_MAX_POLL_RECORDS = 5000;
  static final int DEFAULT_FETCH_MIN_BYTES = 64 << 10;
  static final int DEFAULT_FETCH_MAX_WAIT_MS = 100;
  static final int DEFAULT_MAX_PARTITION_FETCH_BYTES = 4 << 20;

  /** The switch: the other settings are read only when it is on. */
  private static final Setting<Draft> ENABLED = toggle("KAFKA_ENABLED", "--kafka-enabled",
      "consume JSON rows from Kafka topics", "false", (d, n, v) -> d.enabled = bool(n, v));

  /**
   * The settings, in documentation order, each written once (environment name, flag, help text,
   * default as text, reader; the {@link Draft} holds the defaults); {@code --help} lists them after
   * the server's own.
   */
  static final List<Setting<Draft>> SETTINGS = List.of(ENABLED,
      value("KAFKA_BOOTSTRAP_SERVERS", "--kafka-bootstrap-servers",
          "brokers, a JSON list [\"host:9092\", ...] (or comma-separated)", "(required when enabled)",
          (d, n, v) -> d.bootstrapServers = list(n, v)),
      value("KAFKA_TOPICS", "--kafka-topics", "topics to consume, a JSON list (or comma-separated)",
          "(required when enabled)", (d, n, v) -> d.topics = list(n, v)),
      value("KAFKA_GROUP_ID", "--kafka-group-id", "consumer group", "loupe", (d, n, v) -> d.groupId = v),
      value("KAFKA_TOPIC_DATASET_IDS", "--kafka-topic-dataset-ids", "JSON map topic -> datasetId",
          "(the topic name is the datasetId)", (d, n, v) -> d.topicDatasetIds = map(n, v)),
      value("KAFKA_CONSUMER_THREADS", "--kafka-consumer-threads", "consumers (threads) in this server", "1",
          (d, n, v) -> d.consumerThreads = integer(n, v)),
      value("KAFKA_MESSAGE_NESTING_BEHAVIOR", "--kafka-nesting",
          "nested objects in a record: FLATTEN (columns outer.inner) or IGNORE (dropped)", "FLATTEN",
          (d, n, v) -> d.nesting = nesting(v)),
      value("LOUPE_KAFKA_DEAD_LETTER_TOPIC", "--kafka-dead-letter-topic",
          "topic for records that cannot be profiled, with the reason in headers", "loupe-dead-letter",
          (d, n, v) -> d.deadLetterTopic = v),
      value("LOUPE_KAFKA_TIMESTAMP_FIELD", "--kafka-timestamp-field",
          "a top-level field of each record's JSON object that holds the row's time (epoch milliseconds or an "
              + "ISO-8601 instant); a record without a valid one is dead-lettered", "(the record's timestamp)",
          (d, n, v) -> d.timestampField = v),
      value("LOUPE_KAFKA_MAX_POLL_RECORDS", "--kafka-max-poll-records",
          "most records one poll (one batch into the profiles) takes (max.poll.records)",
          Integer.toString(DEFAULT_MAX_POLL_RECORDS), (d, n, v) -> d.maxPollRecords = integer(n, v)),
      value("LOUPE_KAFKA_FETCH_MIN_BYTES", "--kafka-fetch-min-bytes",
          "bytes the broker gathers before it answers a fetch, up to the wait below (fetch.min.bytes)",
          Integer.toString(DEFAULT_FETCH_MIN_BYTES), (d, n, v) -> d.fetchMinBytes = integer(n, v)),
      value("LOUPE_KAFKA_FETCH_MAX_WAIT_MS", "--kafka-fetch-max-wait-ms",
          "longest the broker holds a fetch waiting for those bytes, in ms (fetch.max.wait.ms)",
          Integer.toString(DEFAULT_FETCH_MAX_WAIT_MS), (d, n, v) -> d.fetchMaxWaitMs = integer(n, v)),
      value("LOUPE_KAFKA_MAX_PARTITION_FETCH_BYTES", "--kafka-max-partition-fetch-bytes",
          "most bytes one fetch takes from one partition (max.partition.fetch.bytes)",
          Integer.toString(DEFAULT_MAX_PARTITION_FETCH_BYTES), (d, n, v) -> d.maxPartitionFetchBytes = integer(n, v)),
      value("LOUPE_KAFKA_CLIENT_PROPERTIES", "--kafka-client-properties",
          "a .properties file of extra Kafka client settings (security.protocol, sasl.*, ssl.*)", "(none)",
          (d, n, v) -> d.clientProperties = properties(Path.of(v))));

  /** The settings being read, with their defaults; validated as a whole when built. */
  static final class Draft {
    boolean enabled;
    List<String> bootstrapServers = List.of();
    List<String> topics = List.of();
    String groupId = "loupe";
    Map<String, String> topicDatasetIds = Map.of();
    int consumerThreads = 1;
    Nesting nesting = Nesting.FLATTEN;
    String deadLetterTopic = "loupe-dead-letter";
    String timestampField;
    // the consumer's fetch sizes: null when not set (LOUPE_KAFKA_CLIENT_PROPERTIES, then Loupe's default, apply)
    Integer maxPollRecords;
    Integer fetchMinBytes;
    Integer fetchMaxWaitMs;
    Integer maxPartitionFetchBytes;
    Map<String, String> clientProperties = Map.of();

    KafkaSettings build() {
      return new KafkaSettings(enabled, bootstrapServers, topics, groupId, topicDatasetIds, consumerThreads, nesting,
          deadLetterTopic, timestampField, new Fetch(maxPollRecords, fetchMinBytes, fetchMaxWaitMs,
          maxPartitionFetchBytes), clientProperties);
    }
  }

  /**
   * The consumer's fetch sizes as set (null: not set). Each one's value is, in this order, the
   * {@code LOUPE_KAFKA_*} setting, the same Kafka key in {@code LOUPE_KAFKA_CLIENT_PROPERTIES}, or
   * Loupe's default (chosen for throughput: docs/kafka.md, "Throughput").
   */
  record Fetch(Integer maxPollRecords, Integer fetchMinBytes, Integer fetchMaxWaitMs, Integer maxPartitionFetchBytes) {
    static final Fetch DEFAULTS = new Fetch(null, null, null, null);

    /** The Kafka consumer properties these give, with {@code client} (the properties file) and the defaults. */
    Map<String, String> resolve(Map<String, String> client) {
      Map<String, String> out = new LinkedHashMap<>();
      out.put("max.poll.records", pick(maxPollRecords, client, "max.poll.records", DEFAULT_MAX_POLL_RECORDS));
      out.put("fetch.min.bytes", pick(fetchMinBytes, client, "fetch.min.bytes", DEFAULT_FETCH_MIN_BYTES));
      out.put("fetch.max.wait.ms", pick(fetchMaxWaitMs, client, "fetch.max.wait.ms", DEFAULT_FETCH_MAX_WAIT_MS));
      out.put("max.partition.fetch.bytes", pick(maxPartitionFetchBytes, client, "max.partition.fetch.bytes",
          DEFAULT_MAX_PARTITION_FETCH_BYTES));
      return out;
    }

    private static String pick(Integer set, Map<String, String> client, String key, int dflt) {
      if (set != null) {
        return set.toString();
      }
      String c = client.get(key);
      return c != null ? c.trim() : Integer.toString(dflt);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean enabled;
  private final List<String> bootstrapServers;
  private final List<String> topics;
  private final String groupId;
  private final Map<String, String> topicDatasetIds;
  private final int consumerThreads;
  private final Nesting nesting;
  private final String deadLetterTopic;
  private final String timestampField;
  private final Fetch fetch;
  private final Map<String, String> consumerTuning;
  private final Map<String, String> clientProperties;

  private KafkaSettings(boolean enabled, List<String> bootstrapServers, List<String> topics, String groupId,
      Map<String, String> topicDatasetIds, int consumerThreads, Nesting nesting, String deadLetterTopic,
      String timestampField, Fetch fetch, Map<String, String> clientProperties) {
    this.enabled = enabled;
    this.bootstrapServers = List.copyOf(bootstrapServers);
    this.topics = List.copyOf(topics);
    this.groupId = Objects.requireNonNull(groupId);
    this.topicDatasetIds = Map.copyOf(topicDatasetIds);
    this.consumerThreads = consumerThreads;
    this.nesting = Objects.requireNonNull(nesting);
    this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic);
    this.timestampField = timestampField;
    this.fetch = Objects.requireNonNull(fetch);
    this.clientProperties = Map.copyOf(clientProperties);
    this.consumerTuning = fetch.resolve(this.clientProperties);
    if (!enabled) {
      return;
    }
    if (bootstrapServers.isEmpty()) {
      throw new IllegalArgumentException("KAFKA_ENABLED=true needs KAFKA_BOOTSTRAP_SERVERS, e.g. '[\"kafka:9092\"]'");
    }
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("KAFKA_ENABLED=true needs KAFKA_TOPICS, e.g. '[\"model-inputs\"]'");
    }
    if (consumerThreads < 1 || consumerThreads > 64) {
      throw new IllegalArgumentException("KAFKA_CONSUMER_THREADS must be 1 to 64, got " + consumerThreads);
    }
    atLeast("LOUPE_KAFKA_MAX_POLL_RECORDS", fetch.maxPollRecords(), "max.poll.records", 1);
    atLeast("LOUPE_KAFKA_FETCH_MIN_BYTES", fetch.fetchMinBytes(), "fetch.min.bytes", 1);
    atLeast("LOUPE_KAFKA_FETCH_MAX_WAIT_MS", fetch.fetchMaxWaitMs(), "fetch.max.wait.ms", 0);
    atLeast("LOUPE_KAFKA_MAX_PARTITION_FETCH_BYTES", fetch.maxPartitionFetchBytes(), "max.partition.fetch.bytes", 1);
    for (String t : topics) {
      String ds = datasetId(t);
      if (!LoupeServer.validDatasetId(ds)) {
        throw new IllegalArgumentException("topic '" + t + "' would log into dataset '" + ds + "', which is not "
            + "a valid datasetId (1 to 128 of A-Z a-z 0-9 . _ -); map it in KAFKA_TOPIC_DATASET_IDS");
      }
      if (t.equals(deadLetterTopic)) {
        throw new IllegalArgumentException("topic '" + t + "' is both consumed (KAFKA_TOPICS) and the dead-letter "
            + "topic (LOUPE_KAFKA_DEAD_LETTER_TOPIC); choose another dead-letter topic");
      }
    }
  }

  /** Refuses a fetch size below {@code min}, naming where it came from ({@code set}: the LOUPE_KAFKA_ setting's). */
  private void atLeast(String setting, Integer set, String key, int min) {
    String v = consumerTuning.get(key);
    String from = set == null && clientProperties.containsKey(key) ? key + " in LOUPE_KAFKA_CLIENT_PROPERTIES" : setting;
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(from + " '" + v + "' is not a whole number");
    }
    if (n < min || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(from + " must be " + min + " to " + Integer.MAX_VALUE + ", got " + v);
    }
  }

  /** Kafka switched off. */
  public static KafkaSettings disabled() {
    return new KafkaSettings(false, List.of(), List.of(), "loupe", Map.of(), 1, Nesting.FLATTEN, "loupe-dead-letter",
        null, Fetch.DEFAULTS, Map.of());
  }

  /** Settings in code (tests, embedding). */
  public static KafkaSettings of(List<String> bootstrapServers, List<String> topics, String groupId,
      Map<String, String> topicDatasetIds, int consumerThreads, Nesting nesting, String deadLetterTopic,
      int maxPollRecords) {
    return new KafkaSettings(true, bootstrapServers, topics, groupId, topicDatasetIds, consumerThreads, nesting,
        deadLetterTopic, null, new Fetch(maxPollRecords, null, null, null), Map.of());
  }

  /** These settings with the fetch sizes given (null: not set, the properties file or Loupe's default applies). */
  public KafkaSettings withFetch(Integer maxPollRecords, Integer fetchMinBytes, Integer fetchMaxWaitMs,
      Integer maxPartitionFetchBytes) {
    return new KafkaSettings(enabled, bootstrapServers, topics, groupId, topicDatasetIds, consumerThreads, nesting,
        deadLetterTopic, timestampField, new Fetch(maxPollRecords, fetchMinBytes, fetchMaxWaitMs,
        maxPartitionFetchBytes), clientProperties);
  }

  /** These settings with each row's time read from a field of the record's JSON object (null: the record's timestamp). */
  public KafkaSettings withTimestampField(String field) {
    return new KafkaSettings(enabled, bootstrapServers, topics, groupId, topicDatasetIds, consumerThreads, nesting,
        deadLetterTopic, field, fetch, clientProperties);
  }

  /** These settings with extra Kafka client settings (as LOUPE_KAFKA_CLIENT_PROPERTIES gives them). */
  public KafkaSettings withClientProperties(Map<String, String> props) {
    return new KafkaSettings(enabled, bootstrapServers, topics, groupId, topicDatasetIds, consumerThreads, nesting,
        deadLetterTopic, timestampField, fetch, props);
  }

  /** Reads the {@code KAFKA_*} and {@code LOUPE_KAFKA_*} variables; without KAFKA_ENABLED=true, Kafka is off. */
  static KafkaSettings fromEnvironment(Map<String, String> env) {
    Draft d = new Draft();
    Settings.read(List.of(ENABLED), env, d);
    if (!d.enabled) {
      return disabled(); // the other settings are not even read: a stale one cannot stop a server without Kafka
    }
    Settings.read(SETTINGS, env, d);
    return d.build();
  }

  static Nesting nesting(String v) {
    try {
      return Nesting.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("KAFKA_MESSAGE_NESTING_BEHAVIOR '" + v + "' is not FLATTEN or IGNORE");
    }
  }

  /** A JSON list of strings, as the container reads it; a plain comma-separated list is accepted too. */
  static List<String> list(String name, String v) {
    if (v == null) {
      return List.of();
    }
    if (v.startsWith("[")) {
      try {
        List<String> out = JSON.readValue(v, new TypeReference<List<String>>() {});
        out.removeIf(s -> s == null || s.isBlank());
        return out.stream().map(String::trim).toList();
      } catch (IOException e) {
        throw new IllegalArgumentException(name + " '" + v + "' is not a JSON list of strings such as "
            + "[\"a\", \"b\"]: " + e.getMessage(), e);
      }
    }
    List<String> out = new ArrayList<>();
    for (String s : v.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  private static Map<String, String> map(String name, String v) {
    if (v == null) {
      return Map.of();
    }
    try {
      return new LinkedHashMap<>(JSON.readValue(v, new TypeReference<Map<String, String>>() {}));
    } catch (IOException e) {
      throw new IllegalArgumentException(name + " '" + v + "' is not a JSON object of strings such as "
          + "{\"topic\": \"datasetId\"}: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> properties(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("LOUPE_KAFKA_CLIENT_PROPERTIES: cannot read " + file + ": " + e, e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  public boolean enabled() {
    return enabled;
  }

  public List<String> bootstrapServers() {
    return bootstrapServers;
  }

  public List<String> topics() {
    return topics;
  }

  public String groupId() {
    return groupId;
  }

  /** The dataset a topic's rows go to: its mapping, or the topic's own name. */
  public String datasetId(String topic) {
    return topicDatasetIds.getOrDefault(topic, topic);
  }

  /**
   * The top-level field of a record's JSON object that holds its row's time (LOUPE_KAFKA_TIMESTAMP_FIELD),
   * or null when rows take the record's timestamp.
   */
  public String timestampField() {
    return timestampField;
  }

  public int consumerThreads() {
    return consumerThreads;
  }

  public Nesting nesting() {
    return nesting;
  }

  public String deadLetterTopic() {
    return deadLetterTopic;
  }

  /** Records one poll takes at most (LOUPE_KAFKA_MAX_POLL_RECORDS, else the properties file, else 5000). */
  public int maxPollRecords() {
    return Integer.parseInt(consumerTuning.get("max.poll.records"));
  }

  /**
   * The consumer's fetch sizes, as Kafka consumer properties: {@code max.poll.records},
   * {@code fetch.min.bytes}, {@code fetch.max.wait.ms}, {@code max.partition.fetch.bytes}.
   */
  public Map<String, String> consumerTuning() {
    return consumerTuning;
  }

  /** Extra client settings (LOUPE_KAFKA_CLIENT_PROPERTIES), applied to the consumer and the dead-letter producer. */
  public Map<String, String> clientProperties() {
    return clientProperties;
  }

  @Override
  public String toString() {
    return enabled ? "kafka " + topics + " from " + bootstrapServers + " as group " + groupId + " (" + consumerThreads
        + " consumer(s), " + nesting + ", dead letters to " + deadLetterTopic
        + (timestampField != null ? ", row time from field '" + timestampField + "'" : "") + ", " + consumerTuning + ")"
        : "kafka off";
  }
}
