package dev.loupe.spark.examples;

import dev.loupe.core.logging.WindowInfo;
import dev.loupe.s3.S3Clients;
import dev.loupe.s3.S3Writer;
import dev.loupe.spark.SparkProfiler;
import dev.loupe.spark.WriteSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark job that profiles a Parquet dataset per day and writes each day's profile to S3, under
 * the keys a {@code RollingLogger} with daily windows and the same {@code S3Writer} settings would
 * use, so batch backfills and streaming services fill the same folders.
 *
 * <pre>
 * spark-submit --class dev.loupe.spark.examples.ParquetDailyToS3 \
 *   --jars loupe-s3-writer-all.jar loupe-spark.jar \
 *   s3a://data/trips/ pickup_time trips my-bucket profiles [endpoint] [spool-dir]
 * </pre>
 *
 * Keys: {@code profiles/trips/2026/11/21/trips-20261121T000000Z-spark-batch.bin}. The spool
 * directory keeps profiles that could not be uploaded yet; run the job again (or any S3Writer on
 * that directory) to upload them.
 */
public final class ParquetDailyToS3 {
  private ParquetDailyToS3() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 5) {
      System.err.println("usage: ParquetDailyToS3 <parquet path> <time column> <dataset id> <bucket> <prefix> "
          + "[s3 endpoint, for S3-compatible stores] [spool directory, default ./loupe-spool]");
      System.exit(2);
    }
    String input = args[0];
    String timeColumn = args[1];
    String datasetId = args[2];
    String bucket = args[3];
    String prefix = args[4];
    String endpoint = args.length > 5 ? args[5] : null;
    Path spool = Path.of(args.length > 6 ? args[6] : "loupe-spool");

    SparkSession spark = SparkSession.builder().appName("loupe daily profiles of " + datasetId).getOrCreate();
    try {
      Dataset<Row> data = spark.read().parquet(input);
      SparkProfiler profiler = SparkProfiler.builder()
          .datasetId(datasetId)
          .timeColumn(timeColumn, Duration.ofDays(1))
          .tag("source", input)
          .build();
      try (S3Writer s3 = S3Writer.builder()
          .client(S3Clients.forEndpoint(endpoint))
          .bucket(bucket)
          .prefix(prefix)
          .instanceId("spark-batch")
          .spoolDirectory(spool)
          .build()) {
        WriteSummary summary = profiler.write(data, s3);
        for (WindowInfo w : summary.windows()) {
          System.out.println("s3://" + bucket + "/" + s3.keyFor(w));
        }
        if (summary.rowsWithoutTime() > 0) {
          System.out.println(summary.rowsWithoutTime() + " row(s) have no " + timeColumn + " and are in no window");
        }
      } // close waits for the uploads (30 s by default); what is left stays in the spool
    } finally {
      spark.stop();
    }
  }
}
