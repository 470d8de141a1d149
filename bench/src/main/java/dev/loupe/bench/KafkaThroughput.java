package dev.loupe.bench;

import dev.loupe.core.ProfileView;
import dev.loupe.server.KafkaSettings;
import dev.loupe.server.KafkaTestBroker;
import dev.loupe.server.LoupeServer;
import dev.loupe.server.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Records per second the server's Kafka consumer takes into profiles: a one-node KRaft broker on
 * this machine ({@code KafkaTestBroker}), a topic filled in advance with JSON records of 10 columns
 * (4 integers, 4 floats, a 20-value string and a high-cardinality string), then a server (in this
 * JVM) consuming it from the beginning, once per run, each run a fresh consumer group and data
 * directory, alternating the consumer thread counts given. The clock runs from the first record
 * tracked to the last (group join excluded; reported separately); the count in the written profiles
 * is checked against the records produced.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/loupe-benchmarks.jar \
 *   dev.loupe.bench.KafkaThroughput [records=2000000] [partitions=4] [runs=3] [threads=1,2]
 * </pre>
 */
public final class KafkaThroughput {
  private static final Pattern RECORDS = Pattern.compile("(?m)^loupe_kafka_records_total\\{topic=\"bench\"} (\\d+)$");

  private KafkaThroughput() {}

  public static void main(String[] args) throws Exception {
    long records = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
    int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int[] threads = args.length > 3 ? java.util.Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {1, 2};
    Path dir = Files.createTempDirectory("loupe-kafka-bench");
    try (KafkaTestBroker broker = KafkaTestBroker.start(dir.resolve("broker"))) {
      broker.createTopic("bench", partitions);
      long t0 = System.nanoTime();
      long bytes = produce(broker.bootstrapServers(), records);
      System.out.printf("produced %,d records (%,d bytes of JSON, %.0f bytes each) in %.1f s%n", records, bytes,
          (double) bytes / records, (System.nanoTime() - t0) / 1e9);
      List<String> lines = new ArrayList<>();
      for (int run = 0; run < runs; run++) {
        for (int t : threads) {
          lines.add(consume(broker.bootstrapServers(), dir.resolve("run-" + run + "-" + t), "bench-" + run + "-" + t,
              t, records));
          System.out.println(lines.get(lines.size() - 1));
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
  private static long produce(String bootstrap, long records) {
    Properties p = new Properties();
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
        byte[] v = sb.toString().getBytes(StandardCharsets.UTF_8);
        bytes += v.length;
        producer.send(new ProducerRecord<>("bench", v));
      }
      producer.flush();
    }
    return bytes;
  }

  private static String consume(String bootstrap, Path dir, String group, int threads, long records)
      throws IOException, InterruptedException {
    KafkaSettings kafka = KafkaSettings.of(List.of(bootstrap), List.of("bench"), group, Map.of("bench", "bench"),
        threads, KafkaSettings.Nesting.FLATTEN, "bench-dead-letters", 5000);
    ServerConfig config = ServerConfig.builder().port(0).host("127.0.0.1").disableAuth(true).dataDir(dir.resolve("data"))
        .fileSystemRoot(dir.resolve("profiles")).destination(ServerConfig.Destination.DEBUG_FILE_SYSTEM)
        .window(Duration.ofHours(1)).lateness(Duration.ofDays(1)).kafka(kafka).build();
    HttpClient http = HttpClient.newHttpClient();
    long start = System.nanoTime();
    long first = 0;
    long done;
    try (LoupeServer server = LoupeServer.start(config)) {
      URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
      while (true) {
        long n = consumed(http, metrics);
        long now = System.nanoTime();
        if (n > 0 && first == 0) {
          first = now;
        }
        if (n >= records) {
          done = now;
          break;
        }
        if (now - start > Duration.ofMinutes(10).toNanos()) {
          throw new IllegalStateException("consumed only " + n + " of " + records + " in 10 minutes");
        }
        Thread.sleep(20);
      }
      HttpResponse<String> w = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/writeProfiles")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (w.statusCode() != 200) {
        throw new IllegalStateException("writeProfiles: " + w.body());
      }
    }
    long profiled = 0;
    try (Stream<Path> s = Files.walk(dir.resolve("profiles"))) {
      for (Path p : s.filter(x -> x.toString().endsWith(".bin")).toList()) {
        profiled += ProfileView.read(p).column("id").map(c -> c.counts().n()).orElse(0L);
      }
    }
    if (profiled != records) {
      throw new IllegalStateException("the profiles hold " + profiled + " rows, " + records + " were produced");
    }
    double secs = (done - first) / 1e9;
    return String.format("threads %d: %,.0f records/s (%,d records in %.2f s after the first; group join %.2f s;"
        + " profiles hold %,d rows)", threads, records / secs, records, secs, (first - start) / 1e9, profiled);
  }

  private static long consumed(HttpClient http, URI metrics) throws IOException, InterruptedException {
    String body = http.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = RECORDS.matcher(body);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
