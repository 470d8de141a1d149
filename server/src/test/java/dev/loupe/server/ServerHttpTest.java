package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.ProfileView;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private ServerConfig.Builder config() {
    return ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY).apiKey("second-key")
        .dataDir(dir.resolve("data")).fileSystemRoot(dir.resolve("profiles")).window(Duration.ofHours(1));
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void singleAndMultipleRowsAreTrackedFlattenedAndWrittenOnWriteProfiles() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().build())) {
      TestHttp http = new TestHttp(server.port());
      HttpResponse<String> r = http.post("/logs", "{\"datasetId\": \"model-1\", \"tags\": {\"env\": \"test\"},"
          + " \"single\": {\"age\": 42, \"name\": \"Ada\", \"address\": {\"city\": \"Wellington\", \"geo\": {\"lat\": -41.3}}}}");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(1, json(r).get("accepted").asInt());
      r = http.post("/logs", "{\"datasetId\": \"model-1\", \"multiple\": {\"columns\": [\"age\", \"name\", \"score\"],"
          + " \"index\": [0, 1, 2], \"data\": [[37, \"Bo\", 1.5], [null, \"Cy\", NaN], [12, null, [1, 2, 3]]]}}");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(3, json(r).get("accepted").asInt());

      JsonNode summary = json(http.get("/profiles/model-1"));
      JsonNode cols = summary.get("columns");
      // the open window's dataset timestamp is its start (an hour boundary here), as the written file's will be
      long datasetTs = summary.get("properties").get("dataset_timestamp").asLong();
      assertTrue(datasetTs > 0 && datasetTs % 3_600_000L == 0, summary.get("properties").toString());
      assertTrue(System.currentTimeMillis() - datasetTs < 3_600_000L + 60_000L);
      assertEquals(4, cols.get("age").get("counts/n").asLong());
      assertEquals(1, cols.get("age").get("counts/null").asLong());
      assertEquals(1, cols.get("address.city").get("counts/n").asLong());
      assertEquals(1, cols.get("address.geo.lat").get("counts/n").asLong());
      assertEquals(3, cols.get("score").get("counts/n").asLong());
      assertEquals(1, cols.get("score").get("types/tensor").asLong());

      r = http.post("/writeProfiles", new byte[0], TestHttp.KEY);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(1, json(r).get("windows").asInt());
      // the whylogs container's answer: how many profiles, and where
      assertEquals(1, json(r).get("profilesWritten").asInt(), r.body());
      Path landed = Path.of(json(r).get("profilePaths").get(0).asText());
      assertTrue(Files.exists(landed), landed.toString());
      assertEquals(datasetTs, ProfileView.read(landed).properties().datasetTimestamp().orElseThrow().toEpochMilli());
      ProfileView written = TestHttp.mergeAll(dir.resolve("profiles"));
      assertEquals(4, TestHttp.count(written, "age"));
      assertEquals(4, TestHttp.count(written, "name"));
      assertEquals(1, TestHttp.profileFiles(dir.resolve("profiles")).size());
      assertEquals(404, http.get("/profiles/model-1").statusCode(), "the window was written out");
    }
  }

  @Test
  void dataBeforeColumnsIsAccepted() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().build())) {
      TestHttp http = new TestHttp(server.port());
      HttpResponse<String> r = http.post("/logs", "{\"multiple\": {\"data\": [[1, \"a\"], [2, \"b\"]],"
          + " \"columns\": [\"x\", \"y\"]}, \"datasetId\": \"d\"}");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(2, json(http.get("/profiles/d")).get("columns").get("y").get("counts/n").asLong());
    }
  }

  @Test
  void wrongOrMissingKeyIs401AndTracksNothing() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().build())) {
      TestHttp http = new TestHttp(server.port());
      String body = "{\"datasetId\": \"secure\", \"single\": {\"a\": 1}}";
      HttpResponse<String> r = http.post("/logs", body.getBytes(StandardCharsets.UTF_8), null);
      assertEquals(401, r.statusCode());
      assertEquals("{\"error\":\"missing X-API-Key header\"}", r.body(), "the whole body, word for word");
      assertEquals(401, http.post("/logs", body.getBytes(StandardCharsets.UTF_8), "test-key-2").statusCode());
      assertEquals(401, http.post("/logs", body.getBytes(StandardCharsets.UTF_8), "").statusCode());
      assertEquals(401, http.post("/writeProfiles", new byte[0], "nope").statusCode());
      assertEquals(404, http.get("/profiles/secure").statusCode(), "nothing was tracked");
      assertEquals(200, http.post("/logs", body.getBytes(StandardCharsets.UTF_8), "second-key").statusCode());
      assertEquals(1, json(http.get("/profiles/secure")).get("columns").get("a").get("counts/n").asLong());
      String metrics = http.get("/metrics").body();
      assertTrue(metrics.contains("loupe_rejected_total{reason=\"auth\"} 4"), metrics);
    }
  }

  @Test
  void disabledAuthAcceptsRequestsWithoutAKey() throws Exception {
    ServerConfig c = ServerConfig.fromEnvironment(java.util.Map.of("DISABLE_AUTH", "true", "PORT", "0",
        "LOUPE_DATA_DIR", dir.resolve("data").toString()));
    assertEquals("127.0.0.1", c.host(), "unauthenticated servers bind loopback unless told otherwise");
    try (LoupeServer server = LoupeServer.start(c)) {
      TestHttp http = new TestHttp(server.port());
      HttpResponse<String> r = http.post("/logs", "{\"datasetId\": \"open\", \"single\": {\"a\": 1}}"
          .getBytes(StandardCharsets.UTF_8), null);
      assertEquals(200, r.statusCode(), r.body());
    }
  }

  @Test
  void malformedRequestsAre400WithAMessageAndTheServerKeepsServing() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().build())) {
      TestHttp http = new TestHttp(server.port());
      // each malformed body and the whole message it gets, word for word
      String notAllowed = "' is not allowed: use 1 to 128 of A-Z a-z 0-9 . _ - (it becomes part of file names and S3 keys)";
      String[][] cases = {
          {"{\"datasetId\": \"d\", \"single\": {\"a\": 1", "malformed JSON at line 1, column 37: Unexpected "
              + "end-of-input: expected close marker for Object (opened at line 1, column 30)"},
          {"not json at all", "malformed JSON at line 1, column 1: Unrecognized token 'not': was expecting (JSON "
              + "String, Number (or 'NaN'/'+INF'/'-INF'), Array, Object or token 'null', 'true' or 'false')"},
          {"[1, 2]", "the body must be a JSON object like {\"datasetId\": ..., \"single\": {...}} or {\"datasetId\": "
              + "..., \"multiple\": {\"columns\": [...], \"data\": [[...]]}} (line 1, column 2)"},
          {"{\"single\": {\"a\": 1}}", "missing \"datasetId\" (a string naming the dataset)"},
          {"{\"datasetId\": \"d\"}", "missing rows: give \"single\": {column: value, ...} or \"multiple\": "
              + "{\"columns\": [...], \"data\": [[...], ...]}"},
          {"{\"datasetId\": 7, \"single\": {}}", "\"datasetId\" must be a string, found a number (line 1, column 16)"},
          {"{\"datasetId\": \"d\", \"timestamp\": \"yesterday\", \"single\": {\"a\": 1}}",
              "\"timestamp\" must be epoch milliseconds (a whole number), found a string (line 1, column 34)"},
          {"{\"datasetId\": \"d\", \"single\": [1, 2]}",
              "\"single\" must be an object of column: value, found an array (line 1, column 31)"},
          {"{\"datasetId\": \"d\", \"single\": {\"a\": 1}, \"multiple\": {\"columns\": [], \"data\": []}}",
              "give exactly one of \"single\" and \"multiple\" (line 1, column 53)"},
          {"{\"datasetId\": \"d\", \"multiple\": {\"columns\": [\"a\", \"b\"], \"data\": [[1, 2], [3]]}}",
              "row 1 of \"multiple.data\" has 1 value(s) but there are 2 columns [a, b] (line 1, column 76)"},
          {"{\"datasetId\": \"d\", \"multiple\": {\"columns\": [\"a\"], \"data\": [[1, 2]]}}",
              "row 0 of \"multiple.data\" has more values than the 1 columns [a] (line 1, column 65)"},
          {"{\"datasetId\": \"d\", \"multiple\": {\"data\": [[1]]}}",
              "\"multiple\" needs \"columns\": an array of column names (line 1, column 47)"},
          {"{\"datasetId\": \"d\", \"multiple\": {\"columns\": [\"a\"], \"data\": [5]}}",
              "row 0 of \"multiple.data\" must be an array of 1 values, found a number (line 1, column 61)"},
          {"{\"datasetId\": \"../etc\", \"single\": {\"a\": 1}}", "datasetId '../etc" + notAllowed},
          {"{\"datasetId\": \"..\", \"single\": {\"a\": 1}}", "datasetId '.." + notAllowed},
          {"{\"datasetId\": \"a/b\", \"single\": {\"a\": 1}}", "datasetId 'a/b" + notAllowed},
          {"{\"datasetId\": \"d\", \"timestamp\": 1000, \"single\": {\"a\": 1}}", "dataset 'd': timestamp 1000 "
              + "(1970-01-01T00:00:01Z) belongs to the window ending 1970-01-01T01:00:00Z, which has already been "
              + "written (allowed lateness PT0S); omit \"timestamp\" to log into the current window, or raise "
              + "LOUPE_LATENESS"},
      };
      for (String[] c : cases) {
        HttpResponse<String> r = http.post("/logs", c[0]);
        assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
        assertEquals(c[1], json(r).get("error").asText(), c[0]);
      }
      // the server's clock is part of this one
      HttpResponse<String> future = http.post("/logs", "{\"datasetId\": \"d\", \"timestamp\": 99999999999999, "
          + "\"single\": {\"a\": 1}}");
      assertEquals(400, future.statusCode(), future.body());
      String msg = json(future).get("error").asText();
      assertTrue(msg.matches(java.util.regex.Pattern.quote("dataset 'd': timestamp 99999999999999 "
          + "(5138-11-16T09:46:39.999Z) is more than PT1H in the future (server time ") + "[0-9T:.Z-]+"
          + java.util.regex.Pattern.quote("); raise LOUPE_MAX_FUTURE if that is intended")), msg);
      assertEquals(404, http.get("/profiles/d").statusCode(), "no bad request tracked anything");
      HttpResponse<String> ok = http.post("/logs", "{\"datasetId\": \"d\", \"single\": {\"a\": 1}}");
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals(400, http.post("/logs/arrow?datasetId=d", "garbage".getBytes(StandardCharsets.UTF_8), TestHttp.KEY)
          .statusCode());
      assertEquals(400, http.post("/logs/arrow", ArrowStreams.stream(1, 3), TestHttp.KEY).statusCode());
      assertEquals(400, http.get("/profiles/bad%20id").statusCode());
      assertEquals(1, json(http.get("/profiles/d")).get("columns").get("a").get("counts/n").asLong());
    }
  }

  @Test
  void bodiesOverTheLimitAre413() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().maxBodyBytes(1024).build())) {
      TestHttp http = new TestHttp(server.port());
      StringBuilder big = new StringBuilder("{\"datasetId\": \"d\", \"single\": {\"s\": \"");
      big.append("x".repeat(2000)).append("\"}}");
      HttpResponse<String> r = http.post("/logs", big.toString());
      assertEquals(413, r.statusCode(), r.body());
      assertEquals("request body of 2039 bytes is over the limit of 1024 bytes (LOUPE_MAX_BODY_BYTES); split it into "
          + "smaller requests", json(r).get("error").asText());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"d\", \"single\": {\"s\": \"small\"}}").statusCode());
    }
  }

  @Test
  void newDatasetsBeyondTheCapAre429() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().maxDatasets(2).build())) {
      TestHttp http = new TestHttp(server.port());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"a\", \"single\": {\"x\": 1}}").statusCode());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"b\", \"single\": {\"x\": 1}}").statusCode());
      HttpResponse<String> r = http.post("/logs", "{\"datasetId\": \"c\", \"single\": {\"x\": 1}}");
      assertEquals(429, r.statusCode(), r.body());
      assertEquals("dataset 'c' is new, and 2 datasets already have open windows (LOUPE_MAX_DATASETS); new datasets "
          + "are accepted again when windows rotate out, or raise the limit", json(r).get("error").asText());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"a\", \"single\": {\"x\": 2}}").statusCode());
      assertEquals(200, http.post("/writeProfiles", new byte[0], TestHttp.KEY).statusCode());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"c\", \"single\": {\"x\": 1}}").statusCode(),
          "rotated-out datasets free their places");
    }
  }

  @Test
  void arrowStreamsAreTracked() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().build())) {
      TestHttp http = new TestHttp(server.port());
      HttpResponse<String> r = http.post("/logs/arrow?datasetId=arrow-ds", ArrowStreams.stream(3, 1000), TestHttp.KEY);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(3000, json(r).get("accepted").asLong());
      JsonNode cols = json(http.get("/profiles/arrow-ds")).get("columns");
      assertEquals(3000, cols.get("id").get("counts/n").asLong());
      assertEquals(3000, cols.get("city").get("types/string").asLong());
      assertEquals(3000, cols.get("score").get("types/fractional").asLong());
      String metrics = http.get("/metrics").body();
      assertTrue(metrics.contains("loupe_rows_total{format=\"arrow\"} 3000"), metrics);
      assertTrue(metrics.contains("loupe_journal_bytes "), metrics);
      assertTrue(metrics.contains("loupe_journal_spare_segments 0"), metrics); // nothing retired yet
      assertEquals(200, http.get("/health").statusCode());
    }
  }

  @Test
  void openWindowsSurviveARestart() throws Exception {
    ServerConfig c = config().build();
    try (LoupeServer server = LoupeServer.start(c)) {
      TestHttp http = new TestHttp(server.port());
      for (int i = 0; i < 5; i++) {
        assertEquals(200, http.post("/logs", "{\"datasetId\": \"r\", \"single\": {\"i\": " + i + "}}").statusCode());
      }
    }
    assertEquals(0, TestHttp.profileFiles(dir.resolve("profiles")).size(), "a clean stop keeps windows open");
    try (LoupeServer server = LoupeServer.start(c)) {
      TestHttp http = new TestHttp(server.port());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"r\", \"single\": {\"i\": 5}}").statusCode());
      assertEquals(6, json(http.get("/profiles/r")).get("columns").get("i").get("counts/n").asLong());
      assertEquals(200, http.post("/writeProfiles", new byte[0], TestHttp.KEY).statusCode());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"r\", \"single\": {\"i\": 6}}").statusCode());
    }
    try (LoupeServer server = LoupeServer.start(c)) {
      TestHttp http = new TestHttp(server.port());
      assertEquals(200, http.post("/writeProfiles", new byte[0], TestHttp.KEY).statusCode());
    }
    assertEquals(2, TestHttp.profileFiles(dir.resolve("profiles")).size(), "part 0 and part 1, never replaced");
    assertEquals(7, TestHttp.count(TestHttp.mergeAll(dir.resolve("profiles")), "i"));
  }

  @Test
  void changedWindowSettingsWriteTheRestoredWindowsUnderTheOldOnesWithTheirNextPart() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().build())) {
      TestHttp http = new TestHttp(server.port());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"w\", \"single\": {\"i\": 0}}").statusCode());
      assertEquals(200, http.post("/writeProfiles", new byte[0], TestHttp.KEY).statusCode()); // part 0
      for (int i = 1; i < 5; i++) {
        assertEquals(200, http.post("/logs", "{\"datasetId\": \"w\", \"single\": {\"i\": " + i + "}}").statusCode());
      }
    }
    assertEquals(1, TestHttp.profileFiles(dir.resolve("profiles")).size());
    // restart with one-minute windows: the restored hourly window goes out at start-up, as its part 1
    try (LoupeServer server = LoupeServer.start(config().window(Duration.ofMinutes(1)).build())) {
      List<Path> files = TestHttp.profileFiles(dir.resolve("profiles"));
      assertEquals(2, files.size(), files.toString());
      assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().contains("-p1")), files.toString());
      for (Path f : files) {
        long ts = ProfileView.read(f).properties().datasetTimestamp().orElseThrow().toEpochMilli();
        assertEquals(0, ts % 3_600_000L, "written under the old, hourly windows: " + f);
      }
      assertEquals(5, TestHttp.count(TestHttp.mergeAll(dir.resolve("profiles")), "i"));
      TestHttp http = new TestHttp(server.port());
      assertEquals(200, http.post("/logs", "{\"datasetId\": \"w\", \"single\": {\"i\": 5}}").statusCode());
      assertEquals(1, json(http.get("/profiles/w")).get("columns").get("i").get("counts/n").asLong(),
          "the new window holds only the new row");
      assertEquals(200, http.post("/writeProfiles", new byte[0], TestHttp.KEY).statusCode());
    }
    assertEquals(3, TestHttp.profileFiles(dir.resolve("profiles")).size());
    assertEquals(6, TestHttp.count(TestHttp.mergeAll(dir.resolve("profiles")), "i"));
  }

  /**
   * A request refused while it holds one of the per-core turns at parsing and tracking gives it back: with
   * more refusals than turns, a turn kept by each would leave the next good request waiting for ever.
   */
  @Test
  void refusedRequestsGiveBackTheirTurnAtTheCpu() throws Exception {
    try (LoupeServer server = LoupeServer.start(config().build())) {
      TestHttp http = new TestHttp(server.port());
      int turns = Runtime.getRuntime().availableProcessors();
      for (int i = 0; i < 2 * turns + 1; i++) {
        assertEquals(400, http.post("/logs", "{\"datasetId\": \"d\", \"single\": {\"a\": ").statusCode());
        assertEquals(400, http.post("/logs", "{\"datasetId\": \"bad id/../x\", \"single\": {\"a\": 1}}")
            .statusCode());
        assertEquals(400, http.post("/logs/arrow?datasetId=d", "garbage".getBytes(StandardCharsets.UTF_8),
            TestHttp.KEY).statusCode());
      }
      HttpResponse<String> ok = http.post("/logs", "{\"datasetId\": \"d\", \"single\": {\"a\": 1}}");
      assertEquals(200, ok.statusCode(), ok.body());
      ok = http.post("/logs/arrow?datasetId=d", ArrowStreams.stream(3, 10), TestHttp.KEY);
      assertEquals(200, ok.statusCode(), ok.body());
      assertTrue(http.get("/metrics").body().contains("\nloupe_requests_waiting_for_cpu 0\n"));
    }
  }
}
