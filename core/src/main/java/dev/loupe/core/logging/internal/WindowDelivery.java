package dev.loupe.core.logging.internal;

import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.Writer;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivery of closed windows to writers: numbers each window's parts (part 0 is a window's first
 * write, later rows for it become parts 1, 2, ..., so no write replaces an earlier one), holds each
 * window in memory until every writer took it, and retries what failed at every {@link #deliver}.
 *
 * <p>A window is staged either ready (written at the next {@link #deliver}) or held (a service that
 * must first make it durable, the server's checkpoint, marks it ready later with
 * {@link #markReady}). The part counters and the held windows are a service's state to checkpoint
 * ({@link #items()}, {@link #parts()}) and to restore ({@link #restore}, {@link #restoreParts}).
 * Thread-safe; {@link #deliver} calls are expected from one thread at a time.
 */
public final class WindowDelivery {
  private static final System.Logger LOG = System.getLogger(WindowDelivery.class.getName());

  private final List<Writer> writers;
  private final Clock clock;
  private final List<Item> items = new ArrayList<>(); // guarded by this, oldest first
  private final Map<PartKey, Integer> nextParts = new HashMap<>(); // guarded by this
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  /** A window's identity for part numbering. */
  public record PartKey(String datasetId, long start) {}

  /** A staged window: its numbered info, its view, whether it may be written, the writers still owed it. */
  public static final class Item {
    private final WindowInfo window;
    private final ProfileView view;
    private final List<Writer> owed; // guarded by the delivery
    private volatile boolean ready;

    private Item(WindowInfo window, ProfileView view, List<Writer> owed, boolean ready) {
      this.window = window;
      this.view = view;
      this.owed = new ArrayList<>(owed);
      this.ready = ready;
    }

    public WindowInfo window() {
      return window;
    }

    public ProfileView view() {
      return view;
    }

    public boolean ready() {
      return ready;
    }
  }

  /** What one {@link #deliver} did: windows every writer now holds, and the last failure (null when none). */
  public record Result(int completed, String failure) {}

  /**
   * @param writers where every window goes (at least one)
   * @param clock the creation time stamped into each staged window's properties
   */
  public WindowDelivery(List<Writer> writers, Clock clock) {
    if (writers.isEmpty()) {
      throw new IllegalArgumentException("a delivery needs at least one writer");
    }
    this.writers = List.copyOf(writers);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Stages a closed window: gives it the next part number of its window, stamps its properties
   * (dataset timestamp = window start, creation time = now, the window's tags), and keeps it until
   * every writer took it. Returns the numbered window.
   */
  public WindowInfo stage(WindowInfo window, ProfileView view, boolean ready) {
    ProfileProperties props = ProfileProperties.of(window.start(), clock.instant(), window.tags(), Map.of());
    ProfileView stamped = view.withProperties(view.properties().merge(props));
    synchronized (this) {
      PartKey key = new PartKey(window.datasetId(), window.start().toEpochMilli());
      int part = nextParts.getOrDefault(key, 0);
      nextParts.put(key, part + 1);
      WindowInfo numbered = window.withPart(part);
      items.add(new Item(numbered, stamped, writers, ready));
      return numbered;
    }
  }

  /** Takes back a window staged before a restart (already numbered and stamped), ready. */
  public synchronized void restore(WindowInfo window, ProfileView view) {
    items.add(new Item(window, view, writers, true));
  }

  /** Takes back part counters saved before a restart ({@link #parts()}). */
  public synchronized void restoreParts(Map<PartKey, Integer> parts) {
    parts.forEach((k, v) -> nextParts.merge(k, v, Math::max));
  }

  /** Lets {@code staged} windows be written (a service made them durable first). */
  public void markReady(List<Item> staged) {
    staged.forEach(it -> it.ready = true);
  }

  /** True when a window was staged and not marked ready yet. */
  public synchronized boolean hasHeld() {
    for (Item it : items) {
      if (!it.ready) {
        return true;
      }
    }
    return false;
  }

  /** The staged windows, oldest first (a snapshot). */
  public synchronized List<Item> items() {
    return new ArrayList<>(items);
  }

  /** Staged windows not yet taken by every writer. */
  public synchronized int size() {
    return items.size();
  }

  /** Staged windows times the writers still owed each: the writes still to make. */
  public synchronized int pendingWrites() {
    int n = 0;
    for (Item it : items) {
      n += it.owed.size();
    }
    return n;
  }

  /** One entry per write still to make, for a checkpoint: the window and its view. */
  public synchronized List<Item> pendingPerWriter() {
    List<Item> out = new ArrayList<>();
    for (Item it : items) {
      for (int i = 0; i < it.owed.size(); i++) {
        out.add(it);
      }
    }
    return out;
  }

  /** True when any part of {@code datasetId}'s window at {@code start} was staged (and its counter is kept). */
  public synchronized boolean hasParts(String datasetId, long start) {
    return nextParts.containsKey(new PartKey(datasetId, start));
  }

  /**
   * Forgets the part counters of windows no row can reach any more ({@code closed} is true for
   * their start, e.g. {@code start -> windows.isDue(start, now)}) and that hold nothing staged.
   */
  public synchronized void forgetParts(java.util.function.LongPredicate closed) {
    nextParts.keySet().removeIf(k -> closed.test(k.start()) && !hasItemFor(k));
  }

  /** The part counters kept (see {@link #forgetParts}). */
  public synchronized Map<PartKey, Integer> parts() {
    return new HashMap<>(nextParts);
  }

  private boolean hasItemFor(PartKey k) {
    for (Item it : items) {
      if (it.window.datasetId().equals(k.datasetId()) && it.window.start().toEpochMilli() == k.start()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes every ready window to every writer still owed it, oldest first. A writer that fails is
   * not asked again in this call (so a broken destination costs one attempt per call, and windows
   * reach each writer in order); the window stays for the next call. A window leaves memory once
   * every writer took it.
   */
  public Result deliver() {
    List<Item> ready = new ArrayList<>();
    synchronized (this) {
      for (Item it : items) {
        if (it.ready) {
          ready.add(it);
        }
      }
    }
    List<Writer> broken = new ArrayList<>();
    String failure = null;
    int completed = 0;
    for (Item it : ready) {
      List<Writer> owed;
      synchronized (this) {
        owed = new ArrayList<>(it.owed);
      }
      for (Writer w : owed) {
        if (broken.contains(w)) {
          continue;
        }
        try {
          w.write(it.view, it.window);
          written.incrementAndGet();
          synchronized (this) {
            it.owed.remove(w);
          }
        } catch (IOException | RuntimeException e) {
          failures.incrementAndGet();
          broken.add(w);
          failure = "writing window " + it.window + " to " + w + " failed (" + e
              + "); it is kept in memory and retried at the next tick";
          LOG.log(System.Logger.Level.WARNING, failure);
        }
      }
      synchronized (this) {
        if (it.owed.isEmpty() && items.remove(it)) {
          completed++;
        }
      }
      if (broken.size() == writers.size()) {
        break;
      }
    }
    return new Result(completed, failure);
  }

  /** Successful writes (window x writer). */
  public long windowsWritten() {
    return written.get();
  }

  /** Failed writes (window x writer); each is retried. */
  public long writeFailures() {
    return failures.get();
  }

  /** A description of every write still to make ("window -> writer"), for a last error message. */
  public synchronized List<String> describePending() {
    List<String> out = new ArrayList<>();
    for (Item it : items) {
      for (Writer w : it.owed) {
        out.add(it.window + " -> " + w);
      }
    }
    return out;
  }
}
