package dev.loupe.core;

import static dev.loupe.core.Generators.PROPERTIES;
import static dev.loupe.core.Generators.SHRINK_CYCLES;
import static dev.loupe.core.Generators.cases;
import static dev.loupe.core.Generators.tables;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.loupe.core.Generators.Table;
import dev.loupe.core.metrics.Metric;
import dev.loupe.core.metrics.MetricKind;
import dev.loupe.core.metrics.MetricRegistry;
import dev.loupe.core.internal.MetricCodec;
import dev.loupe.proto.v1.MetricComponentMessage;
import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.impl.Constraint;

/**
 * The merge laws over views made by {@link DatasetProfile} from generated tables: associativity,
 * commutativity, identity and split invariance. "≈" is {@link Approx#assertViewsClose}, which
 * walks {@link MetricRegistry#standard()} and compares each kind's metric with its namespace's
 * comparator, so registering a metric puts it under these laws.
 */
class MergeLawsTest {

  /** A generated table profiled under generated properties. */
  record Input(Table table, ProfileProperties props) {
    ProfileView view() {
      return table.view(props);
    }

    @Override
    public String toString() {
      return props + "\n" + table;
    }
  }

  static final Gen<Input> INPUTS = tables().zip(PROPERTIES, Input::new);

  static QuickTheory theory() {
    return qt().withExamples(cases()).withShrinkCycles(SHRINK_CYCLES);
  }

  @Test
  void everyRegisteredMetricKindHasAMergeLawComparator() {
    for (MetricKind<?> kind : MetricRegistry.standard().kinds()) {
      assertNotNull(Approx.comparatorFor(kind), kind.namespace());
    }
    assertEquals(MetricRegistry.standard().kinds().size(), Approx.COMPARATORS.size(),
        "a comparator exists for a namespace that is not registered: " + Approx.COMPARATORS.keySet());
  }

  @Test
  void mergeIsAssociative() {
    Approx.resetCoverage();
    theory().forAll(INPUTS, INPUTS, INPUTS).checkAssert((a, b, c) -> {
      ProfileView va = a.view();
      ProfileView vb = b.view();
      ProfileView vc = c.view();
      Approx.assertViewsClose(va.merge(vb).merge(vc), va.merge(vb.merge(vc)), "(a+b)+c vs a+(b+c)");
    });
    Approx.assertEveryKindExercised("associativity");
  }

  @Test
  void mergeIsCommutative() {
    Approx.resetCoverage();
    theory().forAll(INPUTS, INPUTS).checkAssert((a, b) -> {
      ProfileView va = a.view();
      ProfileView vb = b.view();
      Approx.assertViewsClose(va.merge(vb), vb.merge(va), "a+b vs b+a");
    });
    Approx.assertEveryKindExercised("commutativity");
  }

  @Test
  void emptyViewIsAnExactIdentity() {
    theory().forAll(INPUTS).checkAssert(a -> {
      ProfileView v = a.view();
      assertEquals(v, v.merge(ProfileView.empty()), "v + empty");
      assertEquals(v, ProfileView.empty().merge(v), "empty + v");
      ProfileView blank = ProfileView.of(ProfileProperties.EMPTY, Map.of());
      assertEquals(v, v.merge(blank), "v + a fresh view with nothing in it");
      assertEquals(v, blank.merge(v), "a fresh view with nothing in it + v");
    });
  }

  /** Per kind: zero() merges as an exact identity with every generated metric of that kind, on both sides. */
  @Test
  void everyKindsZeroIsAnExactIdentityForItsMetrics() {
    Approx.resetCoverage();
    theory().forAll(INPUTS).checkAssert(a -> {
      ProfileView v = a.view();
      for (ColumnView col : v.columns().values()) {
        for (MetricKind<?> kind : MetricRegistry.standard().kinds()) {
          col.metric(kind).ifPresent(m -> {
            assertEquals(m, MetricRegistry.standard().merge(kind.zero(), m), kind.namespace() + ": zero + m");
            assertEquals(m, MetricRegistry.standard().merge(m, kind.zero()), kind.namespace() + ": m + zero");
          });
        }
        // a column holding every kind's zero: the metrics the column has stay exactly as they were, and
        // the namespaces it lacked arrive empty (the namespace set is the union, never a changed value)
        List<Metric<?>> zeros = MetricRegistry.standard().kinds().stream().<Metric<?>>map(MetricKind::zero).toList();
        for (ColumnView merged : List.of(col.merge(ColumnView.of(zeros)), ColumnView.of(zeros).merge(col))) {
          assertEquals(MetricRegistry.standard().kinds().size(), merged.metrics().size());
          merged.metrics().forEach((ns, m) -> {
            Metric<?> mine = col.metrics().get(ns);
            if (mine == null) {
              assertTrue(m.isEmpty(), ns + ": a zero merged into a column without it must stay empty");
            } else {
              assertEquals(mine, m, ns + ": column + all-zero column");
            }
          });
        }
      }
    });
  }

  /** zero() is empty, serializes as itself, and reads back as zero. */
  @Test
  void everyKindsZeroIsEmptyAndRoundTrips() throws Exception {
    for (MetricKind<?> kind : MetricRegistry.standard().kinds()) {
      Metric<?> zero = kind.zero();
      assertTrue(zero.isEmpty(), kind.namespace() + ": zero() must be empty");
      assertEquals(kind.namespace(), zero.namespace());
      assertEquals(zero, MetricCodec.decodeAny(kind, MetricCodec.encode(zero), "test"), kind.namespace() + ": decode(zero.toComponents())");
      assertEquals(zero, MetricCodec.decodeAny(kind, Map.of(), "test"), kind.namespace() + ": decode of no components");
      assertTrue(MetricCodec.componentNames(kind).containsAll(MetricCodec.encode(zero).keySet()),
          kind.namespace() + ": writes components it does not read back: " + MetricCodec.encode(zero).keySet());
    }
  }

  @Test
  void profileOfConcatenationEqualsMergeOfProfiles() {
    Approx.resetCoverage();
    theory().forAll(tables(), Generate.range(0, 1000), PROPERTIES).checkAssert((t, cut, props) -> {
      int k = t.size() * cut / 1000;
      ProfileView whole = t.view(props);
      ProfileView split = t.slice(0, k).view(props).merge(t.slice(k, t.size()).view(props));
      Approx.assertViewsClose(whole, split, "profile(A++B) vs profile(A)+profile(B), cut at " + k);
    });
    Approx.assertEveryKindExercised("split invariance");
  }

  @Test
  void profileOfTwoTablesEqualsMergeOfTheirProfiles() {
    theory().forAll(tables(), tables(), PROPERTIES).checkAssert((a, b, props) -> {
      Approx.assertViewsClose(a.concat(b).view(props), a.view(props).merge(b.view(props)),
          "profile(A++B) vs profile(A)+profile(B), different schemas");
    });
  }

  // ---- unknown components (kept from other tools' files) ----

  static final List<String> UNKNOWN_PATHS = List.of("udf/score", "udf/count", "counts/extra", "custom");

  static final Gen<MetricComponentMessage> UNKNOWN_VALUES = rs -> {
    MetricComponentMessage.Builder b = MetricComponentMessage.newBuilder();
    switch ((int) rs.next(Constraint.between(0, 3))) {
      case 0 -> b.setTypeId(List.of(0, 1, 2, 7).get((int) rs.next(Constraint.between(0, 3))))
          .setN(rs.next(Constraint.between(-5, 5)));
      case 1 -> b.setD(List.of(1.0, 2.5, -0.0).get((int) rs.next(Constraint.between(0, 2))));
      case 2 -> b.setSerializedBytes(ByteString.copyFromUtf8(rs.next(Constraint.between(0, 1)) == 0 ? "a" : "b"));
      default -> { } // value not set
    }
    return b.build();
  };

  static final Gen<Map<String, MetricComponentMessage>> UNKNOWN_MAPS = rs -> {
    Map<String, MetricComponentMessage> m = new TreeMap<>();
    for (String path : UNKNOWN_PATHS) {
      if (rs.next(Constraint.between(0, 1)) == 0) {
        m.put(path, UNKNOWN_VALUES.generate(rs));
      }
    }
    return m;
  };

  @Test
  void unknownComponentsMergeCommutatively() {
    theory().forAll(UNKNOWN_MAPS, UNKNOWN_MAPS).checkAssert((a, b) ->
        assertEquals(MetricCodec.mergeUnknown(a, b), MetricCodec.mergeUnknown(b, a)));
  }

  /**
   * Unknown components ride along through merges, so they must obey the same laws. Values with no
   * merge rule (doubles, bytes, integers with an unknown type_id) are "kept when equal, dropped
   * when different"; whatever the rule, grouping must not change the result.
   */
  @Test
  void unknownComponentsMergeAssociatively() {
    theory().forAll(UNKNOWN_MAPS, UNKNOWN_MAPS, UNKNOWN_MAPS).checkAssert((a, b, c) ->
        assertEquals(MetricCodec.mergeUnknown(MetricCodec.mergeUnknown(a, b), c),
            MetricCodec.mergeUnknown(a, MetricCodec.mergeUnknown(b, c)), "(a+b)+c vs a+(b+c)"));
  }

  @Test
  void unknownComponentsHaveTheEmptyMapAsIdentity() {
    theory().forAll(UNKNOWN_MAPS).checkAssert(a -> {
      assertEquals(a, MetricCodec.mergeUnknown(a, Map.of()));
      assertEquals(a, MetricCodec.mergeUnknown(Map.of(), a));
    });
  }
}
