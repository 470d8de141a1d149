package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.logging.LocalDirectoryWriter;
import dev.loupe.core.logging.WindowInfo;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /datasets/{id}/monitor over the windows in the server's file-system root, on a real HTTP server. */
class MonitorEndpointTest {
  @TempDir
  Path dir;

  @Test
  void theMonitorRunsOverTheWrittenWindowsAndSaysWhatWentWrong() throws Exception {
    Path root = dir.resolve("profiles");
    // the layout the server writes: the default key template under the file-system root
    LocalDirectoryWriter w = new LocalDirectoryWriter(root, dev.loupe.core.logging.KeyTemplate.of(
        dev.loupe.core.logging.KeyTemplate.DEFAULT), "srv");
    Instant start = Instant.parse("2026-03-01T00:00:00Z");
    Random r = new Random(1);
    for (int i = 0; i < 10; i++) {
      DatasetProfile p = new DatasetProfile();
      Map<String, Object> row = new HashMap<>();
      for (int k = 0; k < 400; k++) {
        row.put("score", r.nextGaussian());
        row.put("label", i == 8 && k % 2 == 0 ? null : "x" + r.nextInt(3));
        p.track(row);
      }
      w.write(p.view(), WindowInfo.of("model-1", start.plus(Duration.ofHours(i)), Duration.ofHours(1)));
    }
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY)
        .dataDir(dir.resolve("data")).fileSystemRoot(root).window(Duration.ofHours(1)).build();
    try (LoupeServer server = LoupeServer.start(config)) {
      TestHttp http = new TestHttp(server.port());
      HttpResponse<String> resp = http.get("/datasets/model-1/monitor?trailing=4");
      assertEquals(200, resp.statusCode(), resp.body());
      JsonNode json = new ObjectMapper().readTree(resp.body());
      assertEquals(10, json.get("windows").asInt());
      assertEquals(1, json.get("alertCount").asInt(), resp.body());
      JsonNode a = json.get("alerts").get(0);
      assertEquals("nulls", a.get("check").asText());
      assertEquals("label", a.get("column").asText());
      assertEquals("2026-03-01T08:00:00Z", a.get("window").asText());
      assertEquals(0.5, a.get("observed").asDouble(), 1e-12);

      JsonNode before = new ObjectMapper().readTree(
          http.get("/datasets/model-1/monitor?until=2026-03-01T08:00:00Z").body());
      assertEquals(8, before.get("windows").asInt());
      assertEquals(0, before.get("alertCount").asInt());

      HttpResponse<String> unknown = http.get("/datasets/model-2/monitor");
      assertEquals(404, unknown.statusCode());
      assertEquals(dir.resolve("profiles") + " holds no windows of dataset 'model-2'; it holds [model-1]",
          new ObjectMapper().readTree(unknown.body()).get("error").asText());
      HttpResponse<String> bad = http.get("/datasets/model-1/monitor?trailing=zero");
      assertEquals(400, bad.statusCode());
      assertEquals("{\"error\":\"trailing must be a whole number of windows, at least 1; got 'zero'\"}", bad.body());
      HttpResponse<String> badTime = http.get("/datasets/model-1/monitor?since=yesterday");
      assertEquals(400, badTime.statusCode());
      assertEquals("{\"error\":\"since: 'yesterday' is not a time; expected 2026-01-31 or 2026-01-31T06:00:00Z\"}",
          badTime.body());
    }
  }
}
