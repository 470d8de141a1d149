package dev.loupe.examples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Sends rows to a running Loupe server with nothing but {@code java.net.http}: a batch of rows
 * in the whylogs container's "multiple" shape, then the current window's summary, then a flush.
 *
 * <pre>
 * LOUPE_URL=http://localhost:8080 LOUPE_KEY=secret java ... dev.loupe.examples.ServerClient
 * </pre>
 *
 * A 200 means the rows are on the server's disk (journaled and fsynced): they survive a crash.
 * Anything else is not acknowledged; retrying it is safe only if an occasional double count is.
 */
public final class ServerClient {
  private ServerClient() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    String url = System.getenv().getOrDefault("LOUPE_URL", "http://localhost:8080");
    String key = System.getenv().getOrDefault("LOUPE_KEY", "secret");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    // rows as the service sees them; a real client would serialize with Jackson
    List<Object[]> rows = List.of(
        new Object[] {"Honda Civic", 22000, true},
        new Object[] {"Toyota Corolla", 25000, false},
        new Object[] {"Audi A4", null, true});
    StringBuilder data = new StringBuilder();
    for (Object[] r : rows) {
      data.append(data.length() == 0 ? "[" : ",[")
          .append('"').append(r[0]).append("\",").append(r[1]).append(',').append(r[2]).append(']');
    }
    String body = "{\"datasetId\": \"model-62\", \"multiple\": {\"columns\": [\"Brand\", \"Price\", \"InStock\"],"
        + " \"data\": [" + data + "]}}";

    HttpResponse<String> logged = http.send(HttpRequest.newBuilder(URI.create(url + "/logs"))
        .header("X-API-Key", key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    System.out.println("POST /logs -> " + logged.statusCode() + " " + logged.body());
    if (logged.statusCode() != 200) {
      System.exit(1);
    }

    HttpResponse<String> summary = http.send(HttpRequest.newBuilder(URI.create(url + "/profiles/model-62"))
        .header("X-API-Key", key).GET().build(), HttpResponse.BodyHandlers.ofString());
    System.out.println("GET /profiles/model-62 -> " + summary.statusCode() + "\n" + summary.body());

    HttpResponse<String> flushed = http.send(HttpRequest.newBuilder(URI.create(url + "/writeProfiles"))
        .header("X-API-Key", key).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    System.out.println("POST /writeProfiles -> " + flushed.statusCode() + " " + flushed.body());
  }
}
