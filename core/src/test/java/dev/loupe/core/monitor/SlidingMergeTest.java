package dev.loupe.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlidingMergeTest {
  @Test
  void holdsExactlyTheMergeOfTheLastNWindows() {
    SlidingMerge m = new SlidingMerge(3);
    for (int i = 0; i < 10; i++) {
      DatasetProfile p = new DatasetProfile();
      for (int k = 0; k <= i; k++) {
        p.track(Map.of("x", (long) i));
      }
      m.add(Instant.ofEpochSecond(i), p.view());
      ProfileView merged = m.merged();
      long expected = 0;
      for (int j = Math.max(0, i - 2); j <= i; j++) {
        expected += j + 1;
      }
      assertEquals(expected, merged.column("x").orElseThrow().counts().n(), "after window " + i);
      assertEquals(Math.min(3, i + 1), m.size());
      assertEquals(Instant.ofEpochSecond(Math.max(0, i - 2)), m.first());
    }
  }

  /** What the old baseline held: the merge of the last N windows' counts and types, properties included. */
  private static ProfileView countsAndTypes(ProfileView v) {
    Map<String, dev.loupe.core.ColumnView> out = new java.util.LinkedHashMap<>();
    v.columns().forEach((name, c) -> out.put(name, dev.loupe.core.ColumnView.of(java.util.List.of(c.counts(), c.types()))));
    return ProfileView.of(v.properties(), out);
  }

  @Test
  void runningSumsEqualTheMergeOfTheLastNWindowsWhateverColumnsComeAndGo() {
    java.util.Random rnd = new java.util.Random(16);
    for (int trial = 0; trial < 40; trial++) {
      int capacity = 1 + rnd.nextInt(5);
      SlidingMerge m = new SlidingMerge(capacity);
      java.util.List<ProfileView> seen = new java.util.ArrayList<>();
      for (int i = 0; i < 15; i++) {
        DatasetProfile p = new DatasetProfile();
        if (rnd.nextBoolean()) {
          p.column("t", dev.loupe.core.ColumnKind.TIME).appendEpochMillis(i); // a marker in the metadata
        }
        int rows = rnd.nextInt(6);
        for (int r = 0; r < rows; r++) {
          for (String c : new String[] {"a", "b", "c"}) {
            if (rnd.nextInt(3) > 0) {
              p.column(c).appendValue(switch (rnd.nextInt(6)) {
                case 0 -> null;
                case 1 -> (long) rnd.nextInt(5);
                case 2 -> rnd.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY;
                case 3 -> rnd.nextBoolean();
                case 4 -> "s" + rnd.nextInt(3);
                default -> new double[] {1, 2};
              });
            }
          }
        }
        ProfileView v = p.view();
        seen.add(v);
        m.add(Instant.ofEpochSecond(i), v);
        ProfileView expected = ProfileView.empty();
        for (ProfileView w : seen.subList(Math.max(0, seen.size() - capacity), seen.size())) {
          expected = expected.merge(countsAndTypes(w));
        }
        assertEquals(expected.properties(), m.merged().properties(), "trial " + trial + " window " + i);
        assertEquals(expected.columns(), m.merged().columns(), "trial " + trial + " window " + i);
      }
    }
  }
}
