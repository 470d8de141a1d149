package dev.loupe.spark;

import dev.loupe.core.logging.WindowInfo;
import java.util.List;

/**
 * What {@link SparkProfiler#write} handed to the writer.
 *
 * @param windows every window written, one per group, sorted by start, then dataset id
 * @param rowsWithoutTime rows whose time column was null: profiled but in no window, so not written
 *     (also logged as a warning); 0 when every row had a time or no time column is set
 */
public record WriteSummary(List<WindowInfo> windows, long rowsWithoutTime) {
  public WriteSummary {
    windows = List.copyOf(windows);
  }
}
