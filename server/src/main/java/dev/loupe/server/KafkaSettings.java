package dev.loupe.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
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

  /** The settings, in documentation order; {@link ServerConfig#OPTIONS} lists them after the server's own. */
  static final List<ServerConfig.Option> OPTIONS = List.of(
      new ServerConfig.Option("KAFKA_ENABLED", "--kafka-enabled", false, "consume JSON rows from Kafka topics",
          "false"),
      new ServerConfig.Option("KAFKA_BOOTSTRAP_SERVERS", "--kafka-bootstrap-servers", true,
          "brokers, a JSON list [\"host:9092\", ...] (or comma-separated)", "(required when enabled)"),
      new ServerConfig.Option("KAFKA_TOPICS", "--kafka-topics", true,
          "topics to consume, a JSON list (or comma-separated)", "(required when enabled)"),
      new ServerConfig.Option("KAFKA_GROUP_ID", "--kafka-group-id", true, "consumer group", "loupe"),
      new ServerConfig.Option("KAFKA_TOPIC_DATASET_IDS", "--kafka-topic-dataset-ids", true,
          "JSON map topic -> datasetId", "(the topic name is the datasetId)"),
      new ServerConfig.Option("KAFKA_CONSUMER_THREADS", "--kafka-consumer-threads", true,
          "consumers (threads) in this server", "1"),
      new ServerConfig.Option("KAFKA_MESSAGE_NESTING_BEHAVIOR", "--kafka-nesting", true,
          "nested objects in a record: FLATTEN (columns outer.inner) or IGNORE (dropped)", "FLATTEN"),
      new ServerConfig.Option("LOUPE_KAFKA_DEAD_LETTER_TOPIC", "--kafka-dead-letter-topic", true,
          "topic for records that cannot be profiled, with the reason in headers", "loupe-dead-letter"),
      new ServerConfig.Option("LOUPE_KAFKA_MAX_POLL_RECORDS", "--kafka-max-poll-records", true,
          "most records one poll (one batch into the profiles) takes", "5000"),
      new ServerConfig.Option("LOUPE_KAFKA_CLIENT_PROPERTIES", "--kafka-client-properties", true,
          "a .properties file of extra Kafka client settings (security.protocol, sasl.*, ssl.*)", "(none)"));

  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean enabled;
  private final List<String> bootstrapServers;
  private final List<String> topics;
  private final String groupId;
  private final Map<String, String> topicDatasetIds;
  private final int consumerThreads;
  private final Nesting nesting;
  private final String deadLetterTopic;
  private final int maxPollRecords;
  private final Map<String, String> clientProperties;

  private KafkaSettings(boolean enabled, List<String> bootstrapServers, List<String> topics, String groupId,
      Map<String, String> topicDatasetIds, int consumerThreads, Nesting nesting, String deadLetterTopic,
      int maxPollRecords, Map<String, String> clientProperties) {
    this.enabled = enabled;
    this.bootstrapServers = List.copyOf(bootstrapServers);
    this.topics = List.copyOf(topics);
    this.groupId = Objects.requireNonNull(groupId);
    this.topicDatasetIds = Map.copyOf(topicDatasetIds);
    this.consumerThreads = consumerThreads;
    this.nesting = Objects.requireNonNull(nesting);
    this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic);
    this.maxPollRecords = maxPollRecords;
    this.clientProperties = Map.copyOf(clientProperties);
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
    if (maxPollRecords < 1) {
      throw new IllegalArgumentException("LOUPE_KAFKA_MAX_POLL_RECORDS must be at least 1, got " + maxPollRecords);
    }
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

  /** Kafka switched off. */
  public static KafkaSettings disabled() {
    return new KafkaSettings(false, List.of(), List.of(), "loupe", Map.of(), 1, Nesting.FLATTEN, "loupe-dead-letter",
        5000, Map.of());
  }

  /** Settings in code (tests, embedding). */
  public static KafkaSettings of(List<String> bootstrapServers, List<String> topics, String groupId,
      Map<String, String> topicDatasetIds, int consumerThreads, Nesting nesting, String deadLetterTopic,
      int maxPollRecords) {
    return new KafkaSettings(true, bootstrapServers, topics, groupId, topicDatasetIds, consumerThreads, nesting,
        deadLetterTopic, maxPollRecords, Map.of());
  }

  /** These settings with extra Kafka client settings (as LOUPE_KAFKA_CLIENT_PROPERTIES gives them). */
  public KafkaSettings withClientProperties(Map<String, String> props) {
    return new KafkaSettings(enabled, bootstrapServers, topics, groupId, topicDatasetIds, consumerThreads, nesting,
        deadLetterTopic, maxPollRecords, props);
  }

  /** Reads the {@code KAFKA_*} and {@code LOUPE_KAFKA_*} variables; without KAFKA_ENABLED=true, Kafka is off. */
  static KafkaSettings fromEnvironment(Map<String, String> env) {
    boolean enabled = bool("KAFKA_ENABLED", get(env, "KAFKA_ENABLED"));
    if (!enabled) {
      return disabled();
    }
    String groupId = get(env, "KAFKA_GROUP_ID");
    String threads = get(env, "KAFKA_CONSUMER_THREADS");
    String nesting = get(env, "KAFKA_MESSAGE_NESTING_BEHAVIOR");
    String dlq = get(env, "LOUPE_KAFKA_DEAD_LETTER_TOPIC");
    String maxPoll = get(env, "LOUPE_KAFKA_MAX_POLL_RECORDS");
    String props = get(env, "LOUPE_KAFKA_CLIENT_PROPERTIES");
    return new KafkaSettings(true, list("KAFKA_BOOTSTRAP_SERVERS", get(env, "KAFKA_BOOTSTRAP_SERVERS")),
        list("KAFKA_TOPICS", get(env, "KAFKA_TOPICS")), groupId == null ? "loupe" : groupId,
        map("KAFKA_TOPIC_DATASET_IDS", get(env, "KAFKA_TOPIC_DATASET_IDS")),
        threads == null ? 1 : integer("KAFKA_CONSUMER_THREADS", threads),
        nesting == null ? Nesting.FLATTEN : nesting(nesting), dlq == null ? "loupe-dead-letter" : dlq,
        maxPoll == null ? 5000 : integer("LOUPE_KAFKA_MAX_POLL_RECORDS", maxPoll),
        props == null ? Map.of() : properties(Path.of(props)));
  }

  private static String get(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static boolean bool(String name, String v) {
    if (v == null) {
      return false;
    }
    String s = v.toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("1") || s.equals("yes")) {
      return true;
    }
    if (s.equals("false") || s.equals("0") || s.equals("no")) {
      return false;
    }
    throw new IllegalArgumentException(name + " '" + v + "' is not true or false");
  }

  private static int integer(String name, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " '" + v + "' is not a whole number");
    }
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

  public int consumerThreads() {
    return consumerThreads;
  }

  public Nesting nesting() {
    return nesting;
  }

  public String deadLetterTopic() {
    return deadLetterTopic;
  }

  public int maxPollRecords() {
    return maxPollRecords;
  }

  /** Extra client settings (LOUPE_KAFKA_CLIENT_PROPERTIES), applied to the consumer and the dead-letter producer. */
  public Map<String, String> clientProperties() {
    return clientProperties;
  }

  @Override
  public String toString() {
    return enabled ? "kafka " + topics + " from " + bootstrapServers + " as group " + groupId + " (" + consumerThreads
        + " consumer(s), " + nesting + ", dead letters to " + deadLetterTopic + ")" : "kafka off";
  }
}
