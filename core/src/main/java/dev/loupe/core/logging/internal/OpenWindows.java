package dev.loupe.core.logging.internal;

import dev.loupe.core.logging.LateDataException;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The striped store of open windows: a profile per dataset per window, each window spread over a
 * few profiles (stripes), each behind its own lock, so many threads log at once without a global
 * lock. It closes due windows into a {@link Sink} (which hands them on, see {@link WindowDelivery}),
 * seals windows for a checkpoint, and takes restored views. {@link dev.loupe.core.logging.RollingLogger} composes it with a
 * ticker and a {@link WindowDelivery}; a service that rotates on its own schedule (the server)
 * composes the same two parts itself.
 *
 * <p>The window arithmetic and the lateness check are {@link Windows}'s.
 */
public final class OpenWindows {
  private final Windows windows;
  private final Clock clock;
  private final int stripes;
  private final ConcurrentHashMap<Key, Window> open = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong mergeFailures = new java.util.concurrent.atomic.AtomicLong();

  private record Key(String datasetId, long start) {}

  private static final class Window {
    final Key key;
    volatile Slot[] stripes; // replaced (under this) when sealed; a thread takes a free one (see lockSlot)
    final List<Slot> sealed = new ArrayList<>(); // guarded by this: stripes sealed for a checkpoint
    volatile boolean closed; // set under this; read without it on the hot path (see log)
    ProfileView base = ProfileView.empty(); // guarded by this: restored state (see restore)

    Window(Key key, int stripes) {
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

  /** Where {@link #close} sends a closed window's merged view. */
  @FunctionalInterface
  public interface Sink {
    void accept(String datasetId, long start, ProfileView view) throws IOException;
  }

  /** An open window's merged view (see {@link Sealed#states()}). */
  public record State(String datasetId, long start, ProfileView view) {}

  /**
   * @param windows the window arithmetic
   * @param clock "now" for rows without a timestamp and for the lateness check
   * @param stripes profiles per window (each behind its own lock), at least 1
   */
  public OpenWindows(Windows windows, Clock clock, int stripes) {
    if (stripes < 1) {
      throw new IllegalArgumentException("stripes must be at least 1, not " + stripes);
    }
    this.windows = Objects.requireNonNull(windows, "windows");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.stripes = stripes;
  }

  /** Twice the processors: few threads wait for each other, rotations and seals stay cheap. */
  public static int defaultStripes() {
    return 2 * Runtime.getRuntime().availableProcessors();
  }

  public Windows windows() {
    return windows;
  }

  /**
   * Runs {@code update} on this thread's profile of the window for {@code timestamp} (null: now).
   * A timestamp whose window is due at the clock's now raises {@link LateDataException}
   * ({@link Windows#checkNotLate}); nothing is logged then. The update must not keep the profile.
   */
  public void log(String datasetId, Instant timestamp, Consumer<DatasetProfile> update) {
    Objects.requireNonNull(datasetId, "datasetId");
    while (true) {
      long now = clock.millis();
      long ts = timestamp == null ? now : timestamp.toEpochMilli();
      if (timestamp != null) {
        windows.checkNotLate(datasetId, ts, now);
      }
      long start = windows.startOf(ts);
      Window w = open.computeIfAbsent(new Key(datasetId, start), k -> new Window(k, stripes));
      Slot slot = lockSlot(w);
      try {
        if (w.closed || slot.sealed) {
          // being closed (it leaves the map once merged) or sealed (fresh stripes are in place); the
          // flag is read under the slot's lock: close() sets it before it takes each slot's lock, so
          // an update that saw "open" is always in the merged view, and one that runs later sees "closed"
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
   * A stripe of the window, locked: threads are spread over a fixed number of stripes, each a
   * profile behind its own lock. A thread pool of hundreds of threads (a web server's) then feeds a
   * handful of profiles, which keeps rotation and checkpoints cheap. A thread starts at the stripe
   * of its id and, when another thread holds that one, takes the next free stripe instead of
   * waiting (two request threads whose ids hash to one stripe would otherwise track one after the
   * other while a core idles); it waits only when every stripe is busy. Which stripe holds a row
   * does not matter: a window's view is the merge of all of them, and merges are exact.
   */
  private static Slot lockSlot(Window w) {
    Slot[] current = w.stripes;
    int n = current.length;
    long mixed = Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
    int home = (int) Math.floorMod(mixed >>> 32, (long) n);
    for (int i = 0; i < n; i++) {
      Slot s = current[(home + i) % n];
      if (s.lock.tryLock()) {
        return s;
      }
    }
    Slot s = current[home];
    s.lock.lock();
    return s;
  }

  /**
   * Closes every window due at {@code now} (every window with {@code all}), oldest first, and hands
   * each one's merged view to {@code sink} (a window that held nothing is dropped, not handed). A
   * window leaves the store only once its merged view exists: should a merge fail (out of memory, a
   * bug), that window is opened again with every row in it, counted in {@link #mergeFailures()}, and
   * the failure propagates (windows handed before it stay handed). Returns the windows handed.
   */
  public int close(long now, boolean all, Sink sink) throws IOException {
    List<Window> due = new ArrayList<>();
    for (Window w : open.values()) {
      if (all || windows.isDue(w.key.start(), now)) {
        due.add(w);
      }
    }
    due.sort((a, b) -> Long.compare(a.key.start(), b.key.start()));
    int handed = 0;
    for (Window w : due) {
      ProfileView merged;
      try {
        merged = merged(w, true);
      } catch (RuntimeException | Error e) {
        synchronized (w) {
          w.closed = false; // undone: its rows stay where they were
        }
        mergeFailures.incrementAndGet();
        throw e; // recorded above; the window is kept
      }
      open.remove(w.key, w);
      if (!merged.columns().isEmpty()) {
        sink.accept(w.key.datasetId(), w.key.start(), merged);
        handed++;
      }
    }
    return handed;
  }

  /**
   * The merged view of {@code datasetId}'s window containing now, if it has data; its dataset
   * timestamp is the window's start, as the written window's will be.
   */
  public Optional<ProfileView> currentView(String datasetId) {
    Window w = open.get(new Key(datasetId, windows.startOf(clock.millis())));
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
   * The merged view of a window's restored base and stripes. With {@code closing}, the window is
   * marked closed first, so no update can slip in after its slot was read.
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

  /**
   * Seals every open window's current profiles and gives each window fresh ones, in time
   * proportional to the number of windows, not to their data: call it while logging is paused
   * (a checkpoint), then compute the states with {@link Sealed#states()} after logging resumes.
   * The states hold exactly what was logged before the seal.
   */
  public Sealed seal() {
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

  /** What {@link #seal()} froze; see {@link #states()}. */
  public static final class Sealed {
    private record Part(Window window, List<Slot> frozen, ProfileView base) {}

    private final List<Part> parts;

    private Sealed(List<Part> parts) {
      this.parts = parts;
    }

    /**
     * Each sealed window's merged view as of the seal (computed now, outside any pause), oldest
     * first. The merged result also replaces the sealed profiles inside the store, so later reads
     * are cheap.
     */
    public List<State> states() {
      List<State> out = new ArrayList<>();
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
        out.add(new State(w.key.datasetId(), w.key.start(), merged));
      }
      out.sort((a, b) -> Long.compare(a.start(), b.start()));
      return out;
    }
  }

  /**
   * Adds a restored view to {@code datasetId}'s window starting at {@code start} (opened if
   * needed): it is merged into the window when the window is read or closed.
   */
  public void restore(String datasetId, long start, ProfileView view) {
    if (windows.startOf(start) != start) {
      throw new IllegalArgumentException("window start " + Instant.ofEpochMilli(start)
          + " is not aligned to the window " + windows.window());
    }
    while (true) {
      Window w = open.computeIfAbsent(new Key(datasetId, start), k -> new Window(k, stripes));
      synchronized (w) {
        if (!w.closed) {
          w.base = w.base.merge(view);
          return;
        }
      }
    }
  }

  /** True when {@code datasetId}'s window starting at {@code start} is open. */
  public boolean isOpen(String datasetId, long start) {
    return open.containsKey(new Key(datasetId, start));
  }

  /** Datasets with an open window, with those windows' starts, sorted. */
  public Map<String, List<Instant>> starts() {
    Map<String, List<Instant>> out = new LinkedHashMap<>();
    open.keySet().stream().sorted((a, b) -> a.datasetId().equals(b.datasetId())
        ? Long.compare(a.start(), b.start()) : a.datasetId().compareTo(b.datasetId()))
        .forEach(k -> out.computeIfAbsent(k.datasetId(), x -> new ArrayList<>()).add(Instant.ofEpochMilli(k.start())));
    return Collections.unmodifiableMap(out);
  }

  /** Windows whose merge failed at a close; each was kept open. */
  public long mergeFailures() {
    return mergeFailures.get();
  }
}
