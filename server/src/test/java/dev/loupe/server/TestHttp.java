package dev.loupe.server;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** HTTP calls to a server on 127.0.0.1, and reading back the profiles a local destination holds. */
final class TestHttp {
  static final String KEY = "test-key-1";
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  volatile int port;

  TestHttp(int port) {
    this.port = port;
  }

  HttpResponse<String> post(String path, String body) {
    return post(path, body.getBytes(StandardCharsets.UTF_8), KEY);
  }

  HttpResponse<String> post(String path, byte[] body, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      b.header("X-API-Key", key);
    }
    return send(b.build());
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("X-API-Key", KEY)
        .timeout(Duration.ofSeconds(30)).GET().build());
  }

  private HttpResponse<String> send(HttpRequest r) {
    try {
      return client.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every profile file under {@code root}. */
  static List<Path> profileFiles(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".bin") && !p.getFileName().toString().startsWith("."))
          .sorted().toList();
    }
  }

  /** The merged profile of every file under {@code root}. */
  static ProfileView mergeAll(Path root) throws IOException {
    ProfileView all = ProfileView.empty();
    for (Path p : profileFiles(root)) {
      all = all.merge(ProfileView.read(p));
    }
    return all;
  }

  static long count(ProfileView v, String column) {
    return v.column(column).map(c -> c.counts().n()).orElse(0L);
  }
}
