package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.DistributionMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the Kafka tests share: one broker per test JVM, producing, reading topics back, waiting. */
final class KafkaTests {
  /** The clients log every connection attempt while the broker starts; tests show warnings and worse. */
  private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("org.apache.kafka");

  static {
    QUIET.setLevel(java.util.logging.Level.SEVERE);
  }

  private static KafkaTestBroker broker;
  private static Exception failure;

  private KafkaTests() {}

  /** The broker every Kafka test in this JVM uses (started once, stopped at exit). */
  static synchronized KafkaTestBroker broker() throws IOException {
    if (failure != null) {
      throw new IOException("the test broker did not start earlier in this JVM", failure);
    }
    if (broker == null) {
      Path dir = Files.createTempDirectory("loupe-kafka-test");
      try {
        broker = KafkaTestBroker.start(dir);
      } catch (IOException | RuntimeException e) {
        failure = e;
        throw e;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        broker.close();
        try (Stream<Path> s = Files.walk(dir)) {
          s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          // a temporary directory
        }
      }));
    }
    return broker;
  }

  static KafkaProducer<byte[], byte[]> producer() throws IOException {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The row of record {@code id}: an integer id, a float, a string. */
  static byte[] row(long id) {
    return ("{\"id\": " + id + ", \"x\": " + (id % 97) / 8.0 + ", \"s\": \"v" + (id % 13) + "\"}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Every record of {@code topic}, from the beginning to the end it has now. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) throws IOException {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker().bootstrapServers());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          fail("could not read " + topic + " to its end " + end);
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Records in the topic (the sum of its partitions' end offsets), 0 if it does not exist. */
  static long endOffsetSum(String topic) throws Exception {
    try (Admin admin = broker().admin()) {
      if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
        return 0;
      }
      var parts = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
          .partitions();
      Map<TopicPartition, OffsetSpec> q = new java.util.HashMap<>();
      parts.forEach(pi -> q.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
      long sum = 0;
      for (var e : admin.listOffsets(q).all().get(10, TimeUnit.SECONDS).values()) {
        sum += e.offset();
      }
      return sum;
    }
  }

  /** The group's committed offsets, summed over the topic's partitions. */
  static long committedSum(String group, String topic) throws Exception {
    try (Admin admin = broker().admin()) {
      Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS);
      long sum = 0;
      for (var e : m.entrySet()) {
        if (e.getKey().topic().equals(topic) && e.getValue() != null) {
          sum += e.getValue().offset();
        }
      }
      return sum;
    }
  }

  /** The value of a metric line (with its labels, e.g. {@code loupe_kafka_records_total{topic="t"}}), 0 if absent. */
  static long metric(String metricsText, String line) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + " (\\S+)$").matcher(metricsText);
    return m.find() ? Math.round(Double.parseDouble(m.group(1))) : 0;
  }

  static void await(String what, Duration timeout, LongSupplier actual, long expected) throws InterruptedException {
    await(what, timeout, actual, expected, () -> "");
  }

  /**
   * As {@link #await(String, Duration, LongSupplier, long)}; on a timeout the failure also shows {@code state}
   * (for example the server's /health and /metrics and the topic's end offsets), so that a stall says where it is.
   */
  static void await(String what, Duration timeout, LongSupplier actual, long expected,
      java.util.function.Supplier<String> state) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      last = actual.getAsLong();
      if (last == expected) {
        return;
      }
      Thread.sleep(100);
    }
    String s;
    try {
      s = state.get();
    } catch (RuntimeException e) {
      s = "(could not read the state: " + e + ")";
    }
    fail(what + ": expected " + expected + ", still " + last + " after " + timeout + (s.isEmpty() ? "" : "\n" + s));
  }

  /** The server's /health, its Kafka metrics and the records {@code topic} holds: what a stalled consumer shows. */
  static String kafkaState(TestHttp http, String topic) {
    StringBuilder sb = new StringBuilder("health: ").append(http.get("/health").body()).append("\nkafka metrics:\n");
    for (String line : http.get("/metrics").body().split("\n")) {
      if (!line.startsWith("#") && (line.startsWith("loupe_kafka") || line.startsWith("loupe_checkpoint"))) {
        sb.append("  ").append(line).append('\n');
      }
    }
    try {
      sb.append("records in ").append(topic).append(": ").append(endOffsetSum(topic));
    } catch (Exception e) {
      sb.append("records in ").append(topic).append(": unknown (").append(e).append(')');
    }
    return sb.toString();
  }

  /**
   * The profiles hold exactly the records with ids {@code 0 .. n-1}, each once: the count, the
   * smallest and largest id, and the sum of the ids (any id lost and another counted twice moves it).
   */
  static void assertExactlyIds(ProfileView all, long n, String context) {
    assertIds(all, new TopicIds(n, 0, n - 1, n * (n - 1) / 2.0, 0), context);
  }

  /** The profiles hold exactly the ids of {@code expected}: the count, the smallest and largest, the sum. */
  static void assertIds(ProfileView all, TopicIds expected, String context) {
    assertEquals(expected.count(), TestHttp.count(all, "id"), "rows of column id: " + context);
    DistributionMetric d = all.column("id").flatMap(c -> c.distribution()).orElseThrow();
    assertEquals(expected.min(), d.min().getAsDouble(), context);
    assertEquals(expected.max(), d.max().getAsDouble(), context);
    double sum = d.mean().orElse(Double.NaN) * d.n();
    assertEquals(expected.sum(), sum, 0.25, "sum of the ids (a row lost and another counted twice): " + context);
  }

  /** The ids (record keys) a topic holds: how many records, the smallest and largest, their sum, repeats. */
  record TopicIds(long count, long min, long max, double sum, long repeated) {}

  /** Reads the whole topic (keys are decimal ids) and summarizes its ids; {@code seen} gets every id present. */
  static TopicIds ids(String topic, java.util.BitSet seen) throws IOException {
    long count = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    double sum = 0;
    long repeated = 0;
    for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
      int id = Integer.parseInt(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
      if (seen.get(id)) {
        repeated++;
      }
      seen.set(id);
      count++;
      min = Math.min(min, id);
      max = Math.max(max, id);
      sum += id;
    }
    return new TopicIds(count, min, max, sum, repeated);
  }
}
