package dev.loupe.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs each example's main with small sizes and checks what it produced against the generated data. */
class ExamplesTest {

  @FunctionalInterface
  interface Main {
    void run() throws Exception;
  }

  /** Runs {@code main} with System.out captured; returns what it printed. */
  static String captureOut(Main main) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      main.run();
    } finally {
      System.setOut(original);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void parallelProfilingMergesChunksIntoTheProfileOfTheWholeAndWritesItReadably(@TempDir Path dir) throws Exception {
    int rows = 60_000;
    Path file = dir.resolve("merged.bin");
    String printed = captureOut(() -> ParallelProfiling.main(new String[] {String.valueOf(rows), file.toString()}));
    assertTrue(printed.contains("read it back"), printed);

    byte[] bytes = Files.readAllBytes(file);
    assertArrayEquals("WHY1".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 4));
    ProfileView merged = ProfileView.read(file);
    assertEquals(ParallelProfiling.DATASET_TIME, merged.properties().datasetTimestamp().orElseThrow());
    assertEquals(ParallelProfiling.SCHEMA.getFields().size(), merged.columns().size());
    merged.columns().forEach((name, col) -> assertEquals(rows, col.counts().n(), name + " counts/n"));

    ColumnView amount = merged.column("amount").orElseThrow();
    long expectedNulls = (rows - 1) / 997 + 1; // rows 0, 997, 1994, ...
    assertEquals(expectedNulls, amount.counts().nulls());
    assertEquals(rows - expectedNulls, amount.types().fractional());
    ColumnView orderId = merged.column("order_id").orElseThrow();
    assertEquals(0L, orderId.ints().orElseThrow().min().getAsLong());
    assertEquals(rows - 1L, orderId.ints().orElseThrow().max().getAsLong());

    // split invariance: the merged chunks equal one profile of all rows, exactly where the metric is exact
    ProfileView whole;
    try (RootAllocator allocator = new RootAllocator()) {
      whole = ParallelProfiling.profileChunk(allocator, 0, rows);
    }
    for (String name : whole.columns().keySet()) {
      ColumnView a = whole.column(name).orElseThrow();
      ColumnView b = merged.column(name).orElseThrow();
      assertEquals(a.counts(), b.counts(), name);
      assertEquals(a.types(), b.types(), name);
      assertEquals(a.ints(), b.ints(), name);
      assertEquals(a.cardinality().map(CardinalityMetric::compositeEstimate),
          b.cardinality().map(CardinalityMetric::compositeEstimate), name);
      assertEquals(a.distribution().map(DistributionMetric::n), b.distribution().map(DistributionMetric::n), name);
    }
    DistributionMetric wholeAmount = whole.column("amount").orElseThrow().distribution().orElseThrow();
    DistributionMetric mergedAmount = amount.distribution().orElseThrow();
    assertEquals(wholeAmount.mean().getAsDouble(), mergedAmount.mean().getAsDouble(), 1e-9 * Math.abs(wholeAmount.mean().getAsDouble()));
    assertEquals(wholeAmount.stddev().getAsDouble(), mergedAmount.stddev().getAsDouble(), 1e-9 * wholeAmount.stddev().getAsDouble());
    // a quantile of the merged sketch sits at (about) the same rank in the single sketch
    double eps = wholeAmount.normalizedRankError() + mergedAmount.normalizedRankError();
    for (double r : DistributionMetric.summaryRanks()) {
      double rankInWhole = wholeAmount.rank(mergedAmount.quantile(r).getAsDouble()).getAsDouble();
      assertTrue(Math.abs(rankInWhole - r) <= eps + 1.0 / rows, "rank " + r + " came back as " + rankInWhole);
    }
    // ten countries fit the frequent-items sketch, so its counts are exact on both sides
    assertEquals(whole.column("country").orElseThrow().frequentItems().orElseThrow().allItems(),
        merged.column("country").orElseThrow().frequentItems().orElseThrow().allItems());
  }

  @Test
  void arrowBatchesPrintsTheSummaryOfEveryBatchAndColumn() throws Exception {
    int batches = 3;
    int rowsPerBatch = 1000;
    int rows = batches * rowsPerBatch;
    String printed = captureOut(() -> ArrowBatches.main(new String[] {String.valueOf(batches), String.valueOf(rowsPerBatch)}));
    JsonNode root = new ObjectMapper().readTree(printed);

    assertEquals("ArrowBatches example", root.at("/properties/tags/source").asText());
    assertEquals(ArrowBatches.START.toEpochMilli(), root.at("/properties/dataset_timestamp").asLong());
    JsonNode cols = root.get("columns");
    for (String name : new String[] {"id", "price", "sku", "color", "in_stock", "updated_at"}) {
      assertEquals(rows, cols.at("/" + name + "/counts~1n").asLong(), name + " counts/n");
    }
    JsonNode id = cols.get("id");
    assertEquals("integral", id.get("type").asText());
    assertEquals(0, id.get("ints/min").asLong());
    assertEquals(rows - 1, id.get("ints/max").asLong());

    JsonNode price = cols.get("price");
    assertEquals("fractional", price.get("type").asText());
    assertEquals(rows / 10 + 1, price.get("counts/null").asLong()); // every tenth row, and the NaN
    assertEquals(1, price.get("counts/nan").asLong());
    assertEquals(1.0, price.get("distribution/min").asDouble());
    assertEquals(99.0, price.get("distribution/max").asDouble()); // row % 100 == 99 is a null row

    JsonNode sku = cols.get("sku");
    assertEquals("string", sku.get("type").asText());
    assertTrue(sku.get("cardinality/lower_1").asDouble() <= 50 && 50 <= sku.get("cardinality/upper_1").asDouble(),
        sku.toString());

    Map<String, Long> colors = new HashMap<>();
    cols.get("color").get("frequent_items/frequent_strings")
        .forEach(item -> colors.put(item.get("value").asText(), item.get("est").asLong()));
    assertEquals(Map.of("red", (long) rows / 2, "green", (long) rows / 3, "blue", (long) rows / 6), colors);
    assertEquals("string", cols.at("/color/type").asText());

    assertEquals("boolean", cols.at("/in_stock/type").asText());
    assertEquals(rows * 3 / 4, cols.at("/in_stock/counts~1true").asLong());
    // timestamps are profiled as time (epoch milliseconds, core's value rules): counted as integral values
    assertEquals("time", cols.at("/updated_at/type").asText());
    assertEquals(rows, cols.at("/updated_at/types~1integral").asLong());
  }

  @Test
  void rowsAndRecordsShowsExactCountsAndBoundedEstimates() throws Exception {
    int orders = 700;
    String printed = captureOut(() -> RowsAndRecords.main(new String[] {String.valueOf(orders)}));

    assertTrue(printed.contains("id (integral)\n  count 700, nulls 0"), printed);
    assertTrue(printed.contains("amount (fractional)\n  count 700, nulls 28 (of which NaN 28)"), printed);
    assertTrue(printed.contains("customer (string)\n  count 700, nulls 7 "), printed); // rows 0, 100, .. 600 as maps
    assertTrue(printed.contains("gift (boolean)\n  count 700, nulls 0 (of which NaN 0), trues 70"), printed);
    assertTrue(printed.contains("placedAt (time)"), printed);
    assertTrue(printed.contains("integer range [0, 699] (exact)"), printed);

    // seven customers: the sketch holds them all, so each estimate is the exact count
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < orders; i++) {
      if (i % 2 == 0 && i % 100 == 0) {
        continue; // tracked as a map row with a null customer
      }
      expected.merge(RowsAndRecords.order(i).customer(), 1L, Long::sum);
    }
    Matcher m = Pattern.compile("\\n    (\\w+)\\s+~(\\d+) in \\[(\\d+), (\\d+)]").matcher(printed);
    int seen = 0;
    while (m.find()) {
      if (!expected.containsKey(m.group(1))) {
        continue; // a quantity or id item
      }
      long exact = expected.get(m.group(1));
      assertEquals(exact, Long.parseLong(m.group(2)), m.group());
      assertEquals(exact, Long.parseLong(m.group(3)), m.group());
      assertEquals(exact, Long.parseLong(m.group(4)), m.group());
      seen++;
    }
    assertEquals(5, seen, "top five customers printed:\n" + printed);
  }
}
