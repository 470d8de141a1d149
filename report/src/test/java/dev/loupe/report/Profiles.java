package dev.loupe.report;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Generated profiles for the report tests, with hostile column names and items. */
final class Profiles {
  static final String EVIL_COLUMN = "<script>alert('col')</script>";
  static final String EVIL_ITEM = "<img src=x onerror=alert(1)>";

  private Profiles() {}

  static ProfileView orders(long seed, int n, double shift) {
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY
        .withDatasetTimestamp(Instant.parse("2024-06-01T00:00:00Z"))
        .withCreationTimestamp(Instant.parse("2024-06-01T01:02:03Z")))
        .tag("env", "prod & \"test\"");
    for (Map<String, Object> row : orderRows(seed, n, shift)) {
      p.track(row);
    }
    return p.view();
  }

  /** The rows {@link #orders} profiles, for tests that count the data exactly. */
  static List<Map<String, Object>> orderRows(long seed, int n, double shift) {
    Random r = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>(n);
    String[] countries = {"NZ", "AU", "FR", "DE", "US", "JP", "BR", "IN", "ZA", "CA", "MX", "KR"};
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("amount", Math.exp(r.nextGaussian() * 0.6 + 3 + shift));
      row.put("quantity", (long) (1 + r.nextInt(6) + (shift > 0 ? r.nextInt(3) : 0)));
      int c = (int) Math.min(countries.length - 1, Math.abs(r.nextGaussian() * (3 + 3 * shift)));
      row.put("country", countries[c]);
      row.put("express", r.nextDouble() < 0.2 + shift / 4);
      row.put(EVIL_COLUMN, i % 5 == 0 ? EVIL_ITEM : "ok");
      row.put("note", i % 4 == 0 ? null : "n" + (i % 3));
      rows.add(row);
    }
    return rows;
  }
}
