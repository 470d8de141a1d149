package dev.loupe.core.logging;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.internal.OpenWindows;
import dev.loupe.core.logging.internal.WindowDelivery;
import dev.loupe.core.logging.internal.Windows;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;

/**
 * Keeps a profile per dataset per time window and hands each finished window to its writers.
 *
 * <pre>{@code
 * try (RollingLogger logger = RollingLogger.builder()
 *     .window(Duration.ofHours(1))
 *     .writer(new LocalDirectoryWriter(Path.of("profiles")))
 *     .build()) {
 *   logger.log("orders", Map.of("amount", 12.5, "country", "NZ"));
 * }
 * }</pre>
 *
 * <p>Windows are aligned to UTC boundaries (an hourly window starts on the hour). A row without a
 * timestamp goes to the window containing "now"; a row with one goes to the window it belongs to,
 * as long as that window is still open: a window stays open until its end plus the configured
 * lateness, then it is written. A row for a window already written raises
 * {@link LateDataException}; the row is not logged, and nothing is dropped silently.
 *
 * <p>Many threads may log at once. There is no global lock on the path of a row: a window holds a
 * few profiles (stripes, by default twice the processors), each behind its own lock, and each
 * thread always feeds the stripe its id maps to; rotation merges the stripes.
 *
 * <p>When a writer fails, the window's view is kept in memory and written again at every tick
 * until it succeeds; {@link #close()} makes a last attempt and reports any window it could not
 * write in its exception.
 *
 * <p>It is a ticker over three internal parts: {@link Windows} (the arithmetic and the lateness
 * check), {@link OpenWindows} (the striped store of open windows) and {@link WindowDelivery} (part
 * numbers, writes and retries). The server, which must checkpoint between closing a window and
 * writing it, composes those parts itself. The logger's own checkpoint hooks (seal, restore) are
 * package-private: tested here, not offered as API until a user needs them.
 */
public final class RollingLogger implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RollingLogger.class.getName());

  private final long windowMillis;
  private final Windows windows;
  private final Duration window;
  private final Clock clock;
  private final List<Writer> writers;
  private final boolean heartbeat;
  private final Map<String, String> tags;
  private final String defaultDatasetId;
  private final ScheduledExecutorService ticker;
  private final OpenWindows open;
  private final WindowDelivery delivery;

  private final Set<String> knownDatasets = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> lastHeartbeatStart = new ConcurrentHashMap<>();
  private final ReentrantLock rotation = new ReentrantLock();
  private volatile boolean closed;

  private RollingLogger(Builder b) {
    this.window = b.window;
    this.windowMillis = b.window.toMillis();
    this.windows = Windows.of(b.window, b.lateness);
    this.clock = b.clock;
    this.writers = List.copyOf(b.writers);
    this.heartbeat = b.heartbeat;
    this.tags = Map.copyOf(b.tags);
    this.defaultDatasetId = b.defaultDatasetId;
    this.open = new OpenWindows(windows, clock, b.stripes);
    this.delivery = new WindowDelivery(writers, clock);
    if (b.tick != null) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loupe-rolling-logger");
        t.setDaemon(true);
        return t;
      });
      long tick = b.tick.toMillis();
      ticker.scheduleWithFixedDelay(this::tickQuietly, tick, tick, TimeUnit.MILLISECONDS);
    } else {
      ticker = null;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- logging ----

  /** Logs a row into the default dataset's current window. */
  public void log(Map<String, ?> row) {
    log(defaultDatasetId, null, p -> p.track(row));
  }

  /** Logs a row into {@code datasetId}'s current window. */
  public void log(String datasetId, Map<String, ?> row) {
    log(datasetId, null, p -> p.track(row));
  }

  /** Logs a row into the window of {@code timestamp}. */
  public void log(String datasetId, Instant timestamp, Map<String, ?> row) {
    log(datasetId, Objects.requireNonNull(timestamp, "timestamp"), p -> p.track(row));
  }

  /** Logs a record or JavaBean (see {@link DatasetProfile#track(Object)}). */
  public void logObject(String datasetId, Instant timestamp, Object record) {
    log(datasetId, timestamp, p -> p.track(record));
  }

  /** Logs an Arrow batch into the window of {@code timestamp} (null: now). */
  public void log(String datasetId, Instant timestamp, VectorSchemaRoot batch, DictionaryProvider dictionaries) {
    log(datasetId, timestamp, p -> p.trackDataframe(batch, dictionaries));
  }

  /**
   * Runs {@code update} on this thread's profile of the window for {@code timestamp} (null: now).
   * The update must not keep the profile.
   */
  public void log(String datasetId, Instant timestamp, Consumer<DatasetProfile> update) {
    Objects.requireNonNull(datasetId, "datasetId");
    if (closed) {
      throw new IllegalStateException("the logger is closed");
    }
    knownDatasets.add(datasetId);
    open.log(datasetId, timestamp, update);
  }

  // ---- rotation ----

  /** Writes every window whose end plus lateness has passed, and retries failed writes. */
  public void flushDue() throws IOException {
    rotate(false);
  }

  /** Writes every open window now, finished or not (later rows for them become later parts). */
  public void flushAll() throws IOException {
    rotate(true);
  }

  private void tickQuietly() {
    try {
      rotate(false);
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "rolling logger tick failed: " + e, e);
    }
  }

  /**
   * Closes the due windows into the delivery (a window whose merge fails stays open, see
   * {@link OpenWindows#close}), adds heartbeats, then writes everything ready and retries what
   * failed before, even when a merge failed.
   */
  private void rotate(boolean all) throws IOException {
    rotation.lock();
    try {
      long now = clock.millis();
      try {
        open.close(now, all, (datasetId, start, view) -> delivery.stage(windows.info(datasetId, start, 0, tags), view,
            true));
        if (heartbeat) {
          heartbeats(now - windows.latenessMillis());
        }
      } finally {
        delivery.deliver();
        // a heartbeat asks for a counter up to a window after its window closed
        long horizon = now - windowMillis - 1;
        delivery.forgetParts(start -> windows.isDue(start, horizon));
      }
    } finally {
      rotation.unlock();
    }
  }

  private void heartbeats(long horizon) {
    long lastComplete = Math.floorDiv(horizon, windowMillis) * windowMillis - windowMillis;
    for (String id : knownDatasets) {
      Long last = lastHeartbeatStart.get(id);
      if (last != null && last >= lastComplete) {
        continue;
      }
      lastHeartbeatStart.put(id, lastComplete);
      if (!delivery.hasParts(id, lastComplete) && !open.isOpen(id, lastComplete)) {
        delivery.stage(windows.info(id, lastComplete, 0, tags), ProfileView.empty(), true);
      }
    }
  }

  // ---- reading the current state ----

  /**
   * The merged view of {@code datasetId}'s window containing now, if it has data; its dataset
   * timestamp is the window's start, as the written window's will be.
   */
  public Optional<ProfileView> currentView(String datasetId) {
    return open.currentView(datasetId);
  }

  /** The state of one open window or of one write still to be retried, for checkpoints. */
  record WindowState(WindowInfo window, ProfileView view) {}

  /**
   * Every open window's merged view so far. With logging paused (the caller's job), this and
   * {@link #pendingWriteStates()} are the logger's whole state: a service checkpoints them next to
   * its journal position and restores them with {@link #restoreWindow} and {@link #restorePendingWrite}.
   * To keep the pause short, seal under it ({@link #sealOpenWindows()}) and merge after.
   */
  List<WindowState> openWindowStates() {
    return sealOpenWindows().states();
  }

  /**
   * Seals every open window's current profiles and gives each window fresh ones, in time
   * proportional to the number of windows, not to their data: call it while logging is paused
   * (a service's checkpoint), then compute the states with {@link Sealed#states()} after logging
   * resumes. The states hold exactly what was logged before the seal.
   */
  Sealed sealOpenWindows() {
    return new Sealed(open.seal());
  }

  /** What {@link #sealOpenWindows()} froze; see {@link #states()}. */
  final class Sealed {
    private final OpenWindows.Sealed sealed;

    private Sealed(OpenWindows.Sealed sealed) {
      this.sealed = sealed;
    }

    /**
     * Each sealed window's merged view as of the seal (computed now, outside any pause). The
     * merged result also replaces the sealed profiles inside the logger, so later reads are cheap.
     */
    List<WindowState> states() {
      List<WindowState> out = new ArrayList<>();
      for (OpenWindows.State st : sealed.states()) {
        out.add(new WindowState(windows.info(st.datasetId(), st.start(), 0, tags), st.view()));
      }
      return out;
    }
  }

  /** Windows whose write failed and is being retried, with their views (one entry per writer still owed). */
  List<WindowState> pendingWriteStates() {
    List<WindowState> out = new ArrayList<>();
    for (WindowDelivery.Item it : delivery.pendingPerWriter()) {
      out.add(new WindowState(it.window(), it.view()));
    }
    return out;
  }

  /**
   * Adds a restored view to {@code datasetId}'s window starting at {@code start} (opened if
   * needed): it is merged into the window when the window is read or written.
   */
  void restoreWindow(String datasetId, Instant start, ProfileView view) {
    open.restore(datasetId, start.toEpochMilli(), view);
    knownDatasets.add(datasetId);
  }

  /** Queues a restored write that had failed before a restart; it is retried at the next tick. */
  void restorePendingWrite(WindowInfo window, ProfileView view) {
    delivery.restore(window, view);
  }

  /** Datasets with an open window, with those windows' starts. */
  public Map<String, List<Instant>> openWindows() {
    return open.starts();
  }

  public long windowsWritten() {
    return delivery.windowsWritten();
  }

  public long writeFailures() {
    return delivery.writeFailures();
  }

  /** Windows whose merge failed at a rotation; each was kept open and is retried at the next one. */
  public long mergeFailures() {
    return open.mergeFailures();
  }

  /** Windows whose write failed and is being retried. */
  public int pendingWrites() {
    return delivery.pendingWrites();
  }

  public Duration window() {
    return window;
  }

  /**
   * Stops the ticker, writes every open window, makes a last attempt at failed writes and closes
   * the writers. Throws if any window could not be written, naming them.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    if (ticker != null) {
      ticker.shutdown(); // no interrupt: a tick may be writing a file, and an interrupt would break the write
      try {
        ticker.awaitTermination(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    rotate(true);
    closed = true;
    IOException failure = null;
    List<String> names = delivery.describePending();
    if (!names.isEmpty()) {
      failure = new IOException(names.size() + " window(s) could not be written and are lost unless retried: " + names);
    }
    for (Writer w : writers) {
      try {
        w.close();
      } catch (IOException | RuntimeException e) {
        if (failure == null) {
          failure = new IOException("closing " + w + " failed: " + e, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Configures a {@link RollingLogger}. */
  public static final class Builder {
    private Duration window = Duration.ofHours(1);
    private Duration lateness = Duration.ZERO;
    private Clock clock = Clock.systemUTC();
    private final List<Writer> writers = new ArrayList<>();
    private boolean heartbeat;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String defaultDatasetId = "default";
    private Duration tick;
    private boolean tickSet;
    private int stripes = OpenWindows.defaultStripes();

    private Builder() {}

    /** Window length, from one second to days; windows align to UTC multiples of it. Default 1 hour. */
    public Builder window(Duration d) {
      if (d.toMillis() < 1000) {
        throw new IllegalArgumentException("window " + d + " is shorter than one second");
      }
      this.window = d;
      return this;
    }

    /** How long after its end a window still takes rows with timestamps. Default zero. */
    public Builder lateness(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("negative lateness " + d);
      }
      this.lateness = d;
      return this;
    }

    /** The clock windows are measured by; tests pass a controllable one. Default UTC system clock. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    public Builder writer(Writer w) {
      writers.add(Objects.requireNonNull(w));
      return this;
    }

    /** Also write an empty profile for a known dataset's window that received no rows. Default off. */
    public Builder heartbeat(boolean on) {
      this.heartbeat = on;
      return this;
    }

    /** A tag written into every window's profile. */
    public Builder tag(String key, String value) {
      tags.put(key, value);
      return this;
    }

    public Builder defaultDatasetId(String id) {
      this.defaultDatasetId = Objects.requireNonNull(id);
      return this;
    }

    /**
     * How often a background thread checks for finished windows; null for no thread (call
     * {@link RollingLogger#flushDue()} yourself). Default: a tenth of the window, at most 1 second.
     */
    public Builder tick(Duration d) {
      this.tick = d;
      this.tickSet = true;
      return this;
    }

    /**
     * How many profiles (each behind its own lock) a window spreads logging threads over. Default:
     * twice the processors. More stripes mean fewer threads waiting for each other; fewer mean
     * cheaper rotations and snapshots.
     */
    public Builder stripes(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("stripes must be at least 1, not " + n);
      }
      this.stripes = n;
      return this;
    }

    public RollingLogger build() {
      if (writers.isEmpty()) {
        throw new IllegalStateException("a RollingLogger needs at least one writer");
      }
      if (!tickSet) {
        tick = Duration.ofMillis(Math.max(10, Math.min(1000, window.toMillis() / 10)));
      }
      return new RollingLogger(this);
    }
  }
}
