package dev.loupe.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupKeyTest {
  @Test
  void keysRoundTripValuesWithSeparatorsUnicodeAndNulls() {
    String[] segment = {"a/b", null, "~", "Åland Islands 列", "", "%41"};
    String key = GroupKey.encode(1_795_132_800_000L, segment);
    assertEquals(1_795_132_800_000L, GroupKey.windowOf(key));
    assertEquals(Arrays.asList(segment), GroupKey.segmentOf(key));
    assertEquals(Long.MIN_VALUE, GroupKey.windowOf(GroupKey.encode(GroupKey.NO_TIME, new String[0])));
  }

  @Test
  void segmentDatasetIdsAreFileNameSafeAndTellNullFromTheText() {
    Map<String, String> segment = new LinkedHashMap<>();
    segment.put("country", "Åland Islands");
    segment.put("plan.tier", null);
    assertEquals("sales.country=%C3%85land%20Islands.plan%2Etier=~", SparkProfiler.segmentDatasetId("sales", segment));
    segment.put("plan.tier", "~");
    assertEquals("sales.country=%C3%85land%20Islands.plan%2Etier=%7E", SparkProfiler.segmentDatasetId("sales", segment));
  }
}
