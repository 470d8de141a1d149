package dev.loupe.cli;

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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loupe serve} starts the server the way {@code ServerMain} does (one launcher): settings from
 * flags over the environment, the generated API key made at start and announced, the address printed,
 * requests served on 127.0.0.1, and a clean stop on SIGTERM (a checkpoint left in the data directory).
 */
class ServeCommandTest {
  private static final Pattern LISTENING = Pattern.compile("loupe serve: listening on 127\\.0\\.0\\.1:(\\d+)");

  @Test
  void serveStartsTheServerWithAGeneratedKeyAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Path out = dir.resolve("out.txt");
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx512m", "-cp", cp,
        "dev.loupe.cli.Main", "serve", "--port", "0", "--host=127.0.0.1", "--data-dir", data.toString());
    pb.environment().remove("CONTAINER_API_KEY");
    pb.environment().remove("DISABLE_AUTH");
    pb.environment().put("LOUPE_WINDOW", "1h"); // the environment is read too; flags win where both are given
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    Process p = pb.start();
    try {
      int port = awaitPort(p, out);
      String printed = Files.readString(out, StandardCharsets.UTF_8);
      assertTrue(printed.contains("loupe serve: no CONTAINER_API_KEY set; send the key kept in "
          + data.resolve("api-key") + " as the X-API-Key header (or set DISABLE_AUTH=true)"), printed);
      String key = Files.readString(data.resolve("api-key")).trim();
      assertTrue(key.matches("[0-9a-f]{48}"), key);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String row = "{\"datasetId\": \"d\", \"single\": {\"a\": 1}}";
      assertEquals(200, http.send(post(port, row).header("X-API-Key", key).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(401, http.send(post(port, row).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      p.destroy(); // SIGTERM: the shutdown hook closes the server
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        fail("loupe serve did not stop within 60 s:\n" + Files.readString(out));
      }
      assertTrue(Files.exists(data.resolve("checkpoint.bin")), "a last checkpoint at the stop");
      assertTrue(Files.readString(data.resolve("instance-id")).trim().matches("[0-9a-f]{8}"));
    } finally {
      p.destroyForcibly();
    }
  }

  private static HttpRequest.Builder post(int port, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/logs")).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static int awaitPort(Process p, Path out) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
      Matcher m = LISTENING.matcher(text);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!p.isAlive()) {
        fail("loupe serve exited with " + p.exitValue() + ":\n" + text);
      }
      Thread.sleep(20);
    }
    fail("loupe serve did not start within 60 s:\n" + Files.readString(out));
    return -1;
  }
}
