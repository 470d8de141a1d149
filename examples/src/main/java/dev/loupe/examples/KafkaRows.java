package dev.loupe.examples;

import dev.loupe.server.KafkaSettings;
import dev.loupe.server.LoupeServer;
import dev.loupe.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A model publishes its inputs to Kafka; the Loupe server profiles them. This program does both
 * sides: it starts a server that consumes the topic {@code weather-inputs} into the dataset
 * {@code weather}, produces each row of {@code examples/data/weather.csv} as one JSON record, waits
 * until the server has all of them, prints the window's summary of two columns and writes the
 * profiles under {@code ./loupe-kafka-example/profiles}.
 *
 * <pre>
 * # a broker on localhost:9092, e.g. docker run -d -p 9092:9092 apache/kafka:4.1.0
 * ./mvnw -q -B -DskipTests -pl examples -am install
 * ./mvnw -q -pl examples dependency:build-classpath -Dmdep.outputFile=/tmp/examples.cp
 * KAFKA_BOOTSTRAP_SERVERS=localhost:9092 java --add-opens=java.base/java.nio=ALL-UNNAMED \
 *   -cp examples/target/classes:$(cat /tmp/examples.cp) dev.loupe.examples.KafkaRows
 * bin/loupe merge $(find loupe-kafka-example/profiles -name '*.bin') -o weather.bin &amp;&amp; bin/loupe show weather.bin
 * </pre>
 *
 * In production the server runs on its own (loupe serve with KAFKA_ENABLED=true, see
 * docs/kafka.md) and the producer is the model's service; only the record format matters: one JSON
 * object per record, the record's timestamp is the row's time.
 */
public final class KafkaRows {
  private KafkaRows() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    Path csv = Path.of(args.length > 0 ? args[0] : "examples/data/weather.csv");
    Path dir = Path.of("loupe-kafka-example");

    KafkaSettings kafka = KafkaSettings.of(List.of(bootstrap), List.of("weather-inputs"), "loupe-example",
        Map.of("weather-inputs", "weather"), 1, KafkaSettings.Nesting.FLATTEN, "weather-dead-letters", 5000);
    ServerConfig config = ServerConfig.builder().port(0).disableAuth(true).dataDir(dir.resolve("data"))
        .fileSystemRoot(dir.resolve("profiles")).destination(ServerConfig.Destination.DEBUG_FILE_SYSTEM)
        .window(Duration.ofDays(1)).lateness(Duration.ofDays(36500)) // the rows are from 2012-2015
        .kafka(kafka).build();

    try (LoupeServer server = LoupeServer.start(config);
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(), new StringSerializer())) {
      // the producer side: one JSON object per record, timestamped with the row's date
      List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      String[] header = lines.get(0).split(",");
      int rows = 0;
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",");
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < header.length; i++) {
          boolean number = i >= 2 && i <= 5; // precipitation, temp_max, temp_min, wind
          json.append(i == 0 ? "" : ",").append('"').append(header[i]).append("\":")
              .append(number ? cells[i] : "\"" + cells[i] + "\"");
        }
        json.append('}');
        long ts = LocalDate.parse(cells[1]).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        producer.send(new ProducerRecord<>("weather-inputs", null, ts, cells[0], json.toString()));
        rows++;
      }
      producer.flush();
      System.out.println("produced " + rows + " rows to weather-inputs");

      // the server side: wait until every row is in a profile (one window per day of data)
      HttpClient http = HttpClient.newHttpClient();
      URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      long consumed = 0;
      while (consumed < rows && System.nanoTime() < deadline) {
        Thread.sleep(200);
        String m = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        consumed = m.lines().filter(l -> l.startsWith("loupe_kafka_records_total{topic=\"weather-inputs\"}"))
            .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
      }
      System.out.println("the server tracked " + consumed + " rows; writing the profiles");
      HttpResponse<String> w = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/writeProfiles")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      System.out.println("POST /writeProfiles: " + w.body() + " -> " + dir.resolve("profiles").toAbsolutePath());
    }
  }
}
