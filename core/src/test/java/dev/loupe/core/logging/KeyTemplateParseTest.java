package dev.loupe.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyTemplateParseTest {
  @Test
  void parseReadsBackTheWindowEveryTemplateRendered() {
    for (String t : new String[] {KeyTemplate.DEFAULT, "{datasetId}/{windowStartMillis}{part}.bin",
        "p/{yyyy}{MM}{dd}/{HH}{mm}/{datasetId}_{windowStart}_{windowEnd}.bin"}) {
      KeyTemplate template = KeyTemplate.of(t);
      for (String dataset : new String[] {"orders", "my-data-set", "a.b"}) {
        for (int part : new int[] {0, 1, 12}) {
          WindowInfo w = new WindowInfo(dataset, Instant.parse("2026-03-04T05:00:00Z"),
              Instant.parse("2026-03-04T06:00:00Z"), part, Map.of());
          String key = template.render(w, "host-7");
          KeyTemplate.Key k = template.parse(key).orElseThrow(() -> new AssertionError(t + ": " + key));
          assertEquals(dataset, k.datasetId(), key);
          assertEquals(w.start(), k.windowStart(), key);
          assertEquals(t.contains("{part}") ? part : 0, k.part(), key);
          if (t.contains("{instanceId}")) {
            assertEquals("host-7", k.instanceId(), key);
          }
        }
      }
    }
  }

  @Test
  void keysOfAnotherShapeDoNotParse() {
    KeyTemplate t = KeyTemplate.of(KeyTemplate.DEFAULT);
    assertTrue(t.parse("orders/2026/01/01/notes.bin").isEmpty());
    // a dataset folder and file name that disagree are not one of our keys
    assertTrue(t.parse("orders/2026/01/01/returns-20260101T000000Z-x.bin").isEmpty());
  }
}
