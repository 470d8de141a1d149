package dev.loupe.cli;

import dev.loupe.s3.S3TestServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/** The profile (all formats, several files, threads), merge and show commands, locally and against S3. */
class CommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static S3TestServer s3;

  @TempDir
  Path dir;



  private static JsonNode json(CliRun r) throws IOException {
    assertEquals(0, r.code(), r.err());
    return JSON.readTree(r.out());
  }

  private static long count(JsonNode summary, String column) {
    return summary.path("columns").path(column).path("counts/n").asLong(-1);
  }

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new S3TestServer();
    // the CLI takes credentials from the default chain; system properties are part of it
    System.setProperty("aws.accessKeyId", S3TestServer.ACCESS);
    System.setProperty("aws.secretAccessKey", S3TestServer.SECRET);
    try (S3Client c = s3.client()) {
      c.createBucket(CreateBucketRequest.builder().bucket("profiles").build());
    }
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private Path csv(String name, int rows) throws IOException {
    StringBuilder b = new StringBuilder("id,city,score\n");
    for (int i = 0; i < rows; i++) {
      b.append(i).append(',').append(i % 3 == 0 ? "Oslo" : "Lagos").append(',').append(i * 0.5).append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, b, StandardCharsets.UTF_8);
    return p;
  }

  private Path parquet(String name, int rows) throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType(
        "message m { required int64 id; optional binary city (STRING); optional double score; }");
    Path p = dir.resolve(name);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(p)).withType(schema)
        .withConf(new PlainParquetConfiguration()).withRowGroupSize(4096L).withPageSize(512).build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (int i = 0; i < rows; i++) {
        w.write(f.newGroup().append("id", (long) i).append("city", i % 3 == 0 ? "Oslo" : "Lagos")
            .append("score", i * 0.5));
      }
    }
    return p;
  }

  @Test
  void profileReadsEveryFormatAndSeveralFilesMakeOneProfile() throws IOException {
    Path a = csv("a.csv", 300);
    Path b = parquet("b.parquet", 500);
    Path c = dir.resolve("c.jsonl");
    Files.writeString(c, "{\"id\": 1, \"city\": \"Oslo\", \"score\": 2.5, \"extra\": {\"x\": true}}\n");
    JsonNode all = json(CliRun.run("profile", a.toString(), b.toString(), c.toString(), "--json", "--threads", "3"));
    assertEquals(801, count(all, "id"));
    assertEquals("integral", all.path("columns").path("id").path("type").asText());
    assertEquals(1, count(all, "extra.x"), "files are profiled apart: a column only counts in the files that have it");

    CliRun table = CliRun.run("profile", a.toString(), b.toString());
    assertEquals(0, table.code(), table.err());
    assertTrue(table.out().startsWith(a + " and 1 more file: 800 rows, 3 columns"), table.out());

    Path odd = dir.resolve("events.log");
    Files.writeString(odd, "{\"a\": 1}\n{\"a\": 2}\n");
    assertEquals(2, count(json(CliRun.run("profile", odd.toString(), "--format", "jsonl", "--json")), "a"));
  }

  @Test
  void threadsDoNotChangeTheCounts() throws IOException {
    Path a = csv("a.csv", 20_000);
    JsonNode one = json(CliRun.run("profile", a.toString(), "--threads", "1", "--json"));
    JsonNode four = json(CliRun.run("profile", a.toString(), "--threads", "4", "--json"));
    for (String col : List.of("id", "city", "score")) {
      assertEquals(one.path("columns").path(col).path("counts/n"), four.path("columns").path(col).path("counts/n"));
      assertEquals(one.path("columns").path(col).path("types/integral"),
          four.path("columns").path(col).path("types/integral"));
    }
    assertEquals(one.path("columns").path("id").path("distribution/max"),
        four.path("columns").path("id").path("distribution/max"));
  }

  @Test
  void mergeAddsProfilesUpAndShowReadsTheResult() throws IOException {
    Path a = dir.resolve("a.bin");
    Path b = dir.resolve("b.bin");
    assertEquals(0, CliRun.run("profile", csv("a.csv", 100).toString(), "-o", a.toString(), "--quiet").code());
    CliRun pb = CliRun.run("profile", parquet("b.parquet", 250).toString(), "-o", b.toString());
    assertEquals(0, pb.code(), pb.err());
    assertEquals("loupe: wrote the profile to " + b, pb.err().strip());
    Path day = dir.resolve("day.bin");
    CliRun m = CliRun.run("merge", a.toString(), b.toString(), "-o", day.toString(), "--json");
    assertEquals("loupe: merged 2 profiles into " + day, m.err().strip());
    assertEquals(350, count(json(m), "id"));
    assertEquals(350, count(json(CliRun.run("show", day.toString(), "--json")), "id"));
  }

  @Test
  void profileToS3AndMergeAnS3Prefix() throws IOException {
    String endpoint = s3.endpoint().toString();
    for (int h = 0; h < 3; h++) {
      CliRun r = CliRun.run("profile", csv("h" + h + ".csv", 10 + h).toString(), "-o",
          "s3://profiles/day/2026-11-21/h" + h + ".bin", "--s3-endpoint", endpoint, "--quiet");
      assertEquals(0, r.code(), r.err());
      assertEquals("", r.err());
    }
    Path day = dir.resolve("day.bin");
    CliRun m = CliRun.run("merge", "s3://profiles/day/2026-11-21/", "-o", day.toString(), "--s3-endpoint", endpoint, "--json");
    assertEquals(33, count(json(m), "id"));
    assertTrue(m.err().contains("merged 3 profiles"), m.err());
    assertEquals(11, count(json(CliRun.run("show", "s3://profiles/day/2026-11-21/h1.bin", "--s3-endpoint", endpoint,
        "--json")), "id"));
    // and back up: a merged profile written to S3
    CliRun up = CliRun.run("merge", day.toString(), "s3://profiles/day/2026-11-21/h0.bin", "-o", "s3://profiles/rollup/day.bin",
        "--s3-endpoint", endpoint, "--quiet", "--json");
    assertEquals(43, count(json(up), "id"));

    CliRun none = CliRun.run("merge", "s3://profiles/nothing/", "-o", dir.resolve("x.bin").toString(), "--s3-endpoint", endpoint);
    none.assertError(1, "s3://profiles/nothing/: no profiles (.bin objects) under this prefix");
    CliRun missing = CliRun.run("show", "s3://profiles/day/none.bin", "--s3-endpoint", endpoint);
    missing.assertErrorMatches(1, java.util.regex.Pattern.quote("reading s3://profiles/day/none.bin failed: HTTP 404 "
        + "NoSuchKey (The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ")
        + "[0-9A-Za-z-]+" + java.util.regex.Pattern.quote(") (SDK Attempt Count: 1))"));
  }

  @Test
  void badInputsAreOneLineErrors() throws IOException {
    Path noise = dir.resolve("noise.parquet");
    Files.write(noise, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    CliRun.run("profile", noise.toString()).assertError(1, noise + ": not a Parquet file (" + noise + " is not a "
        + "Parquet file. Expected magic number at tail, but found [9, 10, 11, 12])");
    Path empty = dir.resolve("empty.jsonl");
    Files.writeString(empty, "");
    CliRun.run("profile", empty.toString()).assertError(1, empty + ": the file is empty; expected one JSON object per "
        + "line");
    Path badJson = dir.resolve("bad.jsonl");
    Files.writeString(badJson, "{\"a\": 1}\n{oops}\n");
    CliRun.run("profile", badJson.toString(), "--threads", "2").assertError(1, badJson + ", line 2, column 2: "
        + "malformed JSON: Unexpected character ('o' (code 111)): was expecting double-quote to start field name");
    Path latin = dir.resolve("latin.csv");
    Files.write(latin, "a\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    CliRun.run("profile", latin.toString()).assertError(1, latin + ", line 2: the file is not valid UTF-8 (invalid "
        + "UTF-8 on line 2 (byte offset 5)); convert it first, for example with 'iconv -f latin1 -t utf-8'");
    CliRun.run("merge", dir.resolve("nope.bin").toString(), "-o", dir.resolve("o.bin").toString())
        .assertError(1, dir.resolve("nope.bin") + ": no such file");
    CliRun verbose = CliRun.run("profile", badJson.toString(), "--verbose");
    assertTrue(verbose.err().contains("\tat "), verbose.err());
  }

  @Test
  void usageErrorsExitWith2() {
    Path any = dir.resolve("x.csv");
    CliRun.run("profile", any.toString(), "--threads", "0").assertError(2, "--threads must be at least 1, got 0 "
        + "(see 'loupe profile --help')");
    CliRun.run("profile", any.toString(), "--format", "xml").assertError(2, "Invalid value for option '--format': "
        + "unknown format 'xml'; expected one of csv, tsv, parquet, jsonl, arrow (see 'loupe profile --help')");
    CliRun.run("merge", "a.bin").assertError(2, "Missing required option: '--output=OUT.bin' (see 'loupe merge "
        + "--help')");
    CliRun.run("merge", "-o", "x.bin").assertError(2, "Missing required parameter: 'IN' (see 'loupe merge --help')");
  }

  @Test
  void everyCommandHasHelpWithExitCodes() {
    for (String cmd : List.of("profile", "merge", "show")) {
      CliRun r = CliRun.run(cmd, "--help");
      assertEquals(0, r.code());
      assertTrue(r.out().contains("Exit codes:"), r.out());
      assertTrue(r.out().contains("--s3-endpoint"), cmd + ": " + r.out());
    }
    CliRun p = CliRun.run("profile", "--help");
    for (String flag : List.of("--threads", "--format", "--quiet", "--json", "--output", "--delimiter")) {
      assertTrue(p.out().contains(flag), flag);
    }
    assertFalse(p.out().contains("${sys:"), p.out());
    assertTrue(CliRun.run("--help").out().contains("merge"));
  }

  @Test
  void progressLineShowsPercentRowsRateAndEta() {
    String line = ProgressBar.line(512L << 20, 1L << 30, 12_345_678, 10);
    assertTrue(line.startsWith(" 50% [############            ] 512.0 MiB / 1.0 GiB, 12.3M rows, 1.2M rows/s, ETA 0:10"),
        line);
    assertFalse(Main.showProgress(true), "--quiet never shows progress");
    assertFalse(Main.showProgress(false), "no progress when the output is not a terminal (as under the tests)");
  }
}
