package dev.loupe.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker for tests and the Kafka harness: one node in KRaft mode (broker and
 * controller in one process), listening on 127.0.0.1 only, run from the Maven Central artifacts
 * ({@code org.apache.kafka:kafka_2.13}) on the test class path as a separate JVM: its storage is
 * formatted with {@code kafka.tools.StorageTool}, then {@code kafka.Kafka} runs it. Close stops the
 * process and deletes nothing (the directory is the caller's, usually a {@code @TempDir}).
 *
 * <pre>{@code
 * try (KafkaTestBroker kafka = KafkaTestBroker.start(dir)) {
 *   kafka.createTopic("rows", 4);
 *   ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 */
public final class KafkaTestBroker implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private KafkaTestBroker(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Formats {@code dir}/kraft and starts the broker; returns once it answers an admin request. */
  public static KafkaTestBroker start(Path dir) throws IOException {
    Files.createDirectories(dir);
    int port = freePort();
    int controllerPort = freePort();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dir.resolve("kraft").toAbsolutePath().toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "true");
    // accept any record timestamp (the default refuses more than 1 h ahead), so tests reach Loupe's own check
    p.put("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE));
    p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE)); // the page cache is durable enough here
    Path config = dir.resolve("server.properties");
    try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      p.store(out, "KafkaTestBroker");
    }
    Path log = dir.resolve("broker.log");
    Process format = java("kafka.tools.StorageTool", List.of("format", "-t", Uuid.randomUuid().toString(), "-c",
        config.toString(), "--ignore-formatted"), dir.resolve("format.log")).start();
    try {
      if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IOException("formatting the Kafka storage failed:\n" + Files.readString(dir.resolve("format.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    Process broker = java(KafkaTestBroker.class.getName(), List.of(config.toString()), log).start();
    KafkaTestBroker b = new KafkaTestBroker(broker, port, log);
    try {
      b.awaitReady(Duration.ofSeconds(120));
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  /**
   * The broker process: {@code kafka.Kafka} with a guard that stops it when its parent (the test
   * JVM) goes away, whatever way it went: the parent holds the other end of stdin.
   */
  public static void main(String[] args) throws Exception {
    Thread guard = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // nothing is sent; EOF means the parent is gone
        }
      } catch (IOException e) {
        // the same
      }
      Runtime.getRuntime().halt(3);
    }, "parent-guard");
    guard.setDaemon(true);
    guard.start();
    kafka.Kafka.main(args);
  }

  private static ProcessBuilder java(String main, List<String> args, Path log) {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dlog4j2.level=WARN", "-cp", cp, main));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the Kafka broker exited with " + process.exitValue() + ":\n" + tail());
      }
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        last = new IOException(e.toString(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    close();
    throw new IOException("the Kafka broker did not start within " + timeout + " (" + last + "):\n" + tail());
  }

  private String tail() {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"));
  }

  /** Creates a topic with {@code partitions} partitions (replication 1) and waits for it. */
  public void createTopic(String name, int partitions) throws IOException {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("creating topic " + name + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 20 s). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
