package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server consuming a topic as a separate process, killed with SIGKILL at random moments while
 * records keep arriving, restarted on the same data directory each time: in the end the windows
 * written hold every record produced exactly once (count, smallest and largest id, sum of ids).
 *
 * <p>Three kills by default; {@code -Dloupe.kafka.kills=20} for a longer run (docs/kafka.md).
 * Each kill comes at a random moment after the server has started tracking records; windows are
 * 2 s long and a checkpoint is taken every 500 ms, so kills land during polls, checkpoints, commits
 * and rebalances. The lateness is long so that no record is refused when it is read again
 * after a slow restart (that case is dead-lettered, not lost: docs/kafka.md).
 *
 * <p>What the server must hold is what the topic holds, read back at the end (count, smallest and
 * largest id, sum of ids), not what the test meant to send: an earlier version counted ids
 * {@code 0..n-1} and did not check the acknowledgements of its first 3,000 sends. Its stalls in full-suite
 * runs (114-362 records never committed, OUT_OF_ORDER_SEQUENCE_NUMBER in the producer's log) fit a producer
 * batch of those sends refused by the broker (a 16 KB batch holds about 360 of these records): the test then
 * waited for commits of records that were never in the topic (not reproduced in 9 runs here since, 2 of
 * them with 10 kills). Now a failed send is noted, every acknowledged id must be in
 * the topic, and the committed offsets are awaited against the topic's end offsets. On a stall the
 * servers' logs are copied to {@code target/kafka-crash-logs-*} ({@code -Dloupe.kafka.keepLogs=true}
 * keeps them always; {@code -Dloupe.kafka.commitWait=<s>} bounds the wait, 300 s by default).
 */
class KafkaCrashRecoveryTest {
  private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

  @TempDir
  Path dir;

  private Process start(Path log, String topic) throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, System.getProperty("loupe.jvm.opens",
        "--add-opens=java.base/java.nio=ALL-UNNAMED"), "-Xmx512m", "-cp", cp, "dev.loupe.server.ServerMain");
    Path props = dir.resolve("client.properties");
    Files.writeString(props, "session.timeout.ms=6000\nheartbeat.interval.ms=1000\nmax.poll.interval.ms=15000\n");
    Map<String, String> env = pb.environment();
    env.put("PORT", "0");
    env.put("LOUPE_HOST", "127.0.0.1");
    env.put("CONTAINER_API_KEY", TestHttp.KEY);
    env.put("UPLOAD_DESTINATION", "DEBUG_FILE_SYSTEM");
    env.put("LOUPE_DATA_DIR", dir.resolve("data").toString());
    env.put("FILE_SYSTEM_WRITER_ROOT", dir.resolve("profiles").toString());
    env.put("LOUPE_WINDOW", "2s");
    // generous: every record must be admitted again when it is read again after a kill, however long the
    // restarts take on a busy machine (docs/kafka.md, "late on the second reading")
    env.put("LOUPE_LATENESS", "10m");
    env.put("LOUPE_CHECKPOINT_INTERVAL", "500ms");
    env.put("KAFKA_ENABLED", "true");
    env.put("KAFKA_BOOTSTRAP_SERVERS", "[\"" + KafkaTests.broker().bootstrapServers() + "\"]");
    env.put("KAFKA_TOPICS", "[\"" + topic + "\"]");
    env.put("KAFKA_GROUP_ID", "g-crash");
    env.put("KAFKA_TOPIC_DATASET_IDS", "{\"" + topic + "\": \"crash\"}");
    env.put("LOUPE_KAFKA_DEAD_LETTER_TOPIC", topic + "-dlq");
    env.put("LOUPE_KAFKA_MAX_POLL_RECORDS", "500");
    env.put("LOUPE_KAFKA_CLIENT_PROPERTIES", props.toString());
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private static int awaitPort(Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      Matcher m = LISTENING.matcher(out);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!p.isAlive()) {
        fail("server exited with " + p.exitValue() + ":\n" + out);
      }
      Thread.sleep(20);
    }
    p.destroyForcibly();
    fail("server did not start within 90 s:\n" + Files.readString(log));
    return -1;
  }

  /** Waits until the server has tracked records in this life (up to 60 s; kills then land mid-stream). */
  private static void awaitConsuming(HttpClient http, int port, Process server, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    long firstSeen = -1;
    String last = "";
    while (System.nanoTime() < deadline && server.isAlive()) {
      HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      last = m.body();
      // tracking, and then a checkpoint begun after rows were tracked has landed
      long checkpoints = KafkaTests.metric(m.body(), "loupe_checkpoints_total");
      if (KafkaTests.metric(m.body(), "loupe_kafka_records_total{topic=\"crash\"}") > 0) {
        if (firstSeen < 0) {
          firstSeen = checkpoints;
        } else if (checkpoints >= firstSeen + 2) {
          return;
        }
      }
      Thread.sleep(50);
    }
    fail("the server did not track records and checkpoint them within 150 s:\n" + last + "\n"
        + Files.readString(log));
  }

  /** A stall: the group's committed offsets against the topic's end offsets; the servers' logs are kept. */
  private void diagnose(String topic, long expected, int kills) throws Exception {
    System.out.println("STALL: the topic's end offsets sum to " + expected + ", the group committed "
        + KafkaTests.committedSum("g-crash", topic));
    keepLogs(kills);
  }

  /** Copies the servers' logs to target/kafka-crash-logs-<time> (the temporary directory goes away). */
  private void keepLogs(int kills) throws Exception {
    Path keep = Path.of("target", "kafka-crash-logs-" + System.currentTimeMillis());
    Files.createDirectories(keep);
    for (int r = 0; r <= kills; r++) {
      Path log = dir.resolve("server-" + r + ".log");
      if (Files.exists(log)) {
        Files.copy(log, keep.resolve(log.getFileName()));
      }
    }
    System.out.println("server logs kept in " + keep.toAbsolutePath());
  }

  /** Waits for one send's acknowledgement; a failure is noted (the test counts the topic), not fatal. */
  private static void awaitAck(Future<?> f, long id, Set<Long> failed, AtomicReference<String> first)
      throws InterruptedException {
    try {
      f.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      failed.add(id);
      first.compareAndSet(null, e.getCause() != null ? e.getCause().toString() : e.toString());
    }
  }

  @Test
  void killDashNineAtRandomMomentsNeitherLosesNorRepeatsARecord() throws Exception {
    int kills = Integer.getInteger("loupe.kafka.kills", 3);
    int before = 3000;
    String topic = "crash";
    KafkaTests.broker().createTopic(topic, 4);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    AtomicLong produced = new AtomicLong(before);
    // sends the producer saw fail (by id) and the first reason: such a record may or may not be in the topic
    // (a batch refused by the broker is not; one that timed out may be), so the test counts the topic itself
    Set<Long> failedSends = ConcurrentHashMap.newKeySet();
    AtomicReference<String> firstSendFailure = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread producer;
    KafkaTests.TopicIds inTopic = null;
    try (KafkaProducer<byte[], byte[]> p = KafkaTests.producer()) {
      List<Future<?>> first = new ArrayList<>();
      for (long id = 0; id < before; id++) {
        first.add(p.send(new ProducerRecord<>(topic, Long.toString(id).getBytes(StandardCharsets.UTF_8),
            KafkaTests.row(id))));
      }
      p.flush();
      for (int i = 0; i < first.size(); i++) {
        awaitAck(first.get(i), i, failedSends, firstSendFailure);
      }
      // the rest arrives while the server runs, dies and restarts, until the last round: 100 records at a time
      producer = new Thread(() -> {
        try {
          while (!stop.get()) {
            long id = produced.get();
            List<Future<?>> acks = new ArrayList<>();
            for (long j = id; j < id + 100; j++) {
              acks.add(p.send(new ProducerRecord<>(topic, Long.toString(j).getBytes(StandardCharsets.UTF_8),
                  KafkaTests.row(j))));
            }
            p.flush();
            for (int k = 0; k < acks.size(); k++) {
              awaitAck(acks.get(k), id + k, failedSends, firstSendFailure);
            }
            produced.addAndGet(100);
            Thread.sleep(50);
          }
        } catch (Throwable e) {
          producerFailure.set(e);
        }
      });
      producer.start();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      Process running = null;
      try {
      for (int round = 0; round <= kills; round++) {
        Path log = dir.resolve("server-" + round + ".log");
        long t0 = System.nanoTime();
        Process server = start(log, topic);
        running = server;
        int port = awaitPort(server, log);
        long t1 = System.nanoTime();
        if (round < kills) {
          awaitConsuming(http, port, server, log);
          System.out.printf("round %d: listening after %d ms, consuming after %d ms more%n", round,
              (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
          Thread.sleep(random.nextInt(3000)); // a poll, a checkpoint, a commit...
          server.destroyForcibly(); // SIGKILL
          server.waitFor();
          continue;
        }
        Thread.sleep(1000);
        stop.set(true);
        producer.join(180_000);
        assertTrue(!producer.isAlive(), "the producer stopped within 180 s");
        assertTrue(producerFailure.get() == null, "producer: " + producerFailure.get());
        long sent = produced.get();
        // what the server must hold is what the topic holds: every acknowledged record, plus any whose send
        // failed on the producer's side but reached the log anyway
        java.util.BitSet seen = new java.util.BitSet();
        inTopic = KafkaTests.ids(topic, seen);
        System.out.println("produced " + sent + " ids, " + failedSends.size() + " sends failed ("
            + firstSendFailure.get() + "), topic holds " + inTopic);
        for (long id = 0; id < sent; id++) {
          if (!seen.get((int) id) && !failedSends.contains(id)) {
            fail("acknowledged record " + id + " is not in the topic: " + inTopic);
          }
        }
        long expected = KafkaTests.endOffsetSum(topic);
        assertEquals(expected, inTopic.count(), "records read from the topic against its end offsets");
        try {
          KafkaTests.await("every record consumed, checkpointed and committed", Duration.ofSeconds(Integer.getInteger("loupe.kafka.commitWait", 300)), () -> {
            try {
              return KafkaTests.committedSum("g-crash", topic);
            } catch (Exception e) {
              return -1;
            }
          }, expected);
        } catch (AssertionError e) {
          diagnose(topic, expected, kills);
          throw e;
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/writeProfiles")).header("X-API-Key", TestHttp.KEY).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        server.destroy(); // SIGTERM: a clean stop
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "server stopped");
      }
      } finally {
        if (running != null && running.isAlive()) {
          running.destroyForcibly();
        }
        stop.set(true);
        producer.interrupt();
      }
    }
    if (Boolean.getBoolean("loupe.kafka.keepLogs")) {
      keepLogs(kills);
    }
    long deadLetters = KafkaTests.endOffsetSum(topic + "-dlq");
    String context = "seed " + seed + ", " + kills + " kills, " + inTopic + ", " + deadLetters
        + " dead letters, " + TestHttp.profileFiles(dir.resolve("profiles")).size() + " files";
    System.out.println("kafka crash test: " + context);
    int restoredWithRows = 0;
    for (int r = 1; r <= kills; r++) {
      if (Pattern.compile("restored checkpoint at journal record \\d+: [1-9]\\d* open window")
          .matcher(Files.readString(dir.resolve("server-" + r + ".log"))).find()) {
        restoredWithRows++;
      }
    }
    assertTrue(restoredWithRows == kills, "every restart resumed from a checkpoint holding rows: " + context);
    for (int r = 0; r <= kills; r++) {
      for (String line : Files.readAllLines(dir.resolve("server-" + r + ".log"))) {
        if (line.contains("restored") || line.startsWith("SEVERE")) {
          System.out.println("server-" + r + ": " + (line.length() > 300 ? line.substring(0, 300) : line));
        }
      }
    }
    if (deadLetters > 0) {
      Map<String, Integer> reasons = new java.util.TreeMap<>();
      for (var d : KafkaTests.readAll(topic + "-dlq")) {
        var h = d.headers().lastHeader(KafkaIngestion.HEADER_MESSAGE);
        reasons.merge(h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8).replaceAll("\\d\\d\\.\\d\\d\\dZ", "##.###Z"), 1,
            Integer::sum);
      }
      System.out.println("dead letters by message: " + reasons);
      for (int r = 0; r <= kills; r++) {
        for (String line : Files.readAllLines(dir.resolve("server-" + r + ".log"))) {
          if (line.startsWith("WARNING") || line.startsWith("SEVERE") || line.contains("listening")
              || line.contains("restored")) {
            System.out.println("server-" + r + ": " + (line.length() > 300 ? line.substring(0, 300) : line));
          }
        }
      }
    }
    assertEquals(0, deadLetters, "no record was late or refused: " + context);
    KafkaTests.assertIds(TestHttp.mergeAll(dir.resolve("profiles")), inTopic, context);
  }
}
