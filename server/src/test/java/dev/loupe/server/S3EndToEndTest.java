package dev.loupe.server;

import dev.loupe.s3.S3TestServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ProfileView;
import dev.loupe.s3.S3Profiles;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/** The server uploading windows to a real S3-compatible store (s3proxy) on 127.0.0.1. */
class S3EndToEndTest {
  static S3TestServer s3;
  static S3Client client;

  @TempDir
  Path dir;

  @BeforeAll
  static void startStore() throws Exception {
    s3 = new S3TestServer();
    client = s3.client();
  }

  @AfterAll
  static void stopStore() throws Exception {
    client.close();
    s3.close();
  }

  private static String bucket(String name) {
    client.createBucket(CreateBucketRequest.builder().bucket(name).build());
    return name;
  }

  private ServerConfig.Builder config(String bucket) {
    return ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY).dataDir(dir.resolve("data"))
        .destination(ServerConfig.Destination.S3).s3Bucket(bucket).s3Prefix("profiles");
  }

  /** Waits (bounded) until the profiles under the prefix count {@code expected} values in {@code column}. */
  private static ProfileView awaitCount(String bucket, String prefix, String column, long expected) throws Exception {
    S3Profiles store = new S3Profiles(client);
    ProfileView v = ProfileView.empty();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      v = store.mergeAll(bucket, prefix);
      if (TestHttp.count(v, column) >= expected) {
        return v;
      }
      Thread.sleep(100);
    }
    return v;
  }

  @Test
  void writeProfilesUploadsTheWindowWithItsRows() throws Exception {
    String bucket = bucket("e2e-flush");
    try (LoupeServer server = LoupeServer.start(config(bucket).build(), client)) {
      TestHttp http = new TestHttp(server.port());
      StringBuilder data = new StringBuilder();
      for (int i = 0; i < 250; i++) {
        data.append(i == 0 ? "" : ",").append("[").append(i).append(", \"c").append(i % 7).append("\", ")
            .append(i * 0.25).append("]");
      }
      for (int r = 0; r < 4; r++) {
        HttpResponse<String> resp = http.post("/logs", "{\"datasetId\": \"checkout\", \"multiple\": {\"columns\":"
            + " [\"id\", \"country\", \"amount\"], \"data\": [" + data + "]}}");
        assertEquals(200, resp.statusCode(), resp.body());
      }
      assertEquals(200, http.post("/logs/arrow?datasetId=checkout", ArrowStreams.stream(2, 500), TestHttp.KEY)
          .statusCode());
      assertEquals(200, http.post("/writeProfiles", new byte[0], TestHttp.KEY).statusCode());
      ProfileView v = awaitCount(bucket, "profiles/checkout/", "id", 2000);
      assertEquals(2000, TestHttp.count(v, "id"), "1000 JSON rows and 1000 Arrow rows");
      assertEquals(1000, TestHttp.count(v, "country"));
      assertEquals(1000, TestHttp.count(v, "city"));
      assertEquals(7, Math.round(v.column("country").orElseThrow().cardinality().orElseThrow().estimate()));
      List<String> keys = new S3Profiles(client).list(bucket, "profiles/checkout/");
      assertEquals(1, keys.size(), keys.toString());
      String metrics = http.get("/metrics").body();
      assertTrue(metrics.contains("loupe_uploads_total 1"), metrics);
      assertTrue(metrics.contains("loupe_rotations_total 1"), metrics);
    }
  }

  @Test
  void windowsRotateByThemselvesAndEveryRowLandsOnce() throws Exception {
    String bucket = bucket("e2e-rotate");
    long posted = 0;
    try (LoupeServer server = LoupeServer.start(config(bucket).window(Duration.ofSeconds(1)).build(), client)) {
      TestHttp http = new TestHttp(server.port());
      long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
      int i = 0;
      while (System.nanoTime() < end && i < 2000) {
        HttpResponse<String> r = http.post("/logs", "{\"datasetId\": \"ticks\", \"single\": {\"i\": " + i++ + "}}");
        assertEquals(200, r.statusCode(), r.body());
        posted++;
        Thread.sleep(5);
      }
      // no flush request: each second's window rotates out on its own once it ends
      ProfileView v = awaitCount(bucket, "profiles/ticks/", "i", posted);
      assertEquals(posted, TestHttp.count(v, "i"));
      assertTrue(http.get("/metrics").body().contains("loupe_rotations_total"));
    }
    assertTrue(new S3Profiles(client).list(bucket, "profiles/ticks/").size() >= 2, "several windows");
  }
}
