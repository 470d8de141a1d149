package dev.loupe.core.logging.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MergeWarmUpTest {

  @Test
  void mergesEveryStripeOfEveryKindAndGivesTheSameMergeEachRound() throws Exception {
    ProfileView once = MergeWarmUp.run(3, 1, () -> false);
    ProfileView thrice = MergeWarmUp.run(3, 3, () -> false); // the last of 3 rounds
    // KLL compaction draws random bits, so only the exact parts are compared between the two runs
    assertEquals(once.columns().keySet(), thrice.columns().keySet());
    once.columns().forEach((name, c) -> {
      assertEquals(c.counts(), thrice.columns().get(name).counts(), name);
      assertEquals(c.types(), thrice.columns().get(name).types(), name);
    });
    assertEquals(9, once.columns().size());
    for (ColumnView c : once.columns().values()) {
      assertEquals(3L * MergeWarmUp.ROWS, c.counts().n(), "every stripe's rows are in the merge");
    }
    // the sketches reach the forms real traffic gives them, or the compiled code would not fit it
    assertTrue(once.column("many_strings").orElseThrow().cardinality().orElseThrow().estimate() > 50_000);
    assertTrue(once.column("odd_real").orElseThrow().counts().nan() > 0);
    assertTrue(once.column("odd_real").orElseThrow().counts().inf() > 0);
    assertTrue(once.isTime("time"));
    var types = once.column("mixed").orElseThrow().types();
    assertTrue(types.integral() > 0 && types.fractional() > 0 && types.string() > 0 && types.object() > 0);
    assertTrue(once.column("mixed").orElseThrow().counts().nulls() > 0);
    assertEquals(once, ProfileView.read(once.toBytes(), "the warm-up's merge"));
  }

  @Test
  void stopsBetweenRoundsWhenAsked() {
    assertNull(MergeWarmUp.run(2, 5, () -> true), "stopped before the first round");
    AtomicInteger asked = new AtomicInteger();
    MergeWarmUp.run(2, 5, () -> asked.incrementAndGet() > 2);
    assertEquals(3, asked.get(), "asked before each round, and the third answer stopped it");
  }
}
