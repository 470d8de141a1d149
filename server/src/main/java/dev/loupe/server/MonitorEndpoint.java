package dev.loupe.server;

import dev.loupe.core.monitor.History;
import dev.loupe.core.monitor.HistorySource;
import dev.loupe.core.monitor.Monitor;
import dev.loupe.core.monitor.MonitorException;
import dev.loupe.core.monitor.MonitorResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code GET /datasets/{id}/monitor[?trailing=N&since=T&until=T]}: the monitor's checks (see
 * docs/monitor.md) over the windows this server has written, as {@code loupe monitor --json}
 * prints them. 404 when the dataset has no written windows; 400 for a bad parameter or more than
 * {@value #MAX_WINDOWS} windows (narrow the range with since/until).
 */
final class MonitorEndpoint {
  static final int MAX_WINDOWS = 10_000;

  private final HistorySource history;
  private final Duration window;

  MonitorEndpoint(HistorySource history, Duration window) {
    this.history = history;
    this.window = window;
  }

  String run(String datasetId, String trailing, String since, String until) throws IOException {
    Monitor.Builder b = Monitor.builder();
    if (trailing != null) {
      try {
        b.trailing(Integer.parseInt(trailing));
      } catch (IllegalArgumentException e) {
        throw new BadRequestException(400, "trailing must be a whole number of windows, at least 1; got '"
            + trailing + "'");
      }
    }
    History.Listing listing;
    try {
      listing = History.of(history).dataset(datasetId).window(window).since(time("since", since))
          .until(time("until", until)).list();
    } catch (MonitorException e) {
      throw new BadRequestException(404, e.getMessage());
    }
    if (listing.windowCount() > MAX_WINDOWS) {
      throw new BadRequestException(400, "dataset '" + datasetId + "' has " + listing.windowCount()
          + " windows in that range, more than " + MAX_WINDOWS + " a request checks; narrow it with since/until");
    }
    MonitorResult result;
    try (History.Windows windows = listing.open(4)) {
      result = b.build().run(windows, listing.window(), (point, alerts) -> {});
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return result.toJson();
  }

  private static Instant time(String name, String value) {
    if (value == null) {
      return null;
    }
    try {
      return History.parseTime(value);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(400, name + ": " + e.getMessage());
    }
  }
}
