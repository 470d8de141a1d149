package dev.loupe.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import org.junit.jupiter.api.Test;

/**
 * Spark's windows come from core's one window arithmetic (Windows, in milliseconds); they must be the
 * windows the microsecond arithmetic Spark used before gave: floor(micros / w) * w, for any timestamp,
 * before or after 1970, and for dates.
 */
class PartitionProfilerWindowsTest {
  private static final long[] WINDOWS_MILLIS = {1_000, 60_000, 90 * 60_000, 3_600_000, 86_400_000, 7 * 86_400_000L};

  private static PartitionProfiler profiler(PartitionProfiler.TimeKind kind, long windowMillis) {
    return new PartitionProfiler(new ColumnSpec[0], 64, 0, kind, windowMillis * 1000, new int[0], new DataType[0]);
  }

  @Test
  void aTimestampsWindowIsTheFloorOfItsMicrosecondsByTheWindowLength() {
    SplittableRandom random = new SplittableRandom(14);
    for (long w : WINDOWS_MILLIS) {
      PartitionProfiler p = profiler(PartitionProfiler.TimeKind.MICROS, w);
      long wMicros = w * 1000;
      for (int i = 0; i < 20_000; i++) {
        // around 1970 (sign changes), on exact boundaries, and anywhere in +-100,000 years
        long micros = switch (i % 3) {
          case 0 -> random.nextLong(-3 * wMicros, 3 * wMicros);
          case 1 -> random.nextLong(-1000, 1000) * wMicros + random.nextLong(-1, 2);
          default -> random.nextLong(-3_000_000_000_000_000_000L, 3_000_000_000_000_000_000L);
        };
        long expected = Math.floorDiv(micros, wMicros) * wMicros / 1000;
        assertEquals(expected, p.windowStartMillis(new GenericInternalRow(new Object[] {micros})),
            "micros " + micros + ", window " + w + " ms");
      }
    }
  }

  @Test
  void aDatesWindowStartsAtItsMidnightOrTheWindowHoldingIt() {
    for (long w : WINDOWS_MILLIS) {
      PartitionProfiler p = profiler(PartitionProfiler.TimeKind.DAYS, w);
      for (int day = -800; day <= 800; day++) {
        long micros = day * PartitionProfiler.MICROS_PER_DAY;
        long expected = Math.floorDiv(micros, w * 1000) * w;
        assertEquals(expected, p.windowStartMillis(new GenericInternalRow(new Object[] {day})), "day " + day);
      }
    }
  }

  @Test
  void aNullTimeBelongsToNoWindow() {
    assertEquals(GroupKey.NO_TIME, profiler(PartitionProfiler.TimeKind.MICROS, 3_600_000)
        .windowStartMillis(new GenericInternalRow(new Object[] {null})));
  }
}
