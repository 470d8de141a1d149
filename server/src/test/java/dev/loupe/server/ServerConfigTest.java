package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  @Test
  void whylogsContainerVariablesKeepTheirMeaning() {
    ServerConfig c = ServerConfig.fromEnvironment(Map.of("PORT", "9000", "CONTAINER_API_KEY", "k1, k2",
        "WHYLOGS_PERIOD", "DAYS", "UPLOAD_DESTINATION", "S3", "S3_BUCKET", "b", "S3_PREFIX", "p",
        "FILE_SYSTEM_WRITER_ROOT", "/x"));
    assertEquals(9000, c.port());
    assertEquals(List.of("k1", "k2"), c.apiKeys());
    assertEquals(Duration.ofDays(1), c.window());
    assertEquals(ServerConfig.Destination.S3, c.destination());
    assertEquals("b", c.s3Bucket());
    assertEquals("0.0.0.0", c.host());
  }

  @Test
  void defaultsNeedOnlyAKeyAndWriteToALocalDirectory() {
    ServerConfig c = ServerConfig.fromEnvironment(Map.of("CONTAINER_API_KEY", "k"));
    assertEquals(8080, c.port());
    assertEquals(Duration.ofHours(1), c.window());
    assertEquals(ServerConfig.Destination.DEBUG_FILE_SYSTEM, c.destination());
    assertEquals(Path.of("loupe-data", "profiles"), c.fileSystemRoot());
    assertEquals(64L << 20, c.maxBodyBytes());
  }

  @Test
  void loupeWindowOverridesThePeriodAndFlagsOverrideTheEnvironment() {
    ServerConfig c = ServerConfig.fromArgs(new String[] {"--window", "5m", "--port=0", "--disable-auth",
        "--max-body-bytes", "512k"}, Map.of("WHYLOGS_PERIOD", "HOURS", "LOUPE_WINDOW", "30s", "PORT", "1"));
    assertEquals(Duration.ofMinutes(5), c.window());
    assertEquals(0, c.port());
    assertTrue(c.authDisabled());
    assertEquals("127.0.0.1", c.host());
    assertEquals(512 * 1024, c.maxBodyBytes());
  }

  @Test
  void withNothingSetAuthStaysOnWithAKeyTheServerGeneratesOnceInTheDataDirectory(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    Map<String, String> env = Map.of("LOUPE_DATA_DIR", dir.toString(), "LOUPE_HOST", "127.0.0.1", "PORT", "0");
    ServerConfig first = ServerConfig.fromEnvironment(env);
    assertTrue(!first.authDisabled());
    assertEquals(dir.resolve("api-key"), first.generatedKeyFile());
    assertEquals(List.of(), first.apiKeys());
    assertTrue(!java.nio.file.Files.exists(dir.resolve("api-key")), "reading settings writes no file");
    String key;
    try (LoupeServer server = LoupeServer.start(first)) {
      key = java.nio.file.Files.readString(dir.resolve("api-key")).trim();
      assertTrue(key.matches("[0-9a-f]{48}"), key);
      TestHttp http = new TestHttp(server.port());
      byte[] row = "{\"datasetId\": \"d\", \"single\": {\"a\": 1}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(401, http.post("/logs", row, "wrong").statusCode());
      assertEquals(200, http.post("/logs", row, key).statusCode());
    }
    try (LoupeServer again = LoupeServer.start(ServerConfig.fromEnvironment(env))) {
      assertEquals(key, java.nio.file.Files.readString(dir.resolve("api-key")).trim(), "the key survives restarts");
      byte[] row = "{\"datasetId\": \"d\", \"single\": {\"a\": 2}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(200, new TestHttp(again.port()).post("/logs", row, key).statusCode());
    }
    ServerConfig configured = ServerConfig.fromEnvironment(Map.of("LOUPE_DATA_DIR", dir.toString(),
        "CONTAINER_API_KEY", "a,b"));
    assertEquals(java.util.List.of("a", "b"), configured.apiKeys());
    assertEquals(null, configured.generatedKeyFile());
  }

  @Test
  void everySettingIsReadFromItsVariableAndFromItsFlagAlike() {
    // one table drives both: the same value through the environment or the flag gives the same settings
    Map<String, String> env = new java.util.HashMap<>();
    List<String> args = new java.util.ArrayList<>();
    String[][] values = {{"PORT", "9001"}, {"LOUPE_HOST", "127.0.0.2"}, {"CONTAINER_API_KEY", "k1,k2"},
        {"LOUPE_WINDOW", "5m"}, {"LOUPE_LATENESS", "10s"}, {"UPLOAD_DESTINATION", "S3"}, {"S3_BUCKET", "b"},
        {"S3_PREFIX", "p/"}, {"LOUPE_S3_ENDPOINT", "http://127.0.0.1:9"}, {"FILE_SYSTEM_WRITER_ROOT", "/fs"},
        {"LOUPE_DATA_DIR", "/data"}, {"LOUPE_MAX_BODY_BYTES", "2m"}, {"LOUPE_MAX_DATASETS", "7"},
        {"LOUPE_MAX_FUTURE", "2h"}, {"LOUPE_CHECKPOINT_INTERVAL", "5s"}, {"LOUPE_MAX_REQUEST_COLUMNS", "11"},
        {"LOUPE_MAX_WINDOW_COLUMNS", "12"}, {"LOUPE_MAX_OPEN_COLUMNS", "13"}, {"LOUPE_BODY_TIMEOUT", "3s"},
        {"LOUPE_MAX_BODY_READERS", "4"}, {"LOUPE_MAX_INFLIGHT_BYTES", "3m"},
        {"LOUPE_WARM_UP", "false"}};
    for (String[] kv : values) {
      env.put(kv[0], kv[1]);
      String flag = ServerConfig.SETTINGS.stream().filter(s -> s.env().equals(kv[0])).findFirst().orElseThrow().flag();
      args.add(flag + "=" + kv[1]);
    }
    ServerConfig fromEnv = ServerConfig.fromEnvironment(env);
    ServerConfig fromFlags = ServerConfig.fromArgs(args.toArray(String[]::new), Map.of());
    assertEquals(fromEnv.toString(), fromFlags.toString());
    for (ServerConfig c : List.of(fromEnv, fromFlags)) {
      assertEquals(9001, c.port());
      assertEquals("127.0.0.2", c.host());
      assertEquals(List.of("k1", "k2"), c.apiKeys());
      assertEquals(Duration.ofMinutes(5), c.window());
      assertEquals(Duration.ofSeconds(10), c.lateness());
      assertEquals(ServerConfig.Destination.S3, c.destination());
      assertEquals("b", c.s3Bucket());
      assertEquals("p/", c.s3Prefix());
      assertEquals("http://127.0.0.1:9", c.s3Endpoint());
      assertEquals(Path.of("/fs"), c.fileSystemRoot());
      assertEquals(Path.of("/data"), c.dataDir());
      assertEquals(2L << 20, c.maxBodyBytes());
      assertEquals(7, c.maxDatasets());
      assertEquals(Duration.ofHours(2), c.maxFuture());
      assertEquals(Duration.ofSeconds(5), c.checkpointInterval());
      assertEquals(11, c.maxRequestColumns());
      assertEquals(12, c.maxWindowColumns());
      assertEquals(13, c.maxOpenColumns());
      assertEquals(Duration.ofSeconds(3), c.bodyTimeout());
      assertEquals(4, c.maxBodyReaders());
      assertEquals(3L << 20, c.maxInflightBytes());
      assertEquals(false, c.warmUp());
    }
    assertEquals(true, ServerConfig.fromEnvironment(Map.of()).warmUp(), "the warm-up is on unless turned off");
    // every variable the table names is one the test above set, or DISABLE_AUTH / WHYLOGS_PERIOD (checked elsewhere)
    java.util.Set<String> named = new java.util.TreeSet<>();
    ServerConfig.SETTINGS.forEach(s -> named.add(s.env()));
    named.removeAll(env.keySet());
    assertEquals(java.util.Set.of("DISABLE_AUTH", "WHYLOGS_PERIOD"), named);
  }

  @Test
  void kafkaSettingsKeepTheContainersNamesAndAreReadOnlyWhenKafkaIsOn(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path props = dir.resolve("client.properties");
    java.nio.file.Files.writeString(props, "security.protocol=SSL\n");
    Map<String, String> env = Map.ofEntries(Map.entry("DISABLE_AUTH", "true"), Map.entry("KAFKA_ENABLED", "TRUE"),
        Map.entry("KAFKA_BOOTSTRAP_SERVERS", "[\"k1:9092\", \"k2:9092\"]"), Map.entry("KAFKA_TOPICS", "orders, clicks"),
        Map.entry("KAFKA_GROUP_ID", "g"), Map.entry("KAFKA_TOPIC_DATASET_IDS", "{\"clicks\": \"web\"}"),
        Map.entry("KAFKA_CONSUMER_THREADS", "3"), Map.entry("KAFKA_MESSAGE_NESTING_BEHAVIOR", "ignore"),
        Map.entry("LOUPE_KAFKA_DEAD_LETTER_TOPIC", "dlq"), Map.entry("LOUPE_KAFKA_MAX_POLL_RECORDS", "100"),
        Map.entry("LOUPE_KAFKA_CLIENT_PROPERTIES", props.toString()));
    KafkaSettings k = ServerConfig.fromEnvironment(env).kafka();
    assertTrue(k.enabled());
    assertEquals(List.of("k1:9092", "k2:9092"), k.bootstrapServers());
    assertEquals(List.of("orders", "clicks"), k.topics());
    assertEquals("g", k.groupId());
    assertEquals("web", k.datasetId("clicks"));
    assertEquals("orders", k.datasetId("orders"));
    assertEquals(3, k.consumerThreads());
    assertEquals(KafkaSettings.Nesting.IGNORE, k.nesting());
    assertEquals("dlq", k.deadLetterTopic());
    assertEquals(100, k.maxPollRecords());
    assertEquals(Map.of("security.protocol", "SSL"), k.clientProperties());
    // the same through flags
    KafkaSettings flags = ServerConfig.fromArgs(new String[] {"--kafka-enabled", "--kafka-bootstrap-servers", "k1:9092",
        "--kafka-topics=orders", "--kafka-consumer-threads", "2"}, Map.of("DISABLE_AUTH", "true")).kafka();
    assertEquals(List.of("k1:9092"), flags.bootstrapServers());
    assertEquals(List.of("orders"), flags.topics());
    assertEquals(2, flags.consumerThreads());
    assertEquals("loupe", flags.groupId());
    assertEquals(5000, flags.maxPollRecords());
    // off: the other Kafka variables are not read, so a stale bad one cannot stop the server
    KafkaSettings off = ServerConfig.fromEnvironment(Map.of("DISABLE_AUTH", "true",
        "KAFKA_CONSUMER_THREADS", "many")).kafka();
    assertTrue(!off.enabled());
    assertEquals("KAFKA_CONSUMER_THREADS 'many' is not a whole number", assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.fromEnvironment(Map.of("DISABLE_AUTH", "true", "KAFKA_ENABLED", "1",
            "KAFKA_BOOTSTRAP_SERVERS", "k:9092", "KAFKA_TOPICS", "t", "KAFKA_CONSUMER_THREADS", "many"))).getMessage());
    assertEquals("KAFKA_ENABLED=true needs KAFKA_TOPICS, e.g. '[\"model-inputs\"]'", assertThrows(
        IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(Map.of("DISABLE_AUTH", "true",
            "KAFKA_ENABLED", "yes", "KAFKA_BOOTSTRAP_SERVERS", "k:9092"))).getMessage());
  }

  @Test
  void mistakesAreExplained() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(
        Map.of("DISABLE_AUTH", "true", "UPLOAD_DESTINATION", "WHYLABS"))).getMessage().contains("S3 or DEBUG_FILE_SYSTEM"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(
        Map.of("DISABLE_AUTH", "true", "LOUPE_WINDOW", "soon"))).getMessage().contains("30s"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(
        Map.of("DISABLE_AUTH", "true", "UPLOAD_DESTINATION", "S3"))).getMessage().contains("S3_BUCKET"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromArgs(new String[] {"--prot", "1"},
        Map.of())).getMessage().contains("--port"));
  }
}
