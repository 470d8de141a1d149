package dev.loupe.examples;

import dev.loupe.core.logging.LocalDirectoryWriter;
import dev.loupe.core.logging.RollingLogger;
import dev.loupe.core.logging.Writer;
import dev.loupe.s3.S3Clients;
import dev.loupe.s3.S3Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A service that logs what it sees into hourly profiles and uploads each finished hour to S3.
 *
 * <p>Request threads call {@link RollingLogger#log} concurrently; the logger keeps one profile
 * per thread per window (no shared lock on the request path) and, at each hour boundary, merges
 * them and hands the window to the {@link S3Writer}. The writer spools the profile to local disk
 * first and uploads in the background, retrying until S3 confirms, so an S3 outage or a restart
 * loses nothing: whatever is still in the spool is uploaded by the next start.
 *
 * <pre>
 * S3_BUCKET=my-bucket [S3_PREFIX=profiles] [LOUPE_S3_ENDPOINT=http://127.0.0.1:9000] \
 *   java dev.loupe.examples.HourlyToS3 [seconds-to-run] [window]
 * </pre>
 * Without S3_BUCKET it writes to ./profiles (or -Dloupe.output=DIR) instead, so it runs anywhere. The window defaults to
 * one hour; pass e.g. PT10S to watch windows rotate.
 */
public final class HourlyToS3 {
  private HourlyToS3() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
    Duration window = args.length > 1 ? Duration.parse(args[1]) : Duration.ofHours(1);
    Writer writer = writerFromEnvironment();

    try (RollingLogger logger = RollingLogger.builder()
        .window(window)
        .lateness(Duration.ofMinutes(5)) // rows stamped up to 5 minutes late still join their hour
        .writer(writer)
        .tag("service", "checkout")
        .build()) {
      ExecutorService requests = Executors.newFixedThreadPool(4);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      for (int t = 0; t < 4; t++) {
        requests.submit(() -> {
          ThreadLocalRandom r = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            logger.log("checkout", Map.of(
                "amount", Math.round(r.nextDouble(1, 500) * 100) / 100.0,
                "items", r.nextInt(1, 10),
                "country", r.nextBoolean() ? "NZ" : "DE"));
          }
        });
      }
      requests.shutdown();
      requests.awaitTermination(seconds + 10, TimeUnit.SECONDS);
      System.out.println("windows written so far: " + logger.windowsWritten());
    } // close(): writes the open window, waits for the uploads (or leaves them spooled)
    System.out.println("done; profiles at " + describe(writer));
  }

  static Writer writerFromEnvironment() throws Exception {
    String bucket = System.getenv("S3_BUCKET");
    if (bucket == null || bucket.isBlank()) {
      return new LocalDirectoryWriter(Path.of(System.getProperty("loupe.output", "profiles")));
    }
    return S3Writer.builder()
        .client(S3Clients.forEndpoint(System.getenv("LOUPE_S3_ENDPOINT")))
        .bucket(bucket)
        .prefix(System.getenv().getOrDefault("S3_PREFIX", "profiles"))
        .spoolDirectory(Path.of(System.getenv().getOrDefault("LOUPE_DATA_DIR", "loupe-data"), "spool"))
        .build();
  }

  private static String describe(Writer w) {
    return w.toString();
  }
}
