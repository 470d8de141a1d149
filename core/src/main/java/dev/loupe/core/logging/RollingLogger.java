package dev.loupe.core.logging;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 */
public final class RollingLogger implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RollingLogger.class.getName());

  private final long windowMillis;
  private final Windows windows;
  private final Duration window;
  private final Duration lateness;
  private final Clock clock;
  private final List<Writer> writers;
  private final boolean heartbeat;
  private final Map<String, String> tags;
  private final String defaultDatasetId;
  private final ScheduledExecutorService ticker;
  private final int stripes;

  private final ConcurrentHashMap<WindowKey, Window> open = new ConcurrentHashMap<>();
  private final Map<WindowKey, Integer> writtenParts = new ConcurrentHashMap<>();
  private final Set<String> knownDatasets = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> lastHeartbeatStart = new ConcurrentHashMap<>();
  private final List<Pending> pending = new CopyOnWriteArrayList<>();
  private final ReentrantLock rotation = new ReentrantLock();
  private final AtomicLong windowsWritten = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private final AtomicLong mergeFailures = new AtomicLong();
  private volatile boolean closed;

  private record WindowKey(String datasetId, long start) {}

  private static final class Window {
    final WindowKey key;
    volatile Slot[] stripes; // replaced (under this) when sealed; a thread uses the stripe of its id
    final List<Slot> sealed = new ArrayList<>(); // guarded by this: stripes sealed for a checkpoint
    volatile boolean closed; // set under this; read without it on the hot path (see log)
    ProfileView base = ProfileView.empty(); // guarded by this: restored state (see restoreWindow)

    Window(WindowKey key, int stripes) {
      this.key = key;
      this.stripes = freshStripes(stripes);
    }

    static Slot[] freshStripes(int n) {
      Slot[] out = new Slot[n];
      for (int i = 0; i < n; i++) {
        out[i] = new Slot();
      }
      return out;
    }
  }

  private static final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    final DatasetProfile profile = new DatasetProfile(ProfileProperties.EMPTY);
    boolean sealed; // guarded by lock: no update after this
  }

  private record Pending(Writer writer, ProfileView view, WindowInfo window) {}

  private RollingLogger(Builder b) {
    this.window = b.window;
    this.windowMillis = b.window.toMillis();
    this.lateness = b.lateness;
    this.windows = Windows.of(b.window, b.lateness);
    this.clock = b.clock;
    this.writers = List.copyOf(b.writers);
    this.heartbeat = b.heartbeat;
    this.tags = Map.copyOf(b.tags);
    this.defaultDatasetId = b.defaultDatasetId;
    this.stripes = b.stripes;
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
    while (true) {
      long now = clock.millis();
      long ts = timestamp == null ? now : timestamp.toEpochMilli();
      long start = windows.startOf(ts);
      if (timestamp != null && windows.isDue(start, now)) {
        throw new LateDataException(datasetId, timestamp, Instant.ofEpochMilli(windows.endOf(start)), lateness);
      }
      Window w = open.computeIfAbsent(new WindowKey(datasetId, start), k -> new Window(k, stripes));
      Slot slot = slotFor(w);
      slot.lock.lock();
      try {
        if (isClosed(w) || slot.sealed) {
          // being closed (it leaves the map once merged) or sealed (fresh stripes are in place)
          Thread.yield();
          continue;
        }
        update.accept(slot.profile);
        return;
      } finally {
        slot.lock.unlock();
      }
    }
  }

  /**
   * This thread's stripe of the window: threads are spread over a fixed number of stripes (by
   * default twice the cores), each a profile behind its own lock. A thread pool of hundreds of
   * threads (a web server's) then feeds a handful of profiles, which keeps rotation and
   * checkpoints cheap, while threads rarely wait for each other.
   */
  private static Slot slotFor(Window w) {
    Slot[] current = w.stripes;
    long mixed = Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
    return current[(int) Math.floorMod(mixed >>> 32, (long) current.length)];
  }

  /**
   * Read under the slot's lock: close() sets the flag before it takes each slot's lock, so an
   * update that saw "open" is always in the merged view, and one that runs later sees "closed".
   */
  private static boolean isClosed(Window w) {
    return w.closed;
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

  private void rotate(boolean all) throws IOException {
    rotation.lock();
    try {
      long now = clock.millis();
      long lateMs = lateness.toMillis();
      List<Window> due = new ArrayList<>();
      for (Window w : open.values()) {
        if (all || windows.isDue(w.key.start(), now)) {
          due.add(w);
        }
      }
      due.sort((a, b) -> Long.compare(a.key.start(), b.key.start()));
      for (Window w : due) {
        ProfileView view = close(w);
        if (view != null) {
          hand(view, info(w.key));
        }
      }
      if (heartbeat) {
        heartbeats(now - lateMs);
      }
      retryPending();
      writtenParts.keySet().removeIf(k -> k.start() + windowMillis + lateMs + windowMillis < now);
    } finally {
      rotation.unlock();
    }
  }

  /**
   * Closes a window and merges its per-thread profiles; null if it held nothing. The window leaves
   * the open set only once its merged view exists: should the merge fail (out of memory, a bug),
   * the window is opened again, with every row in it, and the failure propagates to the caller
   * (the next rotation retries). Nothing is dropped on the way.
   */
  private ProfileView close(Window w) {
    ProfileView merged;
    try {
      merged = merged(w, true);
    } catch (RuntimeException | Error e) {
      reopen(w);
      mergeFailures.incrementAndGet();
      throw e; // recorded above; the window is kept
    }
    open.remove(w.key, w);
    return merged.columns().isEmpty() ? null : merged;
  }

  /** Undoes the closing mark of a window whose merge failed; its rows stay where they were. */
  private static void reopen(Window w) {
    synchronized (w) {
      w.closed = false;
    }
  }

  private WindowInfo info(WindowKey key) {
    int part = writtenParts.merge(key, 0, (old, zero) -> old + 1);
    return new WindowInfo(key.datasetId(), Instant.ofEpochMilli(key.start()),
        Instant.ofEpochMilli(key.start() + windowMillis), part, tags);
  }

  private void heartbeats(long horizon) throws IOException {
    long lastComplete = Math.floorDiv(horizon, windowMillis) * windowMillis - windowMillis;
    for (String id : knownDatasets) {
      Long last = lastHeartbeatStart.get(id);
      if (last != null && last >= lastComplete) {
        continue;
      }
      lastHeartbeatStart.put(id, lastComplete);
      WindowKey key = new WindowKey(id, lastComplete);
      if (!writtenParts.containsKey(key) && !open.containsKey(key)) {
        hand(ProfileView.empty(), info(key));
      }
    }
  }

  private void hand(ProfileView view, WindowInfo info) {
    ProfileProperties props = ProfileProperties.of(info.start(), clock.instant(), info.tags(), Map.of());
    ProfileView stamped = view.withProperties(view.properties().merge(props));
    for (Writer writer : writers) {
      try {
        writer.write(stamped, info);
        windowsWritten.incrementAndGet();
      } catch (IOException | RuntimeException e) {
        writeFailures.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "writing window " + info + " to " + writer + " failed (" + e
            + "); kept in memory, retrying at the next tick");
        pending.add(new Pending(writer, stamped, info));
      }
    }
  }

  private void retryPending() {
    for (Pending p : pending) { // a snapshot: CopyOnWriteArrayList
      try {
        p.writer.write(p.view, p.window);
        pending.remove(p);
        windowsWritten.incrementAndGet();
      } catch (IOException | RuntimeException e) {
        writeFailures.incrementAndGet();
      }
    }
  }

  // ---- reading the current state ----

  /**
   * The merged view of {@code datasetId}'s window containing now, if it has data; its dataset
   * timestamp is the window's start, as the written window's will be.
   */
  public Optional<ProfileView> currentView(String datasetId) {
    long now = clock.millis();
    Window w = open.get(new WindowKey(datasetId, windows.startOf(now)));
    if (w == null) {
      return Optional.empty();
    }
    ProfileView merged = merged(w, false);
    if (merged.columns().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(merged.withProperties(merged.properties()
        .merge(ProfileProperties.of(Instant.ofEpochMilli(w.key.start()), null, Map.of(), Map.of()))));
  }

  /**
   * The merged view of a window's restored base and per-thread profiles. With {@code closing},
   * the window is marked closed first, so no update can slip in after its slot was read.
   */
  private static ProfileView merged(Window w, boolean closing) {
    List<Slot> taken;
    ProfileView merged;
    synchronized (w) {
      if (closing) {
        w.closed = true;
      }
      taken = new ArrayList<>(w.sealed);
      taken.addAll(List.of(w.stripes));
      merged = w.base;
    }
    for (Slot s : taken) {
      s.lock.lock();
      try {
        merged = merged.merge(s.profile.view());
      } finally {
        s.lock.unlock();
      }
    }
    return merged;
  }

  /** The state of one open window or of one write still to be retried, for checkpoints. */
  public record WindowState(WindowInfo window, ProfileView view) {}

  /**
   * Every open window's merged view so far. With logging paused (the caller's job), this and
   * {@link #pendingWriteStates()} are the logger's whole state: a service checkpoints them next to
   * its journal position and restores them with {@link #restoreWindow} and {@link #restorePendingWrite}.
   * To keep the pause short, seal under it ({@link #sealOpenWindows()}) and merge after.
   */
  public List<WindowState> openWindowStates() {
    return sealOpenWindows().states();
  }

  /**
   * Seals every open window's current profiles and gives each window fresh ones, in time
   * proportional to the number of windows, not to their data: call it while logging is paused
   * (a service's checkpoint), then compute the states with {@link Sealed#states()} after logging
   * resumes. The states hold exactly what was logged before the seal.
   */
  public Sealed sealOpenWindows() {
    List<Sealed.Part> parts = new ArrayList<>();
    for (Window w : open.values()) {
      List<Slot> frozen;
      ProfileView base;
      synchronized (w) {
        if (w.closed) {
          continue;
        }
        Slot[] old = w.stripes;
        w.stripes = Window.freshStripes(old.length);
        for (Slot slot : old) {
          slot.lock.lock(); // waits for an update in progress; none follows
          try {
            slot.sealed = true;
          } finally {
            slot.lock.unlock();
          }
        }
        w.sealed.addAll(List.of(old));
        frozen = new ArrayList<>(w.sealed);
        base = w.base;
      }
      parts.add(new Sealed.Part(w, frozen, base));
    }
    return new Sealed(parts);
  }

  /** What {@link #sealOpenWindows()} froze; see {@link #states()}. */
  public final class Sealed {
    private record Part(Window window, List<Slot> frozen, ProfileView base) {}

    private final List<Part> parts;

    private Sealed(List<Part> parts) {
      this.parts = parts;
    }

    /**
     * Each sealed window's merged view as of the seal (computed now, outside any pause). The
     * merged result also replaces the sealed profiles inside the logger, so later reads are cheap.
     */
    public List<WindowState> states() {
      List<WindowState> out = new ArrayList<>();
      for (Part p : parts) {
        ProfileView merged = p.base();
        for (Slot slot : p.frozen()) {
          // sealed, so no update waits for this lock; it only orders this read with other readers
          slot.lock.lock();
          try {
            merged = merged.merge(slot.profile.view());
          } finally {
            slot.lock.unlock();
          }
        }
        Window w = p.window();
        synchronized (w) {
          if (!w.closed && w.base == p.base() && w.sealed.size() >= p.frozen().size()
              && w.sealed.subList(0, p.frozen().size()).equals(p.frozen())) {
            w.base = merged;
            w.sealed.subList(0, p.frozen().size()).clear();
          }
        }
        out.add(new WindowState(new WindowInfo(w.key.datasetId(), Instant.ofEpochMilli(w.key.start()),
            Instant.ofEpochMilli(w.key.start() + windowMillis), 0, tags), merged));
      }
      out.sort((a, b) -> a.window().start().compareTo(b.window().start()));
      return out;
    }
  }

  /** Windows whose write failed and is being retried, with their views. */
  public List<WindowState> pendingWriteStates() {
    List<WindowState> out = new ArrayList<>();
    for (Pending p : pending) {
      out.add(new WindowState(p.window, p.view));
    }
    return out;
  }

  /**
   * Adds a restored view to {@code datasetId}'s window starting at {@code start} (opened if
   * needed): it is merged into the window when the window is read or written.
   */
  public void restoreWindow(String datasetId, Instant start, ProfileView view) {
    long s = start.toEpochMilli();
    if (Math.floorMod(s, windowMillis) != 0) {
      throw new IllegalArgumentException("window start " + start + " is not aligned to the window " + window);
    }
    knownDatasets.add(datasetId);
    while (true) {
      Window w = open.computeIfAbsent(new WindowKey(datasetId, s), k -> new Window(k, stripes));
      synchronized (w) {
        if (!w.closed) {
          w.base = w.base.merge(view);
          return;
        }
      }
    }
  }

  /** Queues a restored write that had failed before a restart; it is retried at the next tick. */
  public void restorePendingWrite(WindowInfo window, ProfileView view) {
    for (Writer w : writers) {
      pending.add(new Pending(w, view, window));
    }
  }

  /** Datasets with an open window, with those windows' starts. */
  public Map<String, List<Instant>> openWindows() {
    Map<String, List<Instant>> out = new LinkedHashMap<>();
    open.keySet().stream().sorted((a, b) -> a.datasetId().equals(b.datasetId())
        ? Long.compare(a.start(), b.start()) : a.datasetId().compareTo(b.datasetId()))
        .forEach(k -> out.computeIfAbsent(k.datasetId(), x -> new ArrayList<>()).add(Instant.ofEpochMilli(k.start())));
    return Collections.unmodifiableMap(out);
  }

  public long windowsWritten() {
    return windowsWritten.get();
  }

  public long writeFailures() {
    return writeFailures.get();
  }

  /** Windows whose merge failed at a rotation; each was kept open and is retried at the next one. */
  public long mergeFailures() {
    return mergeFailures.get();
  }

  /** Windows whose write failed and is being retried. */
  public int pendingWrites() {
    return pending.size();
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
    if (!pending.isEmpty()) {
      List<String> names = new ArrayList<>();
      pending.forEach(p -> names.add(p.window + " -> " + p.writer));
      failure = new IOException(pending.size() + " window(s) could not be written and are lost unless retried: " + names);
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
    private int stripes = 2 * Runtime.getRuntime().availableProcessors();

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
