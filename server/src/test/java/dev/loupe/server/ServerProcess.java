package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server as a separate JVM (heap capped at 1 GiB, as in the probe that found the faults) on
 * 127.0.0.1, with a local-directory destination: started, killed with SIGKILL, stopped with
 * SIGTERM, restarted on the same data directory.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

  final Path dir;
  final Map<String, String> env = new HashMap<>();
  private Process process;
  private Path log;
  private int starts;
  TestHttp http;

  ServerProcess(Path dir) {
    this.dir = dir;
    env.put("PORT", "0");
    env.put("LOUPE_HOST", "127.0.0.1");
    env.put("CONTAINER_API_KEY", TestHttp.KEY);
    env.put("UPLOAD_DESTINATION", "DEBUG_FILE_SYSTEM");
    env.put("LOUPE_DATA_DIR", dataDir().toString());
    env.put("FILE_SYSTEM_WRITER_ROOT", profiles().toString());
  }

  Path dataDir() {
    return dir.resolve("data");
  }

  Path profiles() {
    return dir.resolve("profiles");
  }

  Path journalDir() {
    return dataDir().resolve("journal");
  }

  ServerProcess start() throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, System.getProperty("loupe.jvm.opens",
        "--add-opens=java.base/java.nio=ALL-UNNAMED"), "-Xmx1g", "-XX:+ExitOnOutOfMemoryError", "-cp", cp,
        "dev.loupe.server.ServerMain");
    pb.environment().putAll(env);
    log = dir.resolve("server-" + (starts++) + ".log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    process = pb.start();
    int port = awaitPort();
    http = new TestHttp(port);
    return this;
  }

  private int awaitPort() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String out = log();
      Matcher m = LISTENING.matcher(out);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!process.isAlive()) {
        fail("server exited with " + process.exitValue() + ":\n" + out);
      }
      Thread.sleep(20);
    }
    process.destroyForcibly();
    fail("server did not start within 60 s:\n" + log());
    return -1;
  }

  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  boolean alive() {
    return process.isAlive();
  }

  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  void stop() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("server did not stop within 60 s:\n" + log());
    }
  }

  /** A counter or gauge from GET /metrics (0 when absent). */
  long metric(String name) {
    HttpResponse<String> r = http.get("/metrics");
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)$").matcher(r.body());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Rows written to the destination so far, counted on column {@code column}. */
  long written(String column) throws IOException {
    return TestHttp.count(TestHttp.mergeAll(profiles()), column);
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
