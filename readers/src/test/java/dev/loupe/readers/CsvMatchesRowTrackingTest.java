package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.core.ColumnView;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.DistributionMetric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CSV path (Arrow batches plus off-type cells) must profile a file exactly as tracking the same
 * rows one by one with correctly typed Java values does.
 */
class CsvMatchesRowTrackingTest {
  private static final String[] CITIES = {"Zürich", "東京", "Lagos", "São Paulo", "Oslo", "x,y", "multi\nline", "q\"uote"};

  @TempDir
  Path dir;

  @Test
  void csvProfileEqualsRowByRowProfileOfTypedValues() throws IOException {
    Random rnd = new Random(42);
    List<String> names = List.of("id", "price", "active", "city", "late");
    StringBuilder csv = new StringBuilder(String.join(",", names)).append('\n');
    DatasetProfile rows = new DatasetProfile();
    int rowCount = 2500;
    for (int i = 0; i < rowCount; i++) {
      Object[] typed = {
          i % 97 == 5 ? null : late(i) && i % 211 == 7 ? "n/a" : (Object) (long) (rnd.nextInt(2000) - 1000),
          i % 50 == 0 ? null : i % 333 == 1 ? Double.NaN : i % 777 == 2 ? Double.POSITIVE_INFINITY
              : late(i) && i % 901 == 3 ? "free" : (Object) (Math.round(rnd.nextGaussian() * 10000) / 100.0 + 0.001),
          i % 10 == 0 ? null : late(i) && i % 401 == 9 ? "yes" : late(i) && i % 503 == 11 ? (Object) 1L : (Object) rnd.nextBoolean(),
          i % 13 == 0 ? null : CITIES[rnd.nextInt(CITIES.length)],
          i < 1500 ? (Object) (long) rnd.nextInt(50) : i % 3 == 0 ? (Object) (rnd.nextInt(100) / 4.0 + 0.5) : "late",
      };
      Map<String, Object> row = new LinkedHashMap<>();
      List<String> cells = new ArrayList<>();
      for (int c = 0; c < names.size(); c++) {
        row.put(names.get(c), typed[c]);
        cells.add(cell(typed[c]));
      }
      rows.track(row);
      csv.append(String.join(",", cells)).append('\n');
    }
    Path file = dir.resolve("mixed.csv");
    Files.writeString(file, csv, StandardCharsets.UTF_8);

    ProfileView fromCsv = CsvReader.builder().sampleRows(200).batchSize(300).build().profile(file);
    ProfileView fromRows = rows.view();

    assertEquals(fromRows.columns().keySet(), fromCsv.columns().keySet());
    for (String name : names) {
      ColumnView expected = fromRows.column(name).orElseThrow();
      ColumnView actual = fromCsv.column(name).orElseThrow();
      String where = "column " + name;
      assertEquals(expected.counts(), actual.counts(), where);
      assertEquals(expected.types(), actual.types(), where);
      assertEquals(expected.ints(), actual.ints(), where);
      assertEquals(expected.metrics().keySet(), actual.metrics().keySet(), where);
      assertEquals(expected.frequentItems().map(f -> f.allItems()), actual.frequentItems().map(f -> f.allItems()),
          where);
      if (expected.distribution().isPresent()) {
        DistributionMetric e = expected.distribution().get();
        DistributionMetric a = actual.distribution().orElseThrow();
        assertEquals(e.n(), a.n(), where);
        if (e.n() > 0) {
          assertEquals(e.min(), a.min(), where);
          assertEquals(e.max(), a.max(), where);
          if (Double.isFinite(e.mean().orElse(Double.NaN))) {
            assertEquals(e.mean().orElse(Double.NaN), a.mean().orElse(Double.NaN), 1e-9 * Math.max(1, Math.abs(e.mean().orElse(Double.NaN))), where);
          } else {
            assertEquals(e.mean(), a.mean(), where); // an infinity in the column
          }
        }
      }
      if (expected.cardinality().isPresent()) {
        double e = expected.cardinality().get().estimate();
        assertEquals(e, actual.cardinality().orElseThrow().estimate(), 0.02 * e + 1e-9, where);
      }
    }
  }

  /** Off-type values come after the type sample, which they would otherwise widen to string. */
  private static boolean late(int row) {
    return row >= 200;
  }

  /** The CSV text of a typed value, quoted when needed. */
  private static String cell(Object v) {
    if (v == null) {
      return "";
    }
    String s = v.toString();
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
