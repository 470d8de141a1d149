package dev.loupe.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.loupe.core.internal.ValueTable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * CPU time of decoding JSON into core's {@link ValueTable} alone (no tracking): Kafka's record shape
 * (JSON objects, one per record, read with one parser per poll as the consumer does, 10 mixed columns as in {@link ServerLoad#jsonBody}, rows in the same
 * key order, a batch of 1,000 records per table) and the same with one nested object per row.
 * Prints nanoseconds of thread CPU per row, best of {@code rounds}. To compare two builds of
 * ValueTable, run this class alternately with each one first on the classpath (see docs/benchmarks.md).
 *
 * Run with {@code -XX:-UseOnStackReplacement}: with it on, a JVM lands in a fast or a 1.5x slower mode by
 * chance (OSR of these loops), which swamps a comparison.
 *
 * <pre>java -XX:-UseOnStackReplacement -cp ... dev.loupe.bench.DecodeBench [rounds] [batches per round] [flat|nested|both]</pre>
 */
public final class DecodeBench {
  private DecodeBench() {
  }

  static byte[][] records(int rows, long seed, boolean nested) {
    Random r = new Random(seed);
    byte[][] out = new byte[rows][];
    for (int i = 0; i < rows; i++) {
      StringBuilder sb = new StringBuilder(160);
      sb.append('{');
      for (int c = 0; c < 4; c++) {
        sb.append("\"i").append(c).append("\":").append(r.nextInt(1000 * (c + 1))).append(',');
      }
      for (int c = 0; c < 4; c++) {
        sb.append("\"f").append(c).append("\":").append(Math.round(r.nextGaussian() * (c + 1) * 1000) / 1000.0)
            .append(',');
      }
      if (nested) {
        sb.append("\"geo\":{\"lat\":").append(r.nextInt(90)).append(",\"city\":\"c").append(r.nextInt(50))
            .append("\"},");
      }
      sb.append("\"s0\":\"v").append(r.nextInt(20)).append("\",\"s1\":\"v").append(r.nextInt(100_000)).append("\"}");
      out[i] = sb.toString().getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** Records joined by newlines, as the server's Kafka consumer lays out one poll (KafkaBatch.RowStream). */
  static byte[] poll(byte[][] records) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] rec : records) {
      out.writeBytes(rec);
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** Decodes one poll the way the server's Kafka path does (LogRequest.addRow): one parser across its records. */
  static int decode(ValueTable table, byte[] poll) throws Exception {
    table.clear();
    try (JsonParser p = ValueTable.jsonFactory().createParser(poll)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t != JsonToken.START_OBJECT) {
          throw new IllegalStateException("not an object: " + t);
        }
        table.appendJsonFields(p, null);
        table.endRow();
      }
    }
    return table.rows();
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int batches = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    String only = args.length > 2 ? args[2] : "both"; // flat, nested or both (one per JVM keeps JIT profiles apart)
    for (boolean nested : new boolean[] {false, true}) {
      if (!only.equals("both") && only.equals("nested") != nested) {
        continue;
      }
      byte[][] data = new byte[4][];
      for (int i = 0; i < 4; i++) {
        data[i] = poll(records(1000, i, nested));
      }
      double best = Double.MAX_VALUE;
      long sink = 0;
      for (int round = 0; round < rounds; round++) {
        long t0 = mx.getCurrentThreadCpuTime();
        long rows = 0;
        for (int b = 0; b < batches; b++) {
          // a fresh table per batch, as each Kafka poll builds its own
          ValueTable table = new ValueTable();
          rows += decode(table, data[b & 3]);
          sink += table.columnCount();
        }
        double nsPerRow = (mx.getCurrentThreadCpuTime() - t0) / (double) rows;
        best = Math.min(best, nsPerRow);
      }
      System.out.printf("%s: best %.1f ns CPU/row (1,000-row batches, fresh table each; sink %d)%n",
          nested ? "kafka-nested" : "kafka-flat", best, sink);
    }
  }
}
