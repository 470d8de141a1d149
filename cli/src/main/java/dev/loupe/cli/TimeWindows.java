package dev.loupe.cli;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.internal.Windows;
import dev.loupe.readers.CsvBatchReader;
import dev.loupe.readers.CsvReader;
import dev.loupe.readers.DataFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Profiles CSV or TSV files into one profile per time window of a time column, for
 * {@code loupe profile --time-column C --window 1h}. Windows are aligned as the rolling logger
 * aligns them ({@link Windows#startOf}). Rows are tracked in column batches: each run of
 * consecutive rows of one window is a slice of the batch; a row holding a cell that does not fit
 * its column's type is tracked on its own, as that value. One profile per window stays in memory
 * until the end (a profile's size is bounded by its sketches, not its rows).
 *
 * <p>Time values: ISO-8601 instants (2026-01-31T06:00:00Z, with an offset, or without one: UTC),
 * "2026-01-31 06:00:00", dates (2026-01-31, their UTC midnight), or numbers: epoch seconds, or
 * epoch milliseconds when their magnitude is 10^11 or more (after 1973 in milliseconds, after
 * year 5138 in seconds).
 */
final class TimeWindows {
  private final String timeColumn;
  private final Duration window;
  private final CsvReader csv;
  private final TreeMap<Long, DatasetProfile> windows = new TreeMap<>();

  TimeWindows(String timeColumn, Duration window, CsvReader csv) {
    this.timeColumn = timeColumn;
    this.window = window;
    this.csv = csv;
  }

  /** Profiles {@code file}'s rows into their windows. */
  void add(Path file) throws IOException {
    Windows arithmetic = Windows.of(window, Duration.ZERO);
    try (BufferAllocator allocator = new RootAllocator();
         CsvBatchReader reader = csv.batches(file, allocator)) {
      long rowBase = 0;
      while (reader.loadNextBatch()) {
        VectorSchemaRoot root = reader.root();
        FieldVector time = root.getVector(timeColumn);
        if (time == null) {
          List<String> names = new ArrayList<>();
          root.getSchema().getFields().forEach(f -> names.add(f.getName()));
          throw new DataFormatException(file + " has no column '" + timeColumn + "' for --time-column; its columns are "
              + names);
        }
        int rows = root.getRowCount();
        Map<Integer, List<CsvBatchReader.OffTypeValue>> off = new HashMap<>();
        for (CsvBatchReader.OffTypeValue o : reader.offTypeValues()) {
          off.computeIfAbsent(o.row(), k -> new ArrayList<>()).add(o);
        }
        int timeIndex = root.getSchema().getFields().indexOf(time.getField());
        int runStart = 0;
        long runWindow = Long.MIN_VALUE;
        for (int r = 0; r <= rows; r++) {
          long w = Long.MIN_VALUE;
          boolean single = false;
          if (r < rows) {
            Object raw = time.isNull(r) ? offValue(off.get(r), timeIndex) : time.getObject(r);
            Instant t = instant(raw, file, rowBase + r);
            w = arithmetic.startOf(t.toEpochMilli());
            single = off.containsKey(r);
          }
          if (r == rows || single || w != runWindow) {
            if (r > runStart && runWindow != Long.MIN_VALUE) {
              try (VectorSchemaRoot slice = root.slice(runStart, r - runStart)) {
                profile(runWindow).trackDataframe(slice);
              }
            }
            runStart = r;
            runWindow = w;
          }
          if (single) {
            profile(w).track(row(root, r, off.get(r)));
            runStart = r + 1;
          }
        }
        rowBase += rows;
      }
    }
  }

  /** The window profiles, oldest first, each stamped with its window start as dataset timestamp. */
  Map<WindowInfo, ProfileView> views(String datasetId) {
    Map<WindowInfo, ProfileView> out = new LinkedHashMap<>();
    Instant now = Instant.now();
    windows.forEach((start, p) -> {
      WindowInfo w = WindowInfo.of(datasetId, Instant.ofEpochMilli(start), window);
      ProfileView v = p.view();
      out.put(w, v.withProperties(v.properties().merge(ProfileProperties.of(w.start(), now, Map.of(), Map.of()))));
    });
    return out;
  }

  private DatasetProfile profile(long start) {
    return windows.computeIfAbsent(start, k -> new DatasetProfile());
  }

  private static Object offValue(List<CsvBatchReader.OffTypeValue> off, int column) {
    if (off != null) {
      for (CsvBatchReader.OffTypeValue o : off) {
        if (o.column() == column) {
          return o.value();
        }
      }
    }
    return null;
  }

  /** Row {@code r} as a map, its off-type cells as the values they are. */
  private static Map<String, Object> row(VectorSchemaRoot root, int r, List<CsvBatchReader.OffTypeValue> off) {
    Map<String, Object> row = new LinkedHashMap<>();
    List<FieldVector> vectors = root.getFieldVectors();
    for (FieldVector v : vectors) {
      Object value = v.isNull(r) ? null : v.getObject(r);
      if (value instanceof org.apache.arrow.vector.util.Text t) {
        value = t.toString();
      }
      row.put(v.getName(), value);
    }
    for (CsvBatchReader.OffTypeValue o : off) {
      row.put(vectors.get(o.column()).getName(), o.value());
    }
    return row;
  }

  static Instant instant(Object raw, Path file, long row) throws DataFormatException {
    if (raw == null) {
      throw new DataFormatException(file + ", data row " + (row + 1) + ": the time column is empty; every row needs "
          + "a time to go into a window (remove or fill such rows)");
    }
    if (raw instanceof LocalDateTime t) { // a column the CSV reader declared time: UTC instants
      return t.toInstant(ZoneOffset.UTC);
    }
    if (raw instanceof Long || raw instanceof Double) {
      double x = ((Number) raw).doubleValue();
      long ms = Math.abs(x) >= 1e11 ? (long) x : Math.round(x * 1000);
      return Instant.ofEpochMilli(ms);
    }
    String s = raw.toString().trim();
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      String iso = s.replace(' ', 'T');
      if (iso.endsWith("Z") || iso.matches(".*[+-]\\d\\d:?\\d\\d$")) {
        return OffsetDateTime.parse(iso.endsWith("Z") ? iso : iso.replaceAll("([+-]\\d\\d)(\\d\\d)$", "$1:$2"))
            .toInstant();
      }
      return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new DataFormatException(file + ", data row " + (row + 1) + ": time '" + s + "' is not a time; expected "
          + "2026-01-31, 2026-01-31T06:00:00Z, 2026-01-31 06:00:00 or epoch seconds or milliseconds");
    }
  }
}
