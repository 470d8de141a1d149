package dev.loupe.core;

import static dev.loupe.core.Generators.PROPERTIES_WITH_TIMESTAMPS;
import static dev.loupe.core.Generators.SHRINK_CYCLES;
import static dev.loupe.core.Generators.cases;
import static dev.loupe.core.Generators.tables;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.CountsMetric;
import dev.loupe.core.metrics.Metric;
import dev.loupe.proto.v1.HllSketchMessage;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.impl.Constraint;

/** read(write(v)) equals v, exactly, for generated views: header, metrics and unknown components. */
class ProfileRoundTripTest {

  static final List<String> UNKNOWN_PATHS = List.of("udf/score", "udf/score_hll", "counts/extra_component",
      "no_slash", "distribution/custom", "\u540d/\uD83D\uDE00");

  /** Components Loupe does not know, of every value kind the message can hold. */
  static final Gen<MetricComponentMessage> UNKNOWN_VALUES = rs -> {
    MetricComponentMessage.Builder b = MetricComponentMessage.newBuilder();
    if (rs.next(Constraint.between(0, 2)) == 0) {
      b.setTypeId((int) rs.next(Constraint.between(0, 9)));
    }
    switch ((int) rs.next(Constraint.between(0, 6))) {
      case 0 -> b.setN(rs.next(Constraint.between(Long.MIN_VALUE, Long.MAX_VALUE)));
      case 1 -> b.setD(Generators.DOUBLE_VALUES.generate(rs));
      case 2 -> b.setSerializedBytes(ByteString.copyFromUtf8(Generators.STRING_VALUES.generate(rs)));
      case 3 -> b.setHll(HllSketchMessage.newBuilder().setSketch(ByteString.copyFrom(new byte[] {1, 2, 3})));
      case 4 -> b.setDataclassParam(Struct.newBuilder()
          .putFields("k", Value.newBuilder().setStringValue(Generators.STRING_VALUES.generate(rs)).build()));
      case 5 -> b.setN(0);
      default -> { } // no value at all
    }
    return b.build();
  };

  static final Gen<Map<String, MetricComponentMessage>> UNKNOWN_MAPS = rs -> {
    Map<String, MetricComponentMessage> m = new TreeMap<>();
    for (String path : UNKNOWN_PATHS) {
      if (rs.next(Constraint.between(0, 3)) == 0) {
        m.put(path, UNKNOWN_VALUES.generate(rs));
      }
    }
    return m;
  };

  /** A generated view whose columns carry unknown components, plus columns with only unknowns or nothing. */
  static final Gen<ProfileView> VIEWS = rs -> {
    ProfileView base = tables().generate(rs).view(PROPERTIES_WITH_TIMESTAMPS.generate(rs));
    Map<String, ColumnView> cols = new TreeMap<>();
    base.columns().forEach((name, col) -> cols.put(name,
        ColumnView.of(new ArrayList<Metric<?>>(col.metrics().values()), UNKNOWN_MAPS.generate(rs))));
    if (rs.next(Constraint.between(0, 3)) == 0) {
      cols.put("only_unknown", ColumnView.of(List.of(), UNKNOWN_MAPS.generate(rs)));
    }
    if (rs.next(Constraint.between(0, 3)) == 0) {
      cols.put("nothing_at_all", ColumnView.of(List.of()));
    }
    return ProfileView.of(base.properties(), cols);
  };

  @Test
  void writtenViewsReadBackEqual() {
    qt().withExamples(cases()).withShrinkCycles(SHRINK_CYCLES).forAll(VIEWS).checkAssert(v -> {
      ProfileView back = assertReadsBack(v);
      // and the bytes of a re-read view read back equal again (nothing drifts on a second trip)
      assertEquals(v, assertReadsBack(back));
    });
  }

  @Test
  void mergedViewsReadBackEqual() {
    qt().withExamples(cases()).withShrinkCycles(SHRINK_CYCLES).forAll(VIEWS, VIEWS).checkAssert((a, b) -> {
      assertReadsBack(a.merge(b));
    });
  }

  static ProfileView assertReadsBack(ProfileView v) {
    ProfileView back;
    try {
      back = ProfileView.read(v.toBytes(), "x");
    } catch (ProfileFormatException e) {
      throw new AssertionError("a written view does not read back: " + e.getMessage(), e);
    }
    assertEquals(v.properties(), back.properties(), "properties");
    assertEquals(v.columns().keySet(), back.columns().keySet(), "columns");
    v.columns().forEach((name, col) -> {
      ColumnView got = back.columns().get(name);
      assertEquals(col.unknownComponents(), got.unknownComponents(), name + ": unknown components");
      assertEquals(col.metrics().keySet(), got.metrics().keySet(), name + ": metric namespaces");
      col.metrics().forEach((ns, m) -> {
        if (m instanceof CardinalityMetric c) {
          // same coupons / registers; byte-level equality is pinned by cardinalityInSetModeIsEqualAfterARoundTrip
          assertEquals(Approx.canonicalHll(c), Approx.canonicalHll((CardinalityMetric) got.metrics().get(ns)),
              "column '" + name + "', HLL state");
        } else {
          assertEquals(m, got.metrics().get(ns), "column '" + name + "', metric '" + ns + "'");
        }
      });
      assertEquals(col, back.columns().get(name), "column '" + name + "'");
    });
    assertEquals(v, back);
    assertEquals(v.hashCode(), back.hashCode(), "hashCode of equal views");
    return back;
  }

  /**
   * A view that has no timestamps (ProfileView.empty(), or a DatasetProfile made without them) is
   * a legal value; reading its file back must not invent timestamps. The file stores 0 for "not
   * set" (proto3 default) and the reader already maps 0 back to absent.
   */
  @Test
  void viewWithoutTimestampsReadsBackWithoutTimestamps() throws Exception {
    ProfileView noTimes = ProfileView.of(ProfileProperties.EMPTY.withTag("k", "v"),
        Map.of("c", ColumnView.of(List.of(new CountsMetric(3, 1, 0, 0, 0)))));
    ProfileView back = ProfileView.read(noTimes.toBytes(), "x");
    assertEquals(noTimes.properties(), back.properties(),
        "the writer filled in timestamps the view did not have (ProfileFile.write uses 'now' for absent ones)");
    assertEquals(ProfileView.empty(), ProfileView.read(ProfileView.empty().toBytes(), "x"),
        "ProfileView.empty() does not survive a round trip");
  }

  /**
   * An HLL in SET mode (here 40 distinct values, lgK 12) serializes its coupons in hash-table
   * order, which depends on insertion order; reading re-inserts them in another order, so the
   * compact bytes differ although the state is the same. CardinalityMetric.equals compares those
   * bytes, so a round trip of any column with roughly 8 to 800 distinct values is "unequal".
   */
  @Test
  void cardinalityInSetModeIsEqualAfterARoundTrip() throws Exception {
    DatasetProfile p = new DatasetProfile(ProfileProperties.of(Instant.ofEpochMilli(5), Instant.ofEpochMilli(7),
        Map.of(), Map.of()));
    for (int i = 0; i < 40; i++) {
      p.track(Map.of("s", "value-" + i));
    }
    ProfileView v = p.view();
    CardinalityMetric before = v.column("s").orElseThrow().cardinality().orElseThrow();
    assertEquals(1, Approx.hllMode(before), "40 distinct values put an lgK-12 HLL in SET mode");
    ProfileView back = ProfileView.read(v.toBytes(), "x");
    CardinalityMetric after = back.column("s").orElseThrow().cardinality().orElseThrow();
    assertEquals(Approx.canonicalHll(before), Approx.canonicalHll(after), "same coupons");
    assertEquals(before.estimate(), after.estimate());
    assertEquals(before, after, "CardinalityMetric.equals compares history-dependent bytes");
  }

  @Test
  void millisecondTimestampsSurviveExactly() throws Exception {
    Instant ds = Instant.ofEpochMilli(1686760766131L);
    Instant cr = Instant.ofEpochMilli(4_102_444_799_999L);
    ProfileView v = ProfileView.of(ProfileProperties.of(ds, cr, Map.of("a", "b"), Map.of("m", "\u540d")), Map.of());
    ProfileView back = ProfileView.read(v.toBytes(), "x");
    assertEquals(ds, back.properties().datasetTimestamp().orElseThrow());
    assertEquals(cr, back.properties().creationTimestamp().orElseThrow());
    assertEquals(Map.of("m", "\u540d"), back.properties().metadata());
    assertTrue(back.columns().isEmpty());
  }
}
