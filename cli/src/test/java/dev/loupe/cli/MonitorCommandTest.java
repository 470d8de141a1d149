package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.ProfileView;
import dev.loupe.s3.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/** loupe profile --time-column and loupe monitor, on real files and a real S3-compatible server. */
class MonitorCommandTest {
  static final Instant START = Instant.parse("2026-02-01T00:00:00Z");
  static final int HOURS = 96;
  static final int ROWS = 60;
  static final int SPIKE = 50;

  @TempDir
  static Path dir;
  static Path csv;
  static S3TestServer s3;

  @BeforeAll
  static void data() throws Exception {
    csv = dir.resolve("sales.csv");
    Random r = new Random(16);
    StringBuilder sb = new StringBuilder("ts,amount,city,qty\n");
    String[] cities = {"Oslo", "Lima", "Pune"};
    // rows a little out of order inside each hour, and hour 20 written before hour 19
    for (int i = 0; i < HOURS; i++) {
      int h = i == 19 ? 20 : i == 20 ? 19 : i;
      for (int k = 0; k < ROWS; k++) {
        Instant t = START.plus(Duration.ofHours(h)).plusSeconds(r.nextInt(3600));
        boolean nul = h == SPIKE ? k % 2 == 0 : r.nextDouble() < 0.01;
        String amount = nul ? "" : String.format(java.util.Locale.ROOT, "%.2f", 50 + 10 * r.nextGaussian());
        String qty = h == 70 && k == 3 ? "n/a" : Integer.toString(r.nextInt(5));
        sb.append(k % 3 == 0 ? t.toString().replace("T", " ").replace("Z", "") : t).append(',').append(amount)
            .append(',').append(cities[r.nextInt(3)]).append(',').append(qty).append('\n');
      }
    }
    Files.writeString(csv, sb);
    s3 = new S3TestServer();
    System.setProperty("aws.region", "us-east-1");
    System.setProperty("aws.accessKeyId", S3TestServer.ACCESS);
    System.setProperty("aws.secretAccessKey", S3TestServer.SECRET);
    try (S3Client c = s3.client()) {
      c.createBucket(CreateBucketRequest.builder().bucket("history").build());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  @Test
  void profileByTimeColumnWritesOneExactProfilePerWindowAndMonitorFindsTheNullSpike() throws Exception {
    Path out = dir.resolve("windows");
    CliRun p = CliRun.run("profile", csv.toString(), "--time-column", "ts", "--window", "1h", "-o", out.toString(),
        "--quiet", "--json");
    assertEquals(0, p.code(), p.err());
    List<Path> files;
    try (Stream<Path> s = Files.walk(out)) {
      files = s.filter(f -> f.toString().endsWith(".bin")).sorted().toList();
    }
    assertEquals(HOURS, files.size());
    assertTrue(files.get(0).toString().endsWith("sales/2026/02/01/sales-20260201T000000Z-profile.bin"), files.get(0)
        .toString());
    for (int h : new int[] {0, 19, 20, SPIKE, 70}) {
      ProfileView v = ProfileView.read(files.get(h));
      assertEquals(START.plus(Duration.ofHours(h)), v.properties().datasetTimestamp().orElseThrow());
      assertEquals(ROWS, v.column("ts").orElseThrow().counts().n(), "rows of hour " + h);
      assertEquals(ROWS, v.column("qty").orElseThrow().counts().n(), "rows of hour " + h);
    }
    ProfileView spike = ProfileView.read(files.get(SPIKE));
    assertEquals(ROWS / 2, spike.column("amount").orElseThrow().counts().nulls());
    // the cell that did not fit its integer column is one string in its own window
    assertEquals(1, ProfileView.read(files.get(70)).column("qty").orElseThrow().types().string());
    assertEquals(0, ProfileView.read(files.get(69)).column("qty").orElseThrow().types().string());
    // a second run into the same directory is refused instead of writing late parts
    CliRun again = CliRun.run("profile", csv.toString(), "--time-column", "ts", "-o", out.toString(), "--quiet");
    again.assertError(1, out.resolve("sales/2026/02/01/sales-20260201T000000Z-profile.bin") + ": already holds this "
        + "window's profile; write the windows to an empty directory");

    Path page = dir.resolve("monitor.html");
    CliRun m = CliRun.run("monitor", out.toString(), "-o", page.toString(), "--quiet");
    assertEquals(3, m.code(), m.out() + m.err());
    assertTrue(m.out().contains("dataset sales: 96 window(s) of PT1H"), m.out());
    assertTrue(m.out().contains("2026-02-03T02:00:00Z") && m.out().contains("nulls") && m.out().contains("amount"),
        m.out());
    String html = Files.readString(page);
    assertTrue(html.contains("<svg") && html.contains("class=\"alert\"") && !html.contains("<script"));

    CliRun j = CliRun.run("monitor", out.toString(), "--json", "--quiet");
    assertEquals(3, j.code());
    JsonNode json = new ObjectMapper().readTree(j.out());
    assertEquals(HOURS, json.get("windows").asInt());
    JsonNode alerts = json.get("alerts");
    assertEquals(1, alerts.size(), j.out());
    JsonNode a = alerts.get(0);
    assertEquals("nulls", a.get("check").asText());
    assertEquals("amount", a.get("column").asText());
    assertEquals("2026-02-03T02:00:00Z", a.get("window").asText());
    assertEquals(0.5, a.get("observed").asDouble(), 1e-12);
    assertTrue(a.get("pValue").asDouble() < 1e-4);

    // the windows before the spike are clean: exit 0
    CliRun clean = CliRun.run("monitor", out.toString(), "--until", "2026-02-03T02:00:00Z", "--quiet");
    assertEquals(0, clean.code(), clean.out());
    assertTrue(clean.out().contains("no alerts"), clean.out());
  }

  @Test
  void monitorReadsAHistoryFromS3() throws Exception {
    String endpoint = s3.endpoint().toString();
    CliRun p = CliRun.run("profile", csv.toString(), "--time-column", "ts", "--window", "1d", "-o",
        "s3://history/team/", "--s3-endpoint", endpoint, "--quiet", "--dataset", "shop");
    assertEquals(0, p.code(), p.err());
    CliRun m = CliRun.run("monitor", "s3://history/team", "--s3-endpoint", endpoint, "--json", "--quiet",
        "--baseline", "trailing:2");
    assertEquals(0, m.code(), m.out() + m.err());
    JsonNode json = new ObjectMapper().readTree(m.out());
    assertEquals(4, json.get("windows").asInt());
    assertEquals("PT24H", json.get("window").asText());
  }

  @Test
  void badInputIsAClearError() throws Exception {
    CliRun noDir = CliRun.run("monitor", dir.resolve("nothing").toString());
    noDir.assertError(1, dir.resolve("nothing") + ": no such directory");
    CliRun badBaseline = CliRun.run("monitor", dir.toString(), "--baseline", "last:3");
    badBaseline.assertError(2, "--baseline must be trailing:N (e.g. trailing:24), got 'last:3'; for a fixed profile "
        + "use --reference FILE (see 'loupe monitor --help')");
    CliRun noCol = CliRun.run("profile", csv.toString(), "--time-column", "when", "-o",
        dir.resolve("x").toString(), "--quiet");
    noCol.assertError(1, csv + " has no column 'when' for --time-column; its columns are [ts, amount, city, qty]");
    CliRun noOut = CliRun.run("profile", csv.toString(), "--time-column", "ts");
    assertEquals(2, noOut.code());
    CliRun badWindow = CliRun.run("profile", csv.toString(), "--time-column", "ts", "--window", "soon", "-o", "x");
    badWindow.assertError(2, "Invalid value for option '--window': 'soon' is not a window length; expected 15m, 1h, "
        + "1d or PT1H (see 'loupe profile --help')");
    Path bad = dir.resolve("badtime.csv");
    Files.writeString(bad, "ts,x\n2026-01-01,1\nyesterday,2\n");
    CliRun badTime = CliRun.run("profile", bad.toString(), "--time-column", "ts", "-o", dir.resolve("y").toString());
    badTime.assertError(1, bad + ", data row 2: time 'yesterday' is not a time; expected 2026-01-31, "
        + "2026-01-31T06:00:00Z, 2026-01-31 06:00:00 or epoch seconds or milliseconds");
    assertFalse(Files.exists(dir.resolve("y")), "nothing written when the input is bad");
  }
}
