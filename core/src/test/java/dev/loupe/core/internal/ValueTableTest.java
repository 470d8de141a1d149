package dev.loupe.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ValueTable's JSON decoding against independent computations: numbers parse to exactly the
 * double {@link Double#parseDouble} gives (the parser uses FastDoubleParser), strings come out
 * equal to the JSON text whatever the column's cache of repeated strings holds, and presized
 * columns ({@link ValueTable#expectRows}) hold the same values as growing ones.
 */
class ValueTableTest {

  /** Decodes {@code [v0, v1, ...]} (JSON texts) as rows of one column "x"; returns that column. */
  private static ValueTable.Column column(List<String> jsonValues, int expectRows) {
    ValueTable t = new ValueTable();
    t.expectRows(expectRows);
    String body = "[" + String.join(",", jsonValues) + "]";
    try (JsonParser p = ValueTable.jsonFactory().createParser(body)) {
      p.nextToken();
      ValueTable.Column c = null;
      JsonToken tok;
      while ((tok = p.nextToken()) != JsonToken.END_ARRAY) {
        c = c == null ? t.column("x") : t.columnAgain(c);
        t.appendJson(p, tok, c);
        t.endRow();
      }
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertParsesLikeJava(String text) {
    ValueTable.Column c = column(List.of(text), 16);
    double expected = Double.parseDouble(text);
    assertEquals(1, c.doubleCount, text);
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(c.doubles[0]),
        text + ": " + c.doubles[0] + " against Double.parseDouble's " + expected);
  }

  @Test
  void doublesRoundTripBitForBit() {
    qt().forAll(longs().all()).checkAssert(bits -> {
      double d = Double.longBitsToDouble(bits);
      if (Double.isFinite(d)) {
        assertParsesLikeJava(Double.toString(d));
      }
    });
    qt().forAll(doubles().any()).checkAssert(d -> {
      if (Double.isFinite(d)) {
        assertParsesLikeJava(Double.toString(d));
      }
    });
  }

  @Test
  void longDecimalTextsRoundLikeJava() {
    // 17 to 40 significant digits, exponents across the whole range, halfway cases included
    qt().forAll(longs().all(), integers().between(17, 40), integers().between(-340, 320)).checkAssert((seed, digits, exp) -> {
      SplittableRandom r = new SplittableRandom(seed);
      StringBuilder sb = new StringBuilder(r.nextBoolean() ? "-" : "");
      sb.append(1 + r.nextInt(9)).append('.');
      for (int i = 1; i < digits; i++) {
        sb.append(r.nextInt(10));
      }
      sb.append('e').append(exp);
      assertParsesLikeJava(sb.toString());
      String plain = new BigDecimal(sb.toString()).toPlainString();
      // a plain text without a point is a JSON integer (an integral value, not a double): keep it fractional
      plain = plain.indexOf('.') < 0 ? plain + ".0" : plain;
      assertParsesLikeJava(plain.length() < 400 ? plain : sb.toString());
    });
    for (String t : new String[] {"4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "1.7976931348623157e308", "1.7976931348623158e308", "9007199254740993.0", "0.1", "-0.0", "1e-400"}) {
      assertParsesLikeJava(t);
    }
  }

  @Test
  void stringsAreTheirTextWhateverTheCacheHolds() {
    // equal hash codes ("Aa" and "BB"), escapes, non-Latin-1, the empty string, and more distinct
    // values than the cache has slots, repeated in a shuffled order
    List<String> values = new ArrayList<>(List.of("Aa", "BB", "AaAa", "BBBB", "AaBB", "BBAa", "", "a\"b", "\u00e9t\u00e9",
        "\u65e5\u672c", "\ud83d\ude00", "v1"));
    for (int i = 0; i < 1000; i++) {
      values.add("v" + i);
    }
    SplittableRandom r = new SplittableRandom(7);
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      rows.add(values.get(r.nextInt(i % 3 == 0 ? values.size() : 12)));
    }
    List<String> json = new ArrayList<>();
    for (String s : rows) {
      json.add("\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
    for (int expect : new int[] {16, 1000, 1 << 20}) {
      ValueTable.Column c = column(json, expect);
      assertEquals(rows.size(), c.stringCount);
      assertArrayEquals(rows.toArray(new String[0]), Arrays.copyOf(c.strings, c.stringCount), "expectRows " + expect);
    }
  }

  @Test
  void presizedColumnsHoldTheSameValuesAsGrowingOnes() {
    SplittableRandom r = new SplittableRandom(3);
    List<String> json = new ArrayList<>();
    List<Long> longs = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      long v = r.nextLong();
      longs.add(v);
      json.add(Long.toString(v));
      json.add(Double.toString(r.nextDouble()));
    }
    ValueTable.Column small = column(json, 16);
    for (int expect : new int[] {100, 5000, 70_000}) {
      ValueTable.Column big = column(json, expect);
      assertEquals(5000, big.longCount);
      assertArrayEquals(Arrays.copyOf(small.longs, small.longCount), Arrays.copyOf(big.longs, big.longCount));
      assertArrayEquals(Arrays.copyOf(small.doubles, small.doubleCount), Arrays.copyOf(big.doubles, big.doubleCount));
    }
    assertEquals(longs.get(4999), small.longs[4999]);
  }

  /**
   * Column lookup guesses each row's key order from the previous row's: whatever the order, repeats
   * and nesting, every value lands in the column a plain name lookup gives (checked against a
   * map-based model of the rule: a name already given a value in this row becomes name.1, name.2, ...).
   */
  @Test
  void columnsAreTheSameWhateverTheKeyOrder() {
    String[] keys = {"a", "b", "c", "a.1", "d", "g"};
    SplittableRandom r = new SplittableRandom(11);
    ValueTable reused = new ValueTable();
    for (int trial = 0; trial < 200; trial++) {
      // odd trials decode into one table reset after every trial: it must behave as a new one
      ValueTable t;
      if (trial % 2 == 0) {
        t = new ValueTable();
      } else {
        reused.reset();
        t = reused;
      }
      Map<String, List<Long>> expected = new LinkedHashMap<>();
      List<String> order = new ArrayList<>(List.of(keys).subList(0, 1 + r.nextInt(keys.length)));
      long next = 0;
      int rows = 1 + r.nextInt(40);
      StringBuilder body = new StringBuilder("[");
      for (int row = 0; row < rows; row++) {
        switch (r.nextInt(6)) { // mostly the same order as the previous row, sometimes another
          case 0 -> java.util.Collections.shuffle(order, new java.util.Random(r.nextLong()));
          case 1 -> order.add(keys[r.nextInt(keys.length)]); // a key again (possibly repeated in the row)
          case 2 -> {
            if (order.size() > 1) {
              order.remove(r.nextInt(order.size()));
            }
          }
          default -> { }
        }
        Map<String, Integer> usedInRow = new HashMap<>();
        body.append(row == 0 ? "{" : ",{");
        for (int i = 0; i < order.size(); i++) {
          String k = order.get(i);
          long v = next++;
          String json;
          String base;
          if (k.equals("g")) { // a nested object: its field is the value, column g.x
            json = "{\"x\": " + v + "}";
            base = "g.x";
          } else {
            json = Long.toString(v);
            base = k;
          }
          String name = base;
          for (int j = 1; usedInRow.containsKey(name); j++) {
            name = base + "." + j;
          }
          usedInRow.put(name, row);
          expected.computeIfAbsent(name, n -> new ArrayList<>()).add(v);
          body.append(i == 0 ? "" : ",").append('"').append(k).append("\": ").append(json);
        }
        body.append('}');
      }
      body.append(']');
      try (JsonParser p = ValueTable.jsonFactory().createParser(body.toString())) {
        p.nextToken();
        while (p.nextToken() == JsonToken.START_OBJECT) {
          t.appendJsonFields(p, null);
          t.endRow();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      assertEquals(new ArrayList<>(expected.keySet()), t.columnNames(), body.toString());
      for (Map.Entry<String, List<Long>> e : expected.entrySet()) {
        assertEquals((long) e.getValue().size(), t.presentCounts().get(e.getKey()), e.getKey() + " in " + body);
        ValueTable.Column c = t.column(e.getKey()); // a new row: the column itself
        long[] want = e.getValue().stream().mapToLong(Long::longValue).toArray();
        assertArrayEquals(want, Arrays.copyOf(c.longs, c.longCount), e.getKey() + " in " + body);
      }
    }
  }

  /** Decodes JSON lines into {@code t} (after {@link ValueTable#reset}) and returns the tracked profile's bytes. */
  private static byte[] decodeAndTrack(ValueTable t, String lines) {
    t.reset();
    try (JsonParser p = ValueTable.jsonFactory().createParser(lines)) {
      while (p.nextToken() == JsonToken.START_OBJECT) {
        t.appendJsonFields(p, null);
        t.endRow();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    dev.loupe.core.DatasetProfile profile = new dev.loupe.core.DatasetProfile();
    t.trackInto(profile, true);
    return profile.view().withProperties(dev.loupe.core.ProfileProperties.EMPTY).toBytes();
  }

  /**
   * A table reset after a request (the server reuses one per thread) decodes and tracks the next
   * one exactly as a new table does: the same columns, the same profile bytes, whatever columns,
   * kinds and sizes the earlier request had.
   */
  @Test
  void aResetTableTracksTheSameProfileAsANewOne() {
    SplittableRandom r = new SplittableRandom(5);
    ValueTable reused = new ValueTable();
    for (int trial = 0; trial < 60; trial++) {
      StringBuilder lines = new StringBuilder();
      int rows = 1 + r.nextInt(trial % 3 == 0 ? 3000 : 50);
      String[] names = {"a", "b", "c", "d", "e"};
      for (int row = 0; row < rows; row++) {
        lines.append('{');
        int cols = 1 + r.nextInt(names.length);
        for (int c = 0; c < cols; c++) {
          String v = switch (r.nextInt(8)) {
            case 0 -> Long.toString(r.nextLong());
            case 1 -> Double.toString(r.nextGaussian());
            case 2 -> "\"s" + r.nextInt(trial % 2 == 0 ? 5 : 100_000) + "\"";
            case 3 -> r.nextBoolean() ? "true" : "false";
            case 4 -> "null";
            case 5 -> "[1, [2.5]]";
            case 6 -> "{\"x\": " + r.nextInt(10) + "}";
            default -> "{}";
          };
          lines.append(c == 0 ? "" : ",").append('"').append(names[(c + trial) % names.length]).append("\": ")
              .append(v);
        }
        lines.append("}\n");
      }
      byte[] fresh = decodeAndTrack(new ValueTable(), lines.toString());
      byte[] again = decodeAndTrack(reused, lines.toString());
      assertArrayEquals(fresh, again, "trial " + trial);
    }
  }
}
