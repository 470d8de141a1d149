package dev.loupe.examples;

import dev.loupe.core.ColumnView;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.metrics.DistributionMetric;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Profiling in parallel: the pattern every multi-threaded or distributed user follows.
 *
 * <ol>
 *   <li>Split the input into chunks (here: row ranges of a generated dataset; in real life, file
 *       splits, Kafka partitions or Spark partitions).</li>
 *   <li>Profile each chunk in its own task with its own {@link DatasetProfile}. A profile is not
 *       thread-safe, and needs no locking this way.</li>
 *   <li>Reduce the tasks' {@link ProfileView}s with {@link ProfileView#merge}. Merge is associative
 *       and commutative, so the order in which tasks finish does not matter, and the merged view
 *       is the profile of the whole dataset.</li>
 *   <li>Write the merged profile (a whylogs v1 {@code .bin}) and read it back.</li>
 * </ol>
 *
 * <p>Each task feeds its chunk as Arrow batches, Loupe's fast columnar path.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED dev.loupe.examples.ParallelProfiling [rows] [out.bin]
 * </pre>
 *
 * Defaults: 4,000,000 rows, written to {@code parallel-profile.bin}.
 */
public final class ParallelProfiling {
  /** Rows per Arrow batch inside a task. */
  static final int BATCH_ROWS = 8192;

  /** The time the data is from; every chunk carries the same one. */
  static final Instant DATASET_TIME = Instant.parse("2024-01-01T00:00:00Z");

  static final Schema SCHEMA = new Schema(List.of(
      Field.nullable("order_id", new ArrowType.Int(64, true)),
      Field.nullable("amount", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
      Field.nullable("country", ArrowType.Utf8.INSTANCE),
      Field.nullable("quantity", new ArrowType.Int(32, true)),
      Field.nullable("express", ArrowType.Bool.INSTANCE)));

  static final String[] COUNTRIES = {"US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "ES", "IT"};

  private ParallelProfiling() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 4_000_000L;
    Path out = Path.of(args.length > 1 ? args[1] : "parallel-profile.bin");

    int threads = Runtime.getRuntime().availableProcessors();
    int chunks = (int) Math.max(1, Math.min(rows, 4L * threads)); // a few chunks per thread balance the load
    long chunkRows = (rows + chunks - 1) / chunks;

    long started = System.nanoTime();
    ProfileView merged;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (RootAllocator allocator = new RootAllocator()) {
      List<CompletableFuture<ProfileView>> parts = new ArrayList<>();
      for (long from = 0; from < rows; from += chunkRows) {
        long start = from;
        long end = Math.min(rows, from + chunkRows);
        parts.add(CompletableFuture.supplyAsync(() -> profileChunk(allocator, start, end), pool));
      }
      // The reduce: any order, any grouping gives the same profile.
      merged = parts.stream().map(CompletableFuture::join).reduce(ProfileView.empty(), ProfileView::merge);
    } finally {
      pool.shutdown();
    }
    long millis = (System.nanoTime() - started) / 1_000_000;

    ColumnView amount = merged.column("amount").orElseThrow();
    DistributionMetric dist = amount.distribution().orElseThrow();
    System.out.printf("profiled %,d rows in %d chunks on %d threads in %d ms%n", rows, chunks, threads, millis);
    System.out.printf("order_id: counts/n = %,d, distinct ~ %,.0f%n",
        merged.column("order_id").orElseThrow().counts().n(),
        merged.column("order_id").orElseThrow().cardinality().orElseThrow().estimate());
    System.out.printf("amount: nulls = %,d, mean = %.3f, median = %.3f (rank error %.2f%%)%n",
        amount.counts().nulls(), dist.mean().getAsDouble(), dist.quantile(0.5).getAsDouble(), 100 * dist.normalizedRankError());

    merged.write(out);
    ProfileView back = ProfileView.read(out);
    if (!back.equals(merged)) {
      throw new IllegalStateException(out + " does not read back as the profile that was written");
    }
    System.out.printf("wrote %s and read it back: %d columns, equal to the merged profile%n",
        out, back.columns().size());
  }

  /**
   * Profiles rows [start, end) in the calling thread with its own DatasetProfile, one Arrow batch
   * at a time. The batch's memory comes from a child allocator that is closed (and checked for
   * leaks) when the task ends.
   */
  static ProfileView profileChunk(BufferAllocator parent, long start, long end) {
    DatasetProfile profile = new DatasetProfile().datasetTimestamp(DATASET_TIME);
    try (BufferAllocator allocator = parent.newChildAllocator("rows-" + start, 0, Long.MAX_VALUE);
        VectorSchemaRoot batch = VectorSchemaRoot.create(SCHEMA, allocator)) {
      for (long from = start; from < end; from += BATCH_ROWS) {
        int n = (int) Math.min(BATCH_ROWS, end - from);
        fill(batch, from, n);
        profile.trackDataframe(batch);
      }
    }
    return profile.view();
  }

  /** Writes rows [first, first + n) of the generated dataset into {@code batch}. */
  static void fill(VectorSchemaRoot batch, long first, int n) {
    BigIntVector orderId = (BigIntVector) batch.getVector("order_id");
    Float8Vector amount = (Float8Vector) batch.getVector("amount");
    VarCharVector country = (VarCharVector) batch.getVector("country");
    IntVector quantity = (IntVector) batch.getVector("quantity");
    BitVector express = (BitVector) batch.getVector("express");
    batch.allocateNew();
    for (int i = 0; i < n; i++) {
      long row = first + i;
      long h = mix(row);
      orderId.setSafe(i, row);
      if (isAmountNull(row)) {
        amount.setNull(i); // setNull grows the validity buffer as needed
      } else {
        // roughly log-normal prices around 20
        amount.setSafe(i, Math.round(20 * Math.exp(gaussian(h)) * 100) / 100.0);
      }
      // skewed categories: the first countries are the most common
      int c = (int) Math.min(COUNTRIES.length - 1, Math.floor(-Math.log(unit(h >>> 7)) * 2));
      country.setSafe(i, COUNTRIES[c].getBytes(StandardCharsets.UTF_8));
      quantity.setSafe(i, 1 + (int) ((h >>> 40) % 9));
      express.setSafe(i, (h & 3) == 0 ? 1 : 0);
    }
    batch.setRowCount(n);
  }

  /** Every 997th amount is missing, so the merged null count can be checked exactly. */
  static boolean isAmountNull(long row) {
    return row % 997 == 0;
  }

  /** SplitMix64's finalizer: a well-mixed hash of the row number, so any chunk is generated alone. */
  static long mix(long x) {
    long z = x * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static double unit(long bits) {
    return ((bits >>> 11) + 1) * 0x1.0p-53; // in (0, 1]
  }

  private static double gaussian(long h) {
    // Box-Muller from two halves of the hash
    double u1 = unit(h);
    double u2 = unit(mix(h));
    return 0.5 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
