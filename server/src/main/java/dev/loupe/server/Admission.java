package dev.loupe.server;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Decides, before anything is journaled, whether a request fits: its dataset gets a slot (at most
 * LOUPE_MAX_DATASETS datasets with open windows) and its columns fit three limits, because an
 * open column costs memory (a profile per stripe, about 16 KB each, and about 40 KB more while a
 * view is built at a checkpoint or rotation), and a window that cannot be merged cannot be written:
 *
 * <ul>
 *   <li>columns in one request (LOUPE_MAX_REQUEST_COLUMNS),</li>
 *   <li>distinct columns in one open window (LOUPE_MAX_WINDOW_COLUMNS),</li>
 *   <li>distinct columns over all open windows (LOUPE_MAX_OPEN_COLUMNS).</li>
 * </ul>
 *
 * A request that does not fit is refused whole ({@link BadRequestException}, 413 or 429 naming the
 * limit and its setting); one that fits has its dataset slot and its new columns reserved in one
 * step, so nothing is half admitted. Only requests with rows are admitted: an empty or refused
 * request takes no slot. Windows leave the books when the logger no longer holds them open
 * ({@link #retainOpen}).
 */
final class Admission {
  record WindowKey(String datasetId, long start) {}

  private final int maxDatasets;
  private final int maxRequestColumns;
  private final int maxWindowColumns;
  private final long maxOpenColumns;
  private final Map<WindowKey, Set<String>> windows = new HashMap<>(); // guarded by this
  private final Map<String, Integer> windowsPerDataset = new HashMap<>(); // guarded by this
  private long openColumns; // guarded by this

  Admission(int maxDatasets, int maxRequestColumns, int maxWindowColumns, long maxOpenColumns) {
    this.maxDatasets = maxDatasets;
    this.maxRequestColumns = maxRequestColumns;
    this.maxWindowColumns = maxWindowColumns;
    this.maxOpenColumns = maxOpenColumns;
  }

  /** The per-request check alone (also made before a body is parsed further, e.g. from an Arrow schema). */
  void checkRequestWidth(String datasetId, int columns) {
    if (columns > maxRequestColumns) {
      throw new BadRequestException(413, "dataset '" + datasetId + "': the request has " + columns
          + " columns, over the limit of " + maxRequestColumns + " per request (LOUPE_MAX_REQUEST_COLUMNS); "
          + "split the columns over several requests or raise the setting (each open column costs memory)");
    }
  }

  /**
   * Admits a request with rows: reserves the dataset's slot and the window's new columns, or
   * refuses the whole request.
   */
  synchronized void admit(String datasetId, long windowStart, Collection<String> columns) {
    checkRequestWidth(datasetId, columns.size());
    WindowKey key = new WindowKey(datasetId, windowStart);
    Set<String> have = windows.get(key);
    if (!windowsPerDataset.containsKey(datasetId) && windowsPerDataset.size() >= maxDatasets) {
      throw new BadRequestException(429, "dataset '" + datasetId + "' is new, and " + maxDatasets
          + " datasets already have open windows (LOUPE_MAX_DATASETS); new datasets are accepted again when "
          + "windows rotate out, or raise the limit");
    }
    int fresh = 0;
    for (String c : columns) {
      if (have == null || !have.contains(c)) {
        fresh++;
      }
    }
    int inWindow = (have == null ? 0 : have.size()) + fresh;
    if (inWindow > maxWindowColumns) {
      throw new BadRequestException(413, "dataset '" + datasetId + "': this request would bring its window to "
          + inWindow + " distinct columns, over the limit of " + maxWindowColumns
          + " per window (LOUPE_MAX_WINDOW_COLUMNS); send fewer distinct columns, a shorter LOUPE_WINDOW, "
          + "or raise the setting");
    }
    if (openColumns + fresh > maxOpenColumns) {
      throw new BadRequestException(413, "dataset '" + datasetId + "': this request adds " + fresh
          + " new column(s) to the " + openColumns + " open over all windows, over the limit of " + maxOpenColumns
          + " (LOUPE_MAX_OPEN_COLUMNS, sized to the heap); retry after the windows rotate out, or give the "
          + "server more memory and raise the setting");
    }
    record(key, columns);
  }

  /** Books columns without checking (replay, restored windows: they were admitted before). */
  synchronized void record(String datasetId, long windowStart, Collection<String> columns) {
    record(new WindowKey(datasetId, windowStart), columns);
  }

  private void record(WindowKey key, Collection<String> columns) {
    Set<String> have = windows.get(key);
    if (have == null) {
      have = new HashSet<>();
      windows.put(key, have);
      windowsPerDataset.merge(key.datasetId(), 1, Integer::sum);
    }
    for (String c : columns) {
      if (have.add(c)) {
        openColumns++;
      }
    }
  }

  /** Forgets every window the logger no longer holds open (called at checkpoints). */
  synchronized void retainOpen(Map<String, ? extends Collection<java.time.Instant>> open) {
    windows.keySet().removeIf(k -> {
      Collection<java.time.Instant> starts = open.get(k.datasetId());
      boolean keep = starts != null && starts.contains(java.time.Instant.ofEpochMilli(k.start()));
      if (!keep) {
        openColumns -= windows.get(k).size();
        windowsPerDataset.computeIfPresent(k.datasetId(), (d, n) -> n == 1 ? null : n - 1);
      }
      return !keep;
    });
  }

  synchronized long openColumns() {
    return openColumns;
  }

  synchronized int datasets() {
    return windowsPerDataset.size();
  }
}
