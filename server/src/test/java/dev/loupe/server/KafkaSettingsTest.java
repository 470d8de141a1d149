package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consumer's fetch sizes: LOUPE_KAFKA_* over LOUPE_KAFKA_CLIENT_PROPERTIES over Loupe's defaults. */
class KafkaSettingsTest {
  private static Map<String, String> env(String... kv) {
    Map<String, String> env = new HashMap<>(Map.of("KAFKA_ENABLED", "true", "KAFKA_BOOTSTRAP_SERVERS", "k:9092",
        "KAFKA_TOPICS", "t"));
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  @Test
  void fetchSizesHaveThroughputDefaults() {
    KafkaSettings k = KafkaSettings.fromEnvironment(env());
    assertEquals(Map.of("max.poll.records", "5000", "fetch.min.bytes", "65536", "fetch.max.wait.ms", "100",
        "max.partition.fetch.bytes", "4194304"), k.consumerTuning());
    assertEquals(5000, k.maxPollRecords());
  }

  @Test
  void fetchSizesAreReadFromTheirVariablesAndFlags() {
    KafkaSettings k = KafkaSettings.fromEnvironment(env("LOUPE_KAFKA_MAX_POLL_RECORDS", "20000",
        "LOUPE_KAFKA_FETCH_MIN_BYTES", "1", "LOUPE_KAFKA_FETCH_MAX_WAIT_MS", "0",
        "LOUPE_KAFKA_MAX_PARTITION_FETCH_BYTES", "1048576"));
    assertEquals(Map.of("max.poll.records", "20000", "fetch.min.bytes", "1", "fetch.max.wait.ms", "0",
        "max.partition.fetch.bytes", "1048576"), k.consumerTuning());
    assertEquals(20000, k.maxPollRecords());
    KafkaSettings flags = ServerConfig.fromArgs(new String[] {"--kafka-enabled", "--kafka-bootstrap-servers", "k:9092",
        "--kafka-topics", "t", "--kafka-fetch-min-bytes=2048", "--kafka-fetch-max-wait-ms", "250",
        "--kafka-max-partition-fetch-bytes", "8388608"}, Map.of("DISABLE_AUTH", "true")).kafka();
    assertEquals(Map.of("max.poll.records", "5000", "fetch.min.bytes", "2048", "fetch.max.wait.ms", "250",
        "max.partition.fetch.bytes", "8388608"), flags.consumerTuning());
  }

  @Test
  void thePropertiesFileSetsAFetchSizeTheVariablesLeaveUnset(@TempDir Path dir) throws Exception {
    Path props = dir.resolve("client.properties");
    Files.writeString(props, "fetch.min.bytes=1\nmax.partition.fetch.bytes=1048576\nmax.poll.records=300\n");
    KafkaSettings k = KafkaSettings.fromEnvironment(env("LOUPE_KAFKA_CLIENT_PROPERTIES", props.toString(),
        "LOUPE_KAFKA_MAX_POLL_RECORDS", "700"));
    // the variable wins where both are set; the file where only it is
    assertEquals(Map.of("max.poll.records", "700", "fetch.min.bytes", "1", "fetch.max.wait.ms", "100",
        "max.partition.fetch.bytes", "1048576"), k.consumerTuning());
  }

  @Test
  void theTimestampFieldIsReadFromItsVariableAndFlag() {
    assertEquals(null, KafkaSettings.fromEnvironment(env()).timestampField());
    assertEquals("event_time", KafkaSettings.fromEnvironment(env("LOUPE_KAFKA_TIMESTAMP_FIELD", "event_time"))
        .timestampField());
    assertEquals("ts", ServerConfig.fromArgs(new String[] {"--kafka-enabled", "--kafka-bootstrap-servers", "k:9092",
        "--kafka-topics", "t", "--kafka-timestamp-field", "ts"}, Map.of("DISABLE_AUTH", "true")).kafka()
        .timestampField());
  }

  @Test
  void badFetchSizesSayWhereTheyCameFrom(@TempDir Path dir) throws Exception {
    assertEquals("LOUPE_KAFKA_FETCH_MIN_BYTES must be 1 to 2147483647, got 0", assertThrows(
        IllegalArgumentException.class, () -> KafkaSettings.fromEnvironment(env("LOUPE_KAFKA_FETCH_MIN_BYTES", "0")))
        .getMessage());
    assertEquals("LOUPE_KAFKA_MAX_POLL_RECORDS must be 1 to 2147483647, got 0", assertThrows(
        IllegalArgumentException.class, () -> KafkaSettings.fromEnvironment(env("LOUPE_KAFKA_MAX_POLL_RECORDS", "0")))
        .getMessage());
    assertEquals("LOUPE_KAFKA_FETCH_MAX_WAIT_MS 'soon' is not a whole number", assertThrows(
        IllegalArgumentException.class, () -> KafkaSettings.fromEnvironment(env("LOUPE_KAFKA_FETCH_MAX_WAIT_MS",
            "soon"))).getMessage());
    Path props = dir.resolve("client.properties");
    Files.writeString(props, "max.partition.fetch.bytes=lots\n");
    assertEquals("max.partition.fetch.bytes in LOUPE_KAFKA_CLIENT_PROPERTIES 'lots' is not a whole number",
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.fromEnvironment(env(
            "LOUPE_KAFKA_CLIENT_PROPERTIES", props.toString()))).getMessage());
  }
}
