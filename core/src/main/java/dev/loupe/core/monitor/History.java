package dev.loupe.core.monitor;

import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.KeyTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A dataset's window profiles, listed by their keys and read in time order.
 *
 * <pre>{@code
 * History.Listing listing = History.of(new DirectoryHistory(Path.of("profiles")))
 *     .dataset("orders").list();
 * try (History.Windows windows = listing.open(8)) {
 *   MonitorResult r = Monitor.builder().build().run(windows, listing.window(), (point, alerts) -> {});
 * }
 * }</pre>
 *
 * <p>The window a file holds is read from its key (the key template is inverted, see
 * {@link KeyTemplate#parse}), so listing needs no file to be opened. The files of one window
 * (several writer instances, late parts) are merged into one window profile. Memory stays flat
 * however long the history: only the keys are held, and a bounded number of profiles are read
 * ahead on a few threads while the caller works on the current window.
 */
public final class History {
  private final HistorySource source;
  private KeyTemplate template = KeyTemplate.of(KeyTemplate.DEFAULT);
  private String dataset;
  private Instant since;
  private Instant until;
  private Duration window;

  private History(HistorySource source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  public static History of(HistorySource source) {
    return new History(source);
  }

  /** The key template the history was written with (default {@link KeyTemplate#DEFAULT}). */
  public History template(KeyTemplate t) {
    this.template = Objects.requireNonNull(t, "template");
    return this;
  }

  /** Which dataset; needed only when the history holds several. */
  public History dataset(String id) {
    this.dataset = id;
    return this;
  }

  /** Only windows starting at or after {@code t}. */
  public History since(Instant t) {
    this.since = t;
    return this;
  }

  /** Only windows starting before {@code t}. */
  public History until(Instant t) {
    this.until = t;
    return this;
  }

  /** The window length; by default the smallest distance between two window starts. */
  public History window(Duration d) {
    if (d != null && (d.isNegative() || d.isZero())) {
      throw new IllegalArgumentException("window length must be positive, got " + d);
    }
    this.window = d;
    return this;
  }

  /**
   * A time bound as users write it: an instant ({@code 2026-01-31T06:00:00Z}) or a UTC date
   * ({@code 2026-01-31}, its midnight).
   *
   * @throws IllegalArgumentException saying what is expected
   */
  public static Instant parseTime(String s) {
    try {
      return s.length() == 10 ? java.time.LocalDate.parse(s).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
          : Instant.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + s + "' is not a time; expected 2026-01-31 or 2026-01-31T06:00:00Z");
    }
  }

  /** One file of the history. */
  public record Entry(String key, Instant windowStart, String instanceId, int part) {}

  /**
   * The history's files for the dataset, sorted by window start then part.
   *
   * @throws MonitorException when no file has the template's shape, or several datasets are
   *     present and none was chosen, or the chosen one has no windows
   */
  public Listing list() throws IOException {
    List<String> keys = source.keys();
    TreeSet<String> datasets = new TreeSet<>();
    List<Entry> entries = new ArrayList<>();
    int unmatched = 0;
    List<KeyTemplate.Key> parsed = new ArrayList<>(keys.size());
    List<String> kept = new ArrayList<>(keys.size());
    for (String key : keys) {
      Optional<KeyTemplate.Key> k = template.parse(key);
      if (k.isEmpty()) {
        unmatched++;
        continue;
      }
      datasets.add(k.get().datasetId() == null ? "" : k.get().datasetId());
      parsed.add(k.get());
      kept.add(key);
    }
    if (parsed.isEmpty()) {
      throw new MonitorException(source.describe() + ": no profile file matches the key template '" + template
          + "' (" + keys.size() + " .bin file(s) found); give the template the history was written with");
    }
    String chosen = dataset;
    if (chosen == null) {
      if (datasets.size() > 1) {
        throw new MonitorException(source.describe() + " holds " + datasets.size() + " datasets " + datasets
            + "; choose one with --dataset");
      }
      chosen = datasets.first();
    } else if (!datasets.contains(chosen)) {
      throw new MonitorException(source.describe() + " holds no windows of dataset '" + chosen
          + "'; it holds " + datasets);
    }
    for (int i = 0; i < parsed.size(); i++) {
      KeyTemplate.Key k = parsed.get(i);
      String id = k.datasetId() == null ? "" : k.datasetId();
      if (!id.equals(chosen)) {
        continue;
      }
      if ((since != null && k.windowStart().isBefore(since)) || (until != null && !k.windowStart().isBefore(until))) {
        continue;
      }
      entries.add(new Entry(kept.get(i), k.windowStart(), k.instanceId(), k.part()));
    }
    if (entries.isEmpty()) {
      throw new MonitorException(source.describe() + ": dataset '" + chosen + "' has no windows between "
          + (since == null ? "the start" : since) + " and " + (until == null ? "the end" : until));
    }
    entries.sort(Comparator.comparing(Entry::windowStart).thenComparingInt(Entry::part)
        .thenComparing(Entry::key));
    Duration length = window != null ? window : smallestStep(entries);
    return new Listing(source, chosen, List.copyOf(entries), length, unmatched);
  }

  private static Duration smallestStep(List<Entry> entries) {
    long best = Long.MAX_VALUE;
    for (int i = 1; i < entries.size(); i++) {
      long d = entries.get(i).windowStart().toEpochMilli() - entries.get(i - 1).windowStart().toEpochMilli();
      if (d > 0 && d < best) {
        best = d;
      }
    }
    // one window only: nothing to measure; an hour is the rolling logger's default
    return best == Long.MAX_VALUE ? Duration.ofHours(1) : Duration.ofMillis(best);
  }

  /** A dataset's listed files, ready to be read in order. */
  public record Listing(HistorySource source, String datasetId, List<Entry> entries, Duration window,
      int unmatchedKeys) {

    /** How many distinct windows the listing holds. */
    public int windowCount() {
      int n = 0;
      Instant last = null;
      for (Entry e : entries) {
        if (!e.windowStart().equals(last)) {
          n++;
          last = e.windowStart();
        }
      }
      return n;
    }

    /** Reads the windows in time order, with {@code threads} reading ahead. Close it when done. */
    public Windows open(int threads) {
      return new Windows(this, threads);
    }
  }

  /** One window's profile: every file of the window merged. */
  public record WindowProfile(Instant start, Instant end, ProfileView view, int files, int lateParts) {}

  /**
   * The windows of a listing in time order. At most {@code 4 x threads} profiles are in memory
   * ahead of the caller. A file that cannot be read stops the iteration with an
   * {@link UncheckedIOException} naming it.
   */
  public static final class Windows implements Iterator<WindowProfile>, AutoCloseable {
    private final Listing listing;
    private final ExecutorService pool;
    private final ArrayDeque<Future<ProfileView>> ahead = new ArrayDeque<>();
    private final int maxAhead;
    private int submitted;
    private int consumed;

    Windows(Listing listing, int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("need at least one reading thread, got " + threads);
      }
      this.listing = listing;
      this.maxAhead = 4 * threads;
      this.pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "loupe-history-reader");
        t.setDaemon(true);
        return t;
      });
      fill();
    }

    private void fill() {
      List<Entry> entries = listing.entries();
      while (submitted < entries.size() && ahead.size() < maxAhead) {
        String key = entries.get(submitted++).key();
        ahead.add(pool.submit(() -> listing.source().read(key)));
      }
    }

    @Override
    public boolean hasNext() {
      return consumed < listing.entries().size();
    }

    @Override
    public WindowProfile next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      List<Entry> entries = listing.entries();
      Instant start = entries.get(consumed).windowStart();
      ProfileView merged = ProfileView.empty();
      int files = 0;
      int late = 0;
      while (consumed < entries.size() && entries.get(consumed).windowStart().equals(start)) {
        Entry e = entries.get(consumed);
        merged = merged.merge(take(e));
        consumed++;
        files++;
        if (e.part() > 0) {
          late++;
        }
      }
      return new WindowProfile(start, start.plus(listing.window()), merged, files, late);
    }

    private ProfileView take(Entry e) {
      Future<ProfileView> f = ahead.poll();
      try {
        return f.get();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted reading " + e.key()));
      } catch (ExecutionException ee) {
        Throwable c = ee.getCause();
        if (c instanceof IOException io) {
          throw new UncheckedIOException(io);
        }
        if (c instanceof RuntimeException re) {
          throw re;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(c);
      } finally {
        fill();
      }
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }
}
