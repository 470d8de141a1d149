package dev.loupe.spark;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.WindowInfo;
import java.util.Map;
import java.util.Optional;

/**
 * The profile of one group of rows: a time window and/or a combination of segment values.
 *
 * @param window where the group is written: its dataset id (the profiler's, plus the segment for a
 *     segmented profile), window start and end, and tags. Empty for the rows whose time column is
 *     null, and for every group when neither a time column nor a batch window is set.
 * @param segment segment column name to value (a value may be null), in the order the columns
 *     were given; empty without segment columns
 * @param view the group's profile
 */
public record ProfileGroup(Optional<WindowInfo> window, Map<String, String> segment, ProfileView view) {

  /** Rows in the group (every column counts every row, nulls included). */
  public long rows() {
    return rowsOf(view);
  }

  static long rowsOf(ProfileView view) {
    long n = 0;
    for (ColumnView c : view.columns().values()) {
      n = Math.max(n, c.counts().n());
    }
    return n;
  }
}
