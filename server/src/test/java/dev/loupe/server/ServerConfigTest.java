package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  @Test
  void whylogsContainerVariablesKeepTheirMeaning() {
    ServerConfig c = ServerConfig.fromEnvironment(Map.of("PORT", "9000", "CONTAINER_API_KEY", "k1, k2",
        "WHYLOGS_PERIOD", "DAYS", "UPLOAD_DESTINATION", "S3", "S3_BUCKET", "b", "S3_PREFIX", "p",
        "FILE_SYSTEM_WRITER_ROOT", "/x"));
    assertEquals(9000, c.port());
    assertEquals(List.of("k1", "k2"), c.apiKeys());
    assertEquals(Duration.ofDays(1), c.window());
    assertEquals(ServerConfig.Destination.S3, c.destination());
    assertEquals("b", c.s3Bucket());
    assertEquals("0.0.0.0", c.host());
  }

  @Test
  void defaultsNeedOnlyAKeyAndWriteToALocalDirectory() {
    ServerConfig c = ServerConfig.fromEnvironment(Map.of("CONTAINER_API_KEY", "k"));
    assertEquals(8080, c.port());
    assertEquals(Duration.ofHours(1), c.window());
    assertEquals(ServerConfig.Destination.DEBUG_FILE_SYSTEM, c.destination());
    assertEquals(Path.of("loupe-data", "profiles"), c.fileSystemRoot());
    assertEquals(64L << 20, c.maxBodyBytes());
  }

  @Test
  void loupeWindowOverridesThePeriodAndFlagsOverrideTheEnvironment() {
    ServerConfig c = ServerConfig.fromArgs(new String[] {"--window", "5m", "--port=0", "--disable-auth",
        "--max-body-bytes", "512k"}, Map.of("WHYLOGS_PERIOD", "HOURS", "LOUPE_WINDOW", "30s", "PORT", "1"));
    assertEquals(Duration.ofMinutes(5), c.window());
    assertEquals(0, c.port());
    assertTrue(c.authDisabled());
    assertEquals("127.0.0.1", c.host());
    assertEquals(512 * 1024, c.maxBodyBytes());
  }

  @Test
  void withNothingSetAuthStaysOnWithAKeyGeneratedOnceInTheDataDirectory(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    ServerConfig first = ServerConfig.fromEnvironment(Map.of("LOUPE_DATA_DIR", dir.toString()));
    assertTrue(!first.authDisabled());
    assertEquals(dir.resolve("api-key"), first.generatedKeyFile());
    assertEquals(48, first.apiKeys().get(0).length());
    assertEquals(first.apiKeys().get(0), java.nio.file.Files.readString(dir.resolve("api-key")).trim());
    ServerConfig again = ServerConfig.fromEnvironment(Map.of("LOUPE_DATA_DIR", dir.toString()));
    assertEquals(first.apiKeys(), again.apiKeys(), "the key survives restarts");
    ServerConfig configured = ServerConfig.fromEnvironment(Map.of("LOUPE_DATA_DIR", dir.toString(),
        "CONTAINER_API_KEY", "a,b"));
    assertEquals(java.util.List.of("a", "b"), configured.apiKeys());
    assertEquals(null, configured.generatedKeyFile());
  }

  @Test
  void mistakesAreExplained() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(
        Map.of("DISABLE_AUTH", "true", "UPLOAD_DESTINATION", "WHYLABS"))).getMessage().contains("S3 or DEBUG_FILE_SYSTEM"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(
        Map.of("DISABLE_AUTH", "true", "LOUPE_WINDOW", "soon"))).getMessage().contains("30s"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromEnvironment(
        Map.of("DISABLE_AUTH", "true", "UPLOAD_DESTINATION", "S3"))).getMessage().contains("S3_BUCKET"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromArgs(new String[] {"--prot", "1"},
        Map.of())).getMessage().contains("--port"));
  }
}
