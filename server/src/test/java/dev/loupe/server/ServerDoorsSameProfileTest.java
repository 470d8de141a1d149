package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
