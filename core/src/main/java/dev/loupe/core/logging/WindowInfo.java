package dev.loupe.core.logging;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which time window a profile covers: the dataset it belongs to, the window's start (inclusive)
 * and end (exclusive), its tags, and its part number. Part 0 is the window's first write; a
 * window that receives late rows after it was written is written again as part 1, 2, ..., each
 * holding only the rows that arrived since, so no write ever replaces an earlier one.
 */
public record WindowInfo(String datasetId, Instant start, Instant end, int part, Map<String, String> tags) {
  public WindowInfo {
    Objects.requireNonNull(datasetId, "datasetId");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("window end " + end + " is not after its start " + start);
    }
    if (part < 0) {
      throw new IllegalArgumentException("negative part " + part);
    }
    tags = Map.copyOf(new TreeMap<>(tags));
  }

  public static WindowInfo of(String datasetId, Instant start, Duration length) {
    return new WindowInfo(datasetId, start, start.plus(length), 0, Map.of());
  }

  public Duration length() {
    return Duration.between(start, end);
  }

  public WindowInfo withPart(int p) {
    return new WindowInfo(datasetId, start, end, p, tags);
  }
}
