package dev.loupe.bench;

import com.fasterxml.jackson.core.JsonParser;
import dev.loupe.core.ProfileView;
import dev.loupe.core.internal.ValueTable;
import dev.loupe.server.KafkaSettings;
import dev.loupe.server.KafkaTestBroker;
import dev.loupe.server.LoupeServer;
import dev.loupe.server.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Records per second the server's Kafka consumer takes into profiles: a one-node KRaft broker on
 * this machine ({@code KafkaTestBroker}), a topic filled in advance with JSON records of 10 columns
 * (4 integers, 4 floats, a 20-value string and a high-cardinality string), then a server (in this
 * JVM) consuming it from the beginning, once per run, each run a fresh consumer group and data
 * directory, alternating the consumer thread counts given. The clock runs from the first record
 * tracked to the last (group join excluded; reported separately); the count in the written profiles
 * is checked against the records produced. Each run also reports the CPU time this JVM and the broker
 * process spent per record, which a busy machine disturbs less than records per second.
 *
 * <p>Options after the numbers: {@code compression=lz4} (or zstd, gzip, snappy; default none) is the
 * producer's compression of the topic; {@code mode=ceiling} runs, instead of the server, plain
 * consumers (same settings and deserializers, one per thread) that poll and discard the records, the
 * ceiling of this broker and client on this machine; {@code mode=both} alternates the two.
 * {@code max.poll.records=}, {@code fetch.min.bytes=}, {@code fetch.max.wait.ms=} and
 * {@code max.partition.fetch.bytes=} set the consumers' fetch sizes (the server's
 * {@code LOUPE_KAFKA_*} settings); unset, the server's defaults apply. {@code fastdoubles=both} (or
 * {@code off}) is an experiment: each server run is repeated with Jackson's fast double parser switched off
 * and on in the JSON doors' shared factory (the server's own setting is on; unset, it is left alone), to
 * measure that lever of the JSON decode.
 * {@code trickle=20000} measures instead a consumer that keeps up: records arrive at that rate for 10 s
 * on a fresh topic per run, and the CPU per record of the consumer threads and the broker is compared
 * between Kafka's fetch defaults ({@code fetch.min.bytes=1}, {@code fetch.max.wait.ms=500}) and the server's.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/loupe-benchmarks.jar \
 *   dev.loupe.bench.KafkaThroughput [records=2000000] [partitions=4] [runs=3] [threads=1,2] \
 *   [compression=none] [mode=server] [fetch.min.bytes=65536 ...]
 * </pre>
 */
public final class KafkaThroughput {
  private static final Pattern RECORDS = Pattern.compile("(?m)^loupe_kafka_records_total\\{topic=\"bench\"} (\\d+)$");

  /** The server's fetch sizes a run may set (its LOUPE_KAFKA_* settings), as Kafka names them. */
  private static final List<String> FETCH_KEYS = List.of("max.poll.records", "fetch.min.bytes", "fetch.max.wait.ms",
      "max.partition.fetch.bytes");

  private KafkaThroughput() {}

  /** The server's Kafka settings for a run: fresh group, the fetch sizes given, the rest as the server's defaults. */
  private static KafkaSettings settings(String bootstrap, String group, int threads, Map<String, Integer> fetch) {
    return settings(bootstrap, "bench", group, threads, fetch);
  }

  private static KafkaSettings settings(String bootstrap, String topic, String group, int threads,
      Map<String, Integer> fetch) {
    return KafkaSettings.of(List.of(bootstrap), List.of(topic), group, Map.of(topic, "bench"), threads,
        KafkaSettings.Nesting.FLATTEN, "bench-dead-letters", fetch.getOrDefault("max.poll.records", 5000))
        .withFetch(fetch.get("max.poll.records"), fetch.get("fetch.min.bytes"), fetch.get("fetch.max.wait.ms"),
            fetch.get("max.partition.fetch.bytes"));
  }

  public static void main(String[] args) throws Exception {
    List<String> positional = new ArrayList<>();
    String compression = "none";
    String mode = "server";
    List<Boolean> fastDoubles = java.util.Collections.singletonList(null); // null: the server's setting
    int trickle = 0;
    Map<String, Integer> fetch = new java.util.HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq > 0 && FETCH_KEYS.contains(a.substring(0, eq))) {
        fetch.put(a.substring(0, eq), Integer.parseInt(a.substring(eq + 1)));
      } else if (a.startsWith("fastdoubles=")) {
        fastDoubles = switch (a.substring("fastdoubles=".length())) {
          case "on" -> List.of(true);
          case "off" -> List.of(false);
          case "both" -> List.of(false, true);
          default -> throw new IllegalArgumentException("fastdoubles must be on, off or both, not " + a);
        };
      } else if (a.startsWith("trickle=")) {
        trickle = Integer.parseInt(a.substring("trickle=".length()));
      } else if (a.startsWith("compression=")) {
        compression = a.substring("compression=".length());
      } else if (a.startsWith("mode=")) {
        mode = a.substring("mode=".length());
        if (!List.of("server", "ceiling", "both").contains(mode)) {
          throw new IllegalArgumentException("mode must be server, ceiling or both, not " + mode);
        }
      } else {
        positional.add(a);
      }
    }
    long records = positional.size() > 0 ? Long.parseLong(positional.get(0)) : 2_000_000;
    int partitions = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 4;
    int runs = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 3;
    int[] threads = positional.size() > 3
        ? java.util.Arrays.stream(positional.get(3).split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {1, 2};
    Path dir = Files.createTempDirectory("loupe-kafka-bench");
    try (KafkaTestBroker broker = KafkaTestBroker.start(dir.resolve("broker"))) {
      broker.createTopic("bench", partitions);
      long t0 = System.nanoTime();
      long bytes = trickle > 0 ? 0 : produce(broker.bootstrapServers(), records, compression);
      if (trickle == 0) {
        System.out.printf("produced %,d records (%,d bytes of JSON, %.0f bytes each, compression %s) in %.1f s;"
          + " consumer fetch sizes %s%n", records, bytes, (double) bytes / records, compression,
          (System.nanoTime() - t0) / 1e9, settings(broker.bootstrapServers(), "x", 1, fetch).consumerTuning());
      }
      List<String> lines = new ArrayList<>();
      for (int run = 0; run < runs && trickle > 0; run++) {
        for (int t : threads) {
          // Kafka's own fetch defaults against the server's (or those given), alternating which goes first
          Map<String, Integer> kafkaDefaults = new java.util.HashMap<>(fetch);
          kafkaDefaults.put("fetch.min.bytes", 1);
          kafkaDefaults.put("fetch.max.wait.ms", 500);
          List<Map<String, Integer>> variants = run % 2 == 0 ? List.of(kafkaDefaults, fetch) : List.of(fetch,
              kafkaDefaults);
          for (int v = 0; v < 2; v++) {
            String topic = "trickle-" + run + "-" + t + "-" + v;
            lines.add(trickle(broker, settings(broker.bootstrapServers(), topic, "g-" + topic, t, variants.get(v)),
                topic, dir.resolve(topic), partitions, trickle, 10));
            System.out.println(lines.get(lines.size() - 1));
          }
        }
      }
      for (int run = 0; run < runs && trickle == 0; run++) {
        for (int t : threads) {
          if (!mode.equals("server")) {
            lines.add(ceiling(settings(broker.bootstrapServers(), "ceiling-" + run + "-" + t, t, fetch), records));
            System.out.println(lines.get(lines.size() - 1));
          }
          for (int f = 0; f < fastDoubles.size() && !mode.equals("ceiling"); f++) {
            // alternate the order from run to run, so that neither side always runs warmer
            Boolean fast = fastDoubles.get(run % 2 == 0 ? f : fastDoubles.size() - 1 - f);
            // an experiment: Jackson's fast double parser switched on the JSON doors' shared factory, to
            // measure what that lever of the JSON decode gives here (unset: the server's own setting)
            if (fast != null) {
              ValueTable.jsonFactory().configure(JsonParser.Feature.USE_FAST_DOUBLE_PARSER, fast);
            }
            lines.add((fast == null ? "" : fast ? "[fast doubles] " : "[slow doubles] ") + consume(settings(broker.bootstrapServers(), "bench-" + run + "-"
                + t + "-" + f, t, fetch), dir.resolve("run-" + run + "-" + t + "-" + f), records));
            System.out.println(lines.get(lines.size() - 1));
          }
        }
      }
      System.out.println("\nsummary (" + records + " records, " + partitions + " partitions):");
      lines.forEach(System.out::println);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** 10 columns: 4 integers, 4 floats, a low- and a high-cardinality string. */
  private static long produce(String bootstrap, long records, String compression) {
    Properties p = new Properties();
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 << 10));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(256L << 20));
    SplittableRandom r = new SplittableRandom(42);
    long bytes = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      StringBuilder sb = new StringBuilder(256);
      for (long i = 0; i < records; i++) {
        byte[] v = row(sb, r, i);
        bytes += v.length;
        producer.send(new ProducerRecord<>("bench", v));
      }
      producer.flush();
    }
    return bytes;
  }

  /** One record: 10 columns, 4 integers, 4 floats, a low- and a high-cardinality string. */
  private static byte[] row(StringBuilder sb, SplittableRandom r, long i) {
    sb.setLength(0);
    sb.append("{\"id\":").append(i)
        .append(",\"age\":").append(18 + r.nextInt(70))
        .append(",\"clicks\":").append(r.nextInt(1000))
        .append(",\"bucket\":").append(r.nextInt(20))
        .append(",\"score\":").append(r.nextDouble())
        .append(",\"amount\":").append(Math.round(r.nextDouble() * 100000) / 100.0)
        .append(",\"lat\":").append(-90 + 180 * r.nextDouble())
        .append(",\"lon\":").append(-180 + 360 * r.nextDouble())
        .append(",\"country\":\"c").append(r.nextInt(20)).append('"')
        .append(",\"user\":\"u").append(Long.toHexString(r.nextLong())).append("\"}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static ServerConfig serverConfig(KafkaSettings kafka, Path dir) {
    return ServerConfig.builder().port(0).host("127.0.0.1").disableAuth(true).dataDir(dir.resolve("data"))
        .fileSystemRoot(dir.resolve("profiles")).destination(ServerConfig.Destination.DEBUG_FILE_SYSTEM)
        .window(Duration.ofHours(1)).lateness(Duration.ofDays(1)).kafka(kafka).build();
  }

  /** The rows of column id in the profiles written under {@code dir}. */
  private static long profiledRows(Path dir) throws IOException {
    long profiled = 0;
    try (Stream<Path> s = Files.walk(dir.resolve("profiles"))) {
      for (Path p : s.filter(x -> x.toString().endsWith(".bin")).toList()) {
        profiled += ProfileView.read(p).column("id").map(c -> c.counts().n()).orElse(0L);
      }
    }
    return profiled;
  }

  /**
   * A consumer that keeps up: the server reads a fresh topic while records arrive at {@code rate} per
   * second for {@code seconds}; what counts is the CPU the consumer threads and the broker spend per
   * record (the fetch sizes decide how many fetches and polls a record shares).
   */
  private static String trickle(KafkaTestBroker broker, KafkaSettings kafka, String topic, Path dir, int partitions,
      int rate, int seconds) throws IOException, InterruptedException {
    broker.createTopic(topic, partitions);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    long records = (long) rate * seconds;
    HttpClient http = HttpClient.newHttpClient();
    Cpu cpu;
    long nanos;
    try (LoupeServer server = LoupeServer.start(serverConfig(kafka, dir));
         KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
             new ByteArraySerializer())) {
      URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
      SplittableRandom r = new SplittableRandom(7);
      StringBuilder sb = new StringBuilder(256);
      // one record first, so that the group has joined before the clock starts
      producer.send(new ProducerRecord<>(topic, row(sb, r, records)));
      producer.flush();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (consumed(http, metrics, topic) < 1) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the server did not consume its first record in 2 minutes");
        }
        Thread.sleep(20);
      }
      Cpu cpu0 = Cpu.now();
      long t0 = System.nanoTime();
      for (long i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, row(sb, r, i)));
        if (i % 100 == 99) { // paced in steps of 100 records
          long wait = t0 + (i + 1) * 1_000_000_000L / rate - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
      }
      producer.flush();
      while (consumed(http, metrics, topic) < records + 1) {
        if (System.nanoTime() > deadline + Duration.ofSeconds(seconds).toNanos()) {
          throw new IllegalStateException("the server did not keep up with " + rate + " records/s");
        }
        Thread.sleep(20);
      }
      cpu = Cpu.now().minus(cpu0);
      nanos = System.nanoTime() - t0;
      HttpResponse<String> w = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/writeProfiles")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (w.statusCode() != 200) {
        throw new IllegalStateException("writeProfiles: " + w.body());
      }
    }
    long profiled = profiledRows(dir);
    if (profiled != records + 1) {
      throw new IllegalStateException("the profiles hold " + profiled + " rows, " + (records + 1) + " were produced");
    }
    return String.format("trickle %,d records/s for %d s, threads %d, %s: %s", rate, seconds, kafka.consumerThreads(),
        kafka.consumerTuning(), cpu.describe(nanos / 1e9, records));
  }

  private static String consume(KafkaSettings kafka, Path dir, long records) throws IOException, InterruptedException {
    int threads = kafka.consumerThreads();
    ServerConfig config = serverConfig(kafka, dir);
    HttpClient http = HttpClient.newHttpClient();
    long start = System.nanoTime();
    long first = 0;
    long done;
    Cpu cpu0 = null;
    Cpu cpu;
    try (LoupeServer server = LoupeServer.start(config)) {
      URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
      while (true) {
        long n = consumed(http, metrics);
        long now = System.nanoTime();
        if (n > 0 && first == 0) {
          first = now;
          cpu0 = Cpu.now();
        }
        if (n >= records) {
          done = now;
          cpu = Cpu.now().minus(cpu0);
          break;
        }
        if (now - start > Duration.ofMinutes(10).toNanos()) {
          throw new IllegalStateException("consumed only " + n + " of " + records + " in 10 minutes");
        }
        // polling /metrics costs the server CPU: often only around the first and the last record
        Thread.sleep(n > 0 && n < records * 7 / 10 ? 200 : 10);
      }
      HttpResponse<String> w = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/writeProfiles")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (w.statusCode() != 200) {
        throw new IllegalStateException("writeProfiles: " + w.body());
      }
    }
    long profiled = profiledRows(dir);
    if (profiled != records) {
      throw new IllegalStateException("the profiles hold " + profiled + " rows, " + records + " were produced");
    }
    double secs = (done - first) / 1e9;
    return String.format("threads %d: %,.0f records/s (%,d records in %.2f s after the first; group join %.2f s;"
        + " profiles hold %,d rows; %s)", threads, records / secs, records, secs, (first - start) / 1e9, profiled,
        cpu.describe(secs, records));
  }

  /**
   * The ceiling: plain consumers (one per thread, one group, the server's consumer settings) that
   * poll the same topic from the beginning and discard the records; the same clock as {@link #consume}.
   */
  private static String ceiling(KafkaSettings kafka, long records) throws InterruptedException {
    int threads = kafka.consumerThreads();
    java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> ts = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < threads; i++) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers().get(0));
      p.put(ConsumerConfig.GROUP_ID_CONFIG, kafka.groupId());
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.putAll(kafka.consumerTuning());
      Thread t = new Thread(() -> {
        try (KafkaConsumer<ByteBuffer, ByteBuffer> c = new KafkaConsumer<>(p, new ByteBufferDeserializer(),
            new ByteBufferDeserializer())) {
          c.subscribe(List.of("bench"));
          while (!stop.get()) {
            long n = 0;
            for (ConsumerRecord<ByteBuffer, ByteBuffer> r : c.poll(Duration.ofMillis(100))) {
              n += r.value().remaining() > 0 ? 1 : 0;
            }
            count.addAndGet(n);
          }
        }
      }, "ceiling-" + i);
      t.start();
      ts.add(t);
    }
    long first = 0;
    long done;
    Cpu cpu0 = null;
    while (true) {
      long n = count.get();
      long now = System.nanoTime();
      if (n > 0 && first == 0) {
        first = now;
        cpu0 = Cpu.now();
      }
      if (n >= records) {
        done = now;
        break;
      }
      if (now - start > Duration.ofMinutes(10).toNanos()) {
        throw new IllegalStateException("the plain consumers read only " + n + " of " + records + " in 10 minutes");
      }
      Thread.sleep(5);
    }
    Cpu cpu = Cpu.now().minus(cpu0);
    stop.set(true);
    for (Thread t : ts) {
      t.join();
    }
    double secs = (done - first) / 1e9;
    return String.format("ceiling, threads %d: %,.0f records/s (plain consumers, poll and discard; %,d records in %.2f s"
        + " after the first; %s)", threads, records / secs, count.get(), secs, cpu.describe(secs, records));
  }

  /**
   * CPU time of this JVM, of its consumer threads (polling and decoding; the plain consumers of the
   * ceiling), of the consumers' tracking threads, and of the broker (the one child process) so far.
   */
  private record Cpu(long selfNanos, long consumerNanos, long trackerNanos, long brokerNanos) {
    static Cpu now() {
      long self = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean()).getProcessCpuTime();
      java.lang.management.ThreadMXBean tx = java.lang.management.ManagementFactory.getThreadMXBean();
      long consumers = 0;
      long trackers = 0;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        long n = Math.max(0, tx.getThreadCpuTime(t.getId()));
        if (t.getName().startsWith("loupe-kafka-") && t.getName().endsWith("-track")) {
          trackers += n;
        } else if (t.getName().startsWith("loupe-kafka-") || t.getName().startsWith("ceiling-")) {
          consumers += n;
        }
      }
      long broker = ProcessHandle.current().children().mapToLong(h -> h.info().totalCpuDuration()
          .map(Duration::toNanos).orElse(0L)).sum();
      return new Cpu(self, consumers, trackers, broker);
    }

    Cpu minus(Cpu before) {
      return new Cpu(selfNanos - before.selfNanos, consumerNanos - before.consumerNanos,
          trackerNanos - before.trackerNanos, brokerNanos - before.brokerNanos);
    }

    /**
     * Cores busy on average over {@code secs} of wall time, and CPU time per record: on a busy machine
     * the CPU per record moves less than the records per second. The consumer and tracking threads'
     * shares leave out the harness (producer, metric polling) and the JVM's own threads (GC, JIT). A
     * thread that finished before the end of a run is not counted (none does in a run).
     */
    String describe(double secs, long records) {
      return String.format("cores busy: this JVM %.2f, broker %.2f; CPU per record: this JVM %.2f us (consumer "
          + "threads %.2f us, tracking threads %.2f us), broker %.2f us", selfNanos / 1e9 / secs,
          brokerNanos / 1e9 / secs, selfNanos / 1e3 / records, consumerNanos / 1e3 / records,
          trackerNanos / 1e3 / records, brokerNanos / 1e3 / records);
    }
  }

  /** Records of {@code topic} the server has tracked ({@code loupe_kafka_records_total}). */
  private static long consumed(HttpClient http, URI metrics, String topic) throws IOException, InterruptedException {
    String body = http.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^loupe_kafka_records_total\\{topic=\"" + Pattern.quote(topic) + "\"} (\\d+)$")
        .matcher(body);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static long consumed(HttpClient http, URI metrics) throws IOException, InterruptedException {
    String body = http.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = RECORDS.matcher(body);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
