package dev.loupe.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.loupe.proto.v1.MetricComponentMessage;
import java.util.Map;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.memory.Memory;
import org.junit.jupiter.api.Test;

class FrequentItemsMetricTest {

  /** 769 distinct strings make a 1024-slot sketch purge every item it holds. */
  static ItemsSketch<String> emptiedByPurges(String prefix) {
    ItemsSketch<String> s = new ItemsSketch<>(1 << FrequentItemsMetric.DEFAULT_LG_MAX_MAP_SIZE);
    for (int i = 0; i < 769; i++) {
      s.update(prefix + i);
    }
    assertEquals(0, s.getNumActiveItems(), "the purge left no item");
    return s;
  }

  @Test
  void aSketchEmptiedByPurgesKeepsItsStreamLengthAndErrorThroughAFile() throws Exception {
    FrequentItemsMetric m = FrequentItemsMetric.of(emptiedByPurges("u"), 10);
    assertFalse(m.isEmpty());
    assertEquals(769, m.streamLength());
    assertEquals(1, m.maximumError());
    Map<String, MetricComponentMessage> c = m.toComponents();
    FrequentItemsMetric back = FrequentItemsMetric.KIND.decode(c, "test");
    assertEquals(769, back.streamLength());
    assertEquals(1, back.maximumError());
    assertEquals(m, back);
    // DataSketches itself reads the bytes with the same stream length
    ItemsSketch<String> plain = ItemsSketch.getInstance(
        Memory.wrap(c.get("frequent_strings").getFrequentItems().getSketch().toByteArray()), new ArrayOfStringsSerDe());
    assertEquals(769, plain.getStreamLength());
  }

  @Test
  void mergingAnItemlessSketchAddsItsStreamLengthAndError() {
    FrequentItemsMetric emptied = FrequentItemsMetric.of(emptiedByPurges("u"), 10);
    ItemsSketch<String> other = new ItemsSketch<>(1024);
    other.update("a", 5);
    FrequentItemsMetric a = FrequentItemsMetric.of(other, 10);
    for (FrequentItemsMetric merged : new FrequentItemsMetric[] {a.merge(emptied), emptied.merge(a)}) {
      assertEquals(774, merged.streamLength());
      assertEquals(1, merged.maximumError());
      assertEquals(5, merged.lowerBound("a"));
      assertEquals(6, merged.upperBound("a"));
    }
    FrequentItemsMetric both = emptied.merge(FrequentItemsMetric.of(emptiedByPurges("v"), 10));
    assertEquals(1538, both.streamLength());
    assertEquals(2, both.maximumError());
  }
}
