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
}
