package dev.loupe.s3;

import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.KeyTemplate;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.Writer;
import dev.loupe.core.logging.internal.DurableFiles;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Uploads finished windows to S3 (or an S3-compatible store), durably.
 *
 * <ol>
 *   <li>{@link #write} puts the profile in a local spool directory (fsynced, atomic rename) and
 *       returns; it never waits for the network.</li>
 *   <li>An uploader thread puts spooled profiles to their keys, oldest first, retrying each
 *       with exponential backoff and jitter until the store confirms; only then is the spool
 *       file deleted.</li>
 *   <li>On start, profiles left in the spool by an earlier run are uploaded first.</li>
 * </ol>
 *
 * Keys come from a {@link KeyTemplate} under a prefix and are deterministic (the same window
 * and instance id always give the same key), so a retried upload replaces itself and never
 * makes a duplicate. The instance id defaults to one generated once and kept in the spool
 * directory, so it survives restarts. The spool is bounded: past {@code maxSpoolBytes},
 * {@link #write} throws {@link SpoolFullException} with a loud warning; nothing is ever
 * deleted to make room.
 */
public final class S3Writer implements Writer {
  private static final System.Logger LOG = System.getLogger(S3Writer.class.getName());

  private final S3Profiles store;
  private final String bucket;
  private final String prefix;
  private final KeyTemplate template;
  private final String instanceId;
  private final Spool spool;
  private final long maxSpoolBytes;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration closeTimeout;
  private final LinkedBlockingQueue<Spool.Entry> queue = new LinkedBlockingQueue<>();
  private final Thread uploader;
  private final AtomicLong uploads = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private volatile boolean stopping;
  private volatile boolean stopNow;
  // accepted (spooled) and not yet uploaded: counted before an entry is queued and after its upload, so there is
  // no moment (an entry taken from the queue, not yet marked in flight) when close() sees 0 while one is pending
  private final AtomicInteger unsent = new AtomicInteger();

  private S3Writer(Builder b) throws IOException {
    this.store = new S3Profiles(b.client);
    this.bucket = b.bucket;
    this.prefix = b.prefix;
    this.template = b.template;
    this.spool = new Spool(b.spoolDirectory);
    this.instanceId = b.instanceId != null ? b.instanceId : DurableFiles.instanceId(b.spoolDirectory);
    this.maxSpoolBytes = b.maxSpoolBytes;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.closeTimeout = b.closeTimeout;
    List<Spool.Entry> earlier = spool.scan();
    unsent.addAndGet(earlier.size());
    queue.addAll(earlier);
    if (!queue.isEmpty()) {
      LOG.log(System.Logger.Level.INFO, queue.size() + " spooled profile(s) from an earlier run will be uploaded first");
    }
    uploader = new Thread(this::uploadLoop, "loupe-s3-uploader");
    uploader.setDaemon(true);
    uploader.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The key a window is uploaded to. */
  public String keyFor(WindowInfo window) {
    String rendered = template.render(window, instanceId);
    return prefix.isEmpty() ? rendered : prefix + "/" + rendered;
  }

  /** Where {@code window} is uploaded: {@code s3://<bucket>/<key>}. */
  public String urlFor(WindowInfo window) {
    return "s3://" + bucket + "/" + keyFor(window);
  }

  @Override
  public void write(ProfileView view, WindowInfo window) throws IOException {
    if (stopping) {
      throw new IOException("S3 writer for s3://" + bucket + "/" + prefix + " is closed");
    }
    byte[] bytes = view.toBytes();
    long spooled = spool.bytes();
    if (spooled + bytes.length > maxSpoolBytes) {
      String msg = "upload spool " + spool.directory() + " holds " + spooled + " bytes, at its limit of " + maxSpoolBytes
          + " (S3 s3://" + bucket + " unreachable? last error: " + lastError.get() + "); window " + window.datasetId()
          + " " + window.start() + " not accepted: nothing was deleted, the caller keeps it";
      LOG.log(System.Logger.Level.ERROR, msg);
      throw new SpoolFullException(msg);
    }
    Spool.Entry e = spool.put(bucket, keyFor(window), metadata(window), bytes);
    unsent.incrementAndGet();
    queue.add(e);
  }

  private Map<String, String> metadata(WindowInfo w) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("loupe-dataset-id", enc(w.datasetId()));
    m.put("loupe-window-start", w.start().toString());
    m.put("loupe-window-end", w.end().toString());
    m.put("loupe-window-part", Integer.toString(w.part()));
    m.put("loupe-instance-id", enc(instanceId));
    w.tags().forEach((k, v) -> m.put("loupe-tag-" + enc(k).toLowerCase(), enc(v)));
    return m;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private void uploadLoop() {
    while (!stopNow) {
      Spool.Entry e;
      try {
        e = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        return;
      }
      if (e == null) {
        if (stopping) {
          return;
        }
        continue;
      }
      upload(e);
    }
  }

  private void upload(Spool.Entry e) {
    int attempt = 0;
    while (true) {
      try {
        store.put(e.bucket(), e.key(), spool.profile(e), e.metadata());
        spool.delete(e);
        unsent.decrementAndGet();
        uploads.incrementAndGet();
        lastError.set(null);
        return;
      } catch (IOException | RuntimeException ex) {
        failures.incrementAndGet();
        lastError.set(ex.getMessage());
        LOG.log(System.Logger.Level.WARNING, "upload of s3://" + e.bucket() + "/" + e.key() + " failed (attempt "
            + (attempt + 1) + "): " + ex.getMessage() + "; kept in the spool, retrying");
      }
      if (stopNow) {
        queue.add(e); // still spooled on disk; the next run uploads it
        return;
      }
      long base = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(attempt, 20));
      long sleep = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
      attempt++;
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException ie) {
        queue.add(e);
        return;
      }
    }
  }

  /** Profiles in the spool, waiting for (or in) upload. */
  public int pending() {
    return unsent.get();
  }

  public long spoolBytes() {
    return spool.bytes();
  }

  public long uploads() {
    return uploads.get();
  }

  public long uploadFailures() {
    return failures.get();
  }

  /** The last upload error, or null after a success. */
  public String lastError() {
    return lastError.get();
  }

  public String instanceId() {
    return instanceId;
  }

  /**
   * Waits up to the close timeout for the spool to drain, then stops. Profiles still spooled
   * stay on disk and are uploaded by the next writer started on the same spool directory.
   */
  @Override
  public void close() {
    stopping = true;
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    while (pending() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stopNow = true;
    uploader.interrupt();
    try {
      uploader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = queue.size();
    if (left > 0) {
      LOG.log(System.Logger.Level.WARNING, left + " profile(s) remain in " + spool.directory()
          + " (last error: " + lastError.get() + "); they upload when a writer starts on that directory again");
    }
  }

  @Override
  public String toString() {
    return "S3Writer[s3://" + bucket + "/" + prefix + ", spool " + spool.directory() + "]";
  }

  /** Configures an {@link S3Writer}. */
  public static final class Builder {
    private S3Client client;
    private String bucket;
    private String prefix = "";
    private KeyTemplate template = KeyTemplate.of(KeyTemplate.DEFAULT);
    private String instanceId;
    private Path spoolDirectory;
    private long maxSpoolBytes = 1L << 30;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofMinutes(1);
    private Duration closeTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The client, e.g. {@link S3Clients#standard()} or {@link S3Clients#compatible}. */
    public Builder client(S3Client c) {
      this.client = c;
      return this;
    }

    public Builder bucket(String b) {
      this.bucket = b;
      return this;
    }

    /** Key prefix, without a trailing slash. */
    public Builder prefix(String p) {
      String s = Objects.requireNonNull(p);
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      this.prefix = s;
      return this;
    }

    public Builder keyTemplate(String t) {
      this.template = KeyTemplate.of(t);
      return this;
    }

    public Builder instanceId(String id) {
      this.instanceId = id;
      return this;
    }

    /** Where profiles wait for upload; keep it on a persistent disk. Required. */
    public Builder spoolDirectory(Path dir) {
      this.spoolDirectory = dir;
      return this;
    }

    public Builder maxSpoolBytes(long n) {
      this.maxSpoolBytes = n;
      return this;
    }

    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    public Builder closeTimeout(Duration d) {
      this.closeTimeout = d;
      return this;
    }

    public S3Writer build() throws IOException {
      if (client == null) {
        throw new IllegalStateException("S3Writer needs a client (S3Clients.standard() or S3Clients.compatible(...))");
      }
      if (bucket == null || bucket.isEmpty()) {
        throw new IllegalStateException("S3Writer needs a bucket");
      }
      if (spoolDirectory == null) {
        throw new IllegalStateException("S3Writer needs a spool directory on a persistent disk");
      }
      return new S3Writer(this);
    }
  }
}
