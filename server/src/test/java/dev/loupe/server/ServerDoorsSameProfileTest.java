package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.loupe.core.Approx;
import dev.loupe.core.DoorTables;
import dev.loupe.core.ProfileView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's doors give the profile every other door gives (core's DoorTables, also used by the
 * readers' cross-door test): the generated table posted to a real server on 127.0.0.1 as JSON
 * {@code single} rows, as one JSON {@code multiple} body (its repeated column name renamed
 * {@code a.1}, as CSV and pandas do) and as an Arrow stream, written out by POST /writeProfiles
 * and read back, equals the profile of the same rows tracked as Java maps. JSON carries time as
 * epoch milliseconds: the same metrics, without the time marker.
 */
class ServerDoorsSameProfileTest {
  @TempDir
  Path dir;

  @Test
  void jsonSingleJsonMultipleAndArrowBodiesGiveTheRowsProfile() throws Exception {
    List<Object[]> t = DoorTables.table(3, 400);
    ProfileView expected = DoorTables.rows(t);
    ServerConfig c = ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY)
        .dataDir(dir.resolve("data")).fileSystemRoot(dir.resolve("profiles")).window(Duration.ofHours(1)).build();
    try (LoupeServer server = LoupeServer.start(c)) {
      TestHttp http = new TestHttp(server.port());
      for (Object[] row : t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = DoorTables.JSON.createGenerator(out)) {
          g.writeStartObject();
          g.writeStringField("datasetId", "single");
          g.writeFieldName("single");
          DoorTables.writeJsonObject(g, row, false);
          g.writeEndObject();
        }
        HttpResponse<String> r = http.post("/logs", out.toByteArray(), TestHttp.KEY);
        assertEquals(200, r.statusCode(), r.body());
      }
      HttpResponse<String> r = http.post("/logs", multiple(t), TestHttp.KEY);
      assertEquals(200, r.statusCode(), r.body());
      r = http.post("/logs/arrow?datasetId=arrow", arrowStream(t), TestHttp.KEY);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(200, http.post("/writeProfiles", new byte[0], TestHttp.KEY).statusCode());
    }
    for (String dataset : List.of("single", "multiple", "arrow")) {
      ProfileView got = ProfileView.empty();
      for (Path p : TestHttp.profileFiles(dir.resolve("profiles"))) {
        if (p.toString().contains(dataset)) {
          got = got.merge(ProfileView.read(p));
        }
      }
      Approx.assertColumnsOfViewsClose(expected, got, "server, " + dataset);
    }
  }

  /**
   * A batch of {@link Ingest#SPLIT_CELLS} cells or more is tracked by columns on several threads:
   * each column whole and in row order by one thread, so the window's columns equal, sketch for
   * sketch, those of the same batch tracked on one thread by {@code trackDataframe}. Two requests
   * (the second over the first's columns) check that the parts add up too.
   */
  @Test
  void aLargeArrowBatchTrackedByColumnsOnSeveralThreadsGivesTheOneThreadProfile() throws Exception {
    List<Object[]> t = DoorTables.table(11, 6_000);
    assertTrue((long) t.size() * DoorTables.COLS.size() >= Ingest.SPLIT_CELLS, "the batch is split");
    byte[] body = arrowStream(t);
    dev.loupe.core.DatasetProfile once = new dev.loupe.core.DatasetProfile();
    dev.loupe.core.DatasetProfile twice = new dev.loupe.core.DatasetProfile();
    try (RootAllocator alloc = new RootAllocator();
         org.apache.arrow.vector.ipc.ArrowStreamReader r = new org.apache.arrow.vector.ipc.ArrowStreamReader(
             new java.io.ByteArrayInputStream(body), alloc)) {
      while (r.loadNextBatch()) {
        once.trackDataframe(r.getVectorSchemaRoot(), r);
        twice.trackDataframe(r.getVectorSchemaRoot(), r);
        twice.trackDataframe(r.getVectorSchemaRoot(), r);
      }
    }
    ServerConfig c = ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY)
        .dataDir(dir.resolve("data")).fileSystemRoot(dir.resolve("profiles")).window(Duration.ofHours(1)).build();
    try (LoupeServer server = LoupeServer.start(c)) {
      TestHttp http = new TestHttp(server.port());
      for (String dataset : List.of("split-once", "split-twice", "split-twice")) {
        HttpResponse<String> r = http.post("/logs/arrow?datasetId=" + dataset, body, TestHttp.KEY);
        assertEquals(200, r.statusCode(), r.body());
      }
      assertEquals(200, http.post("/writeProfiles", new byte[0], TestHttp.KEY).statusCode());
    }
    ProfileView gotOnce = written("split-once");
    // as written and read back, the path the server's windows take
    ProfileView expectedOnce = ProfileView.read(once.view().toBytes(), "expected");
    assertEquals(expectedOnce.columns().keySet(), gotOnce.columns().keySet());
    for (String col : DoorTables.UNIQUE) {
      dev.loupe.core.ColumnView want = expectedOnce.columns().get(col);
      dev.loupe.core.ColumnView got = gotOnce.columns().get(col);
      assertEquals(want.metrics().keySet(), got.metrics().keySet(), col);
      for (var m : want.metrics().entrySet()) {
        if (m.getValue() instanceof dev.loupe.core.metrics.DistributionMetric d) {
          // KLL compaction draws random bits (datasketches' own generator): two runs of the same updates
          // give sketches of equal n, mean, m2, min and max whose quantiles agree within the sketch's error
          dev.loupe.core.metrics.DistributionMetric e = (dev.loupe.core.metrics.DistributionMetric) got.metrics()
              .get(m.getKey());
          assertEquals(d.toString(), e.toString(), "one request, column " + col);
          assertEquals(d.n(), e.n(), col);
        } else {
          assertEquals(m.getValue(), got.metrics().get(m.getKey()), "one request, column " + col + ", " + m.getKey());
        }
      }
      Approx.assertColumnsClose(want, got, "one request, column " + col);
    }
    ProfileView gotTwice = written("split-twice");
    assertEquals(DoorTables.UNIQUE.size(), gotTwice.columns().size());
    for (String col : DoorTables.UNIQUE) {
      assertEquals(twice.view().columns().get(col).counts(), gotTwice.columns().get(col).counts(), col);
    }
    Approx.assertColumnsOfViewsClose(twice.view(), gotTwice, "two requests");
  }

  private ProfileView written(String dataset) throws IOException {
    ProfileView got = ProfileView.empty();
    for (Path p : TestHttp.profileFiles(dir.resolve("profiles"))) {
      if (p.toString().contains(dataset)) {
        got = got.merge(ProfileView.read(p));
      }
    }
    return got;
  }

  private static byte[] multiple(List<Object[]> t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = DoorTables.JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("datasetId", "multiple");
      g.writeObjectFieldStart("multiple");
      g.writeArrayFieldStart("columns");
      for (DoorTables.Col col : DoorTables.COLS) {
        g.writeString(col.name()); // "a" twice
      }
      g.writeEndArray();
      g.writeArrayFieldStart("data");
      for (Object[] row : t) {
        g.writeStartArray();
        for (Object x : row) {
          DoorTables.writeJsonValue(g, x);
        }
        g.writeEndArray();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static byte[] arrowStream(List<Object[]> t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot root = DoorTables.arrowRoot(t, alloc);
         ArrowStreamWriter w = new ArrowStreamWriter(root, null, out)) {
      w.start();
      w.writeBatch();
      w.end();
    }
    return out.toByteArray();
  }
}
