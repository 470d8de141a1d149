package dev.loupe.core.monitor;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.LocalDirectoryWriter;
import dev.loupe.core.logging.WindowInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * A generated hourly history of an "orders" dataset with daily traffic seasonality (quiet nights,
 * busy afternoons), and the incidents a test asks for. Columns: amount (fractional, normal
 * 100 +- 15), code (integral 0..9), email (string, 20 values, 1% null), country (4 values),
 * paid (boolean). Shared with other modules' tests through core's test jar.
 */
public final class SyntheticHistory {
  public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  public static final Duration HOUR = Duration.ofHours(1);
  public static final String DATASET = "orders";

  // the incidents (window indexes) and what they are
  public int nullSpike = -1; // email 50% null in this window
  public int shiftFrom = -1; // amount's mean 100 -> 130 from this window on
  public int missing = -1; // this window is not written
  public int dropFrom = -1; // country absent from this window on
  public int typeChange = -1; // code holds strings in this window
  public int trafficDrop = -1; // a quarter of the usual rows in this window
  public int latePart = -1; // this window gets a second, late part
  public double scale = 1; // rows per window multiplier (night ~1000, afternoon ~4000 at 1)

  private final long seed;

  public SyntheticHistory(long seed) {
    this.seed = seed;
  }

  public static Instant start(int i) {
    return START.plus(HOUR.multipliedBy(i));
  }

  /** The usual rows of window {@code i}: 1000 at night up to about 4000 mid-afternoon (times {@code scale}). */
  public double usualRows(int i) {
    int hour = i % 24;
    double day = Math.max(0, Math.sin(Math.PI * (hour - 6) / 12.0));
    return scale * (1000 + 3000 * day);
  }

  /** Window {@code i}'s profile (dataset timestamp = its start). */
  public ProfileView window(int i) {
    Random r = new Random(seed * 1_000_003L + i);
    double usual = usualRows(i);
    long rows = Math.max(1, Math.round(usual + Math.sqrt(usual) * r.nextGaussian()));
    if (i == trafficDrop) {
      rows = rows / 4;
    }
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY.withDatasetTimestamp(start(i))
        .withCreationTimestamp(start(i).plus(HOUR)));
    Map<String, Object> row = new HashMap<>();
    String[] countries = {"NZ", "AU", "US", "FR"};
    double[] countryWeights = {0.4, 0.3, 0.2, 0.1};
    for (long k = 0; k < rows; k++) {
      row.clear();
      row.put("amount", (i >= shiftFrom && shiftFrom >= 0 ? 130.0 : 100.0) + 15 * r.nextGaussian());
      int code = r.nextInt(10);
      row.put("code", i == typeChange ? "C" + code : (Object) (long) code);
      double nullP = i == nullSpike ? 0.5 : 0.01;
      row.put("email", r.nextDouble() < nullP ? null : "user" + r.nextInt(20) + "@example.org");
      if (dropFrom < 0 || i < dropFrom) {
        double u = r.nextDouble();
        int c = 0;
        while (c < 3 && u >= countryWeights[c]) {
          u -= countryWeights[c];
          c++;
        }
        row.put("country", countries[c]);
      }
      row.put("paid", r.nextDouble() < 0.8);
      p.track(row);
    }
    return p.view();
  }

  /** Writes windows 0..n-1 (but the missing one) under {@code root} with the default key template. */
  public void write(Path root, int n) throws IOException {
    LocalDirectoryWriter w = new LocalDirectoryWriter(root);
    for (int i = 0; i < n; i++) {
      if (i == missing) {
        continue;
      }
      w.write(window(i), WindowInfo.of(DATASET, start(i), HOUR));
      if (i == latePart) {
        // rows that came after the window was written: same distribution, a new part
        w.write(new SyntheticHistory(seed + 7).window(i), WindowInfo.of(DATASET, start(i), HOUR));
      }
    }
  }
}
