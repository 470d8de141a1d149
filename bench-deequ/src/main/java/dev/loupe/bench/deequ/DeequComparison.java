package dev.loupe.bench.deequ;

import com.amazon.deequ.profiles.ColumnProfile;
import com.amazon.deequ.profiles.ColumnProfilerRunner;
import com.amazon.deequ.profiles.ColumnProfiles;
import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.spark.SparkProfiler;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Loupe's Spark profiler against Deequ's ColumnProfilerRunner on the same cached DataFrame (10
 * mixed columns), in one JVM and one Spark session: a warm-up of both on a small frame, then each
 * timed on the full one. Prints both times and the ratio.
 *
 * <p>What each computes: Loupe, per column, exact counts and types, mean/stddev/min/max, a KLL
 * quantile sketch, an HLL distinct count and frequent items (strings and integers), in one pass.
 * Deequ's default column profile: completeness, approximate distinct count and data type per
 * column, numeric statistics (min/max/mean/sum/stddev) for numeric columns, and a histogram for
 * columns with at most 120 distinct values; in several passes.
 */
public final class DeequComparison {
  private DeequComparison() {}

  public static void main(String[] args) {
    long rows = Long.getLong("bench.rows", 5_000_000L);
    int partitions = Integer.getInteger("bench.partitions", 8);
    SparkSession spark = SparkSession.builder()
        .master("local[*]")
        .appName("loupe-vs-deequ")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", String.valueOf(partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate();
    try {
      System.out.printf("Spark %s, %d cores, %d rows x 10 columns, %d partitions, heap %d MB%n", spark.version(),
          Runtime.getRuntime().availableProcessors(), rows, partitions, Runtime.getRuntime().maxMemory() >> 20);

      Dataset<Row> warm = frame(spark, 200_000, partitions).cache();
      warm.count();
      loupe(warm);
      deequ(warm);
      warm.unpersist();

      Dataset<Row> df = frame(spark, rows, partitions).cache();
      long t0 = System.nanoTime();
      long count = df.count();
      System.out.printf("generated and cached %d rows in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);

      t0 = System.nanoTime();
      ProfileView loupe = loupe(df);
      double loupeSeconds = (System.nanoTime() - t0) / 1e9;

      t0 = System.nanoTime();
      ColumnProfiles deequ = deequ(df);
      double deequSeconds = (System.nanoTime() - t0) / 1e9;

      System.out.println();
      System.out.printf("%-14s %12s %12s %14s %14s%n", "column", "loupe n", "deequ compl.", "loupe distinct",
          "deequ distinct");
      Map<String, ColumnProfile> byName = scala.collection.JavaConverters.mapAsJavaMapConverter(deequ.profiles()).asJava();
      for (Map.Entry<String, ColumnView> e : loupe.columns().entrySet()) {
        ColumnProfile d = byName.get(e.getKey());
        System.out.printf("%-14s %12d %12.4f %14s %14s%n", e.getKey(), e.getValue().counts().n(),
            d == null ? Double.NaN : d.completeness(),
            e.getValue().cardinality().map(c -> String.format("%.0f", c.estimate())).orElse("-"),
            d == null ? "-" : String.valueOf(d.approximateNumDistinctValues()));
      }
      System.out.println();
      System.out.printf("Loupe SparkProfiler.profile:       %8.2f s%n", loupeSeconds);
      System.out.printf("Deequ ColumnProfilerRunner.run:    %8.2f s%n", deequSeconds);
      System.out.printf("ratio (Deequ / Loupe):             %8.1fx%n", deequSeconds / loupeSeconds);
    } finally {
      spark.stop();
    }
  }

  static ProfileView loupe(Dataset<Row> df) {
    return SparkProfiler.builder().build().profile(df);
  }

  static ColumnProfiles deequ(Dataset<Row> df) {
    return new ColumnProfilerRunner().onData(df).run();
  }

  /** 10 mixed columns from a seeded generator: integers, doubles with nulls, strings of low and high cardinality. */
  static Dataset<Row> frame(SparkSession spark, long rows, int partitions) {
    Column id = functions.col("id");
    Column u = functions.rand(1);
    Column g = functions.randn(2);
    return spark.range(0, rows, 1, partitions).select(
        id.as("id"),
        functions.pmod(id.multiply(2654435761L), functions.lit(1000)).cast(DataTypes.IntegerType).as("category"),
        g.multiply(100).plus(500).as("amount"),
        functions.when(u.lt(0.05), functions.lit(null)).otherwise(functions.rand(3)).as("ratio"),
        functions.floor(functions.rand(4).multiply(100_000)).cast(DataTypes.LongType).as("customer"),
        functions.concat(functions.lit("country-"), functions.pmod(id, functions.lit(50)).cast(DataTypes.StringType))
            .as("country"),
        functions.when(functions.rand(5).lt(0.02), functions.lit(null))
            .otherwise(functions.concat(functions.lit("user-"),
                functions.floor(functions.rand(6).multiply(1_000_000)).cast(DataTypes.StringType))).as("user"),
        functions.rand(7).lt(0.3).as("flag"),
        functions.floor(functions.rand(8).multiply(3600)).cast(DataTypes.IntegerType).as("duration_s"),
        functions.rand(9).multiply(1000).cast(DataTypes.FloatType).as("score"));
  }
}
