package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.core.monitor.DirectoryHistory;
import dev.loupe.core.monitor.HistorySource;
import dev.loupe.s3.S3Clients;
import dev.loupe.s3.S3History;
import dev.loupe.s3.S3Writer;
import dev.loupe.core.logging.KeyTemplate;
import dev.loupe.core.logging.LocalDirectoryWriter;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.Writer;
import java.nio.file.FileAlreadyExistsException;
import java.time.Duration;
import dev.loupe.s3.S3Location;
import dev.loupe.s3.S3Profiles;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where profiles are read and written: local paths, or {@code s3://bucket/key} through AWS's
 * default credential and region chains, or an S3-compatible store with {@code --s3-endpoint}.
 * The S3 client is made on first use and closed with this object.
 */
final class S3Options implements AutoCloseable {
  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "An S3-compatible store (MinIO, Ceph, ...) for s3:// locations, path-style; "
          + "credentials from the usual AWS variables or profile. Default: AWS S3.")
  String endpoint;

  private S3Client client;

  static boolean isS3(String location) {
    return S3Location.isS3(location);
  }

  private synchronized S3Profiles profiles() { // history readers call it from several threads
    if (client == null) {
      client = S3Clients.forEndpoint(endpoint);
    }
    return new S3Profiles(client);
  }

  /** A profile from a local file or an S3 object. */
  ProfileView read(String location) throws IOException {
    if (!isS3(location)) {
      Path file = Path.of(location);
      if (!Files.exists(file)) {
        throw new NoSuchFileException(file.toString(), null, "no such file");
      }
      if (Files.isDirectory(file)) {
        throw new FileSystemException(file.toString(), null, "is a directory, not a profile file");
      }
      return ProfileView.read(file);
    }
    S3Location loc = parse(location);
    return s3(location, () -> profiles().read(loc.bucket(), loc.key()));
  }

  /** The keys of the profiles (.bin) under an S3 prefix. */
  List<String> list(String prefix) throws IOException {
    S3Location loc = parse(prefix);
    return s3(prefix, () -> profiles().list(loc.bucket(), loc.key()));
  }

  /** A profile history in a local directory or under an S3 prefix (see {@link dev.loupe.core.monitor.History}). */
  HistorySource history(String location) {
    if (!isS3(location)) {
      return new DirectoryHistory(Path.of(location));
    }
    return new HistorySource() {
      @Override
      public List<String> keys() throws IOException {
        return s3(location, () -> source().keys());
      }

      @Override
      public ProfileView read(String key) throws IOException {
        return s3(location, () -> source().read(key));
      }

      @Override
      public String describe() {
        return location;
      }

      private HistorySource source() throws IOException {
        S3Location loc = parse(location);
        return new S3History(profiles(), loc.bucket(), loc.key());
      }
    };
  }

  /**
   * Where window profiles go: a directory (the key template under it; a window already there is an
   * error, so a second run cannot add its rows as late parts) or an S3 prefix (uploaded through
   * an S3Writer, spooled in a temporary directory; closing waits for every upload and fails if one
   * did not succeed).
   */
  Writer windowWriter(String location, String instanceId) throws IOException {
    if (!isS3(location)) {
      LocalDirectoryWriter local = new LocalDirectoryWriter(Path.of(location), KeyTemplate.of(KeyTemplate.DEFAULT),
          instanceId);
      return new Writer() {
        @Override
        public void write(ProfileView view, WindowInfo window) throws IOException {
          Path target = local.pathFor(window);
          if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "already holds this window's profile; "
                + "write the windows to an empty directory");
          }
          local.write(view, window);
        }
      };
    }
    S3Location loc = parse(location);
    Path spool = Files.createTempDirectory("loupe-spool");
    S3Writer w = s3(location, () -> S3Writer.builder().client(clientForWriter()).bucket(loc.bucket())
        .prefix(loc.key()).instanceId(instanceId).spoolDirectory(spool).closeTimeout(Duration.ofMinutes(10)).build());
    return new Writer() {
      @Override
      public void write(ProfileView view, WindowInfo window) throws IOException {
        w.write(view, window);
      }

      @Override
      public void close() throws IOException {
        w.close();
        if (w.pending() > 0) {
          throw new IOException(location + ": " + w.pending() + " window profile(s) were not uploaded ("
              + w.lastError() + "); they are kept in " + spool);
        }
        try (java.util.stream.Stream<Path> left = Files.walk(spool)) {
          left.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    };
  }

  private synchronized S3Client clientForWriter() {
    profiles();
    return client;
  }

  /** Writes a profile to a local file or an S3 object. */
  void write(ProfileView view, String location) throws IOException {
    if (!isS3(location)) {
      view.write(Path.of(location));
      return;
    }
    S3Location loc = parse(location);
    if (loc.key().isEmpty() || loc.key().endsWith("/")) {
      throw new IOException(location + ": an S3 output needs an object key, e.g. s3://bucket/profiles/day.bin");
    }
    s3(location, () -> {
      profiles().put(loc.bucket(), loc.key(), view, Map.of());
      return null;
    });
  }

  private static S3Location parse(String location) throws IOException {
    try {
      return S3Location.parse(location);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private interface S3Call<T> {
    T call() throws IOException;
  }

  /** Runs an S3 call; the SDK's unchecked errors (no credentials, no connection) become one-line IOExceptions. */
  private static <T> T s3(String location, S3Call<T> call) throws IOException {
    try {
      return call.call();
    } catch (SdkException e) {
      throw new IOException(location + ": " + e.getMessage()
          + " (check the credentials, the region and --s3-endpoint)", e);
    }
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
