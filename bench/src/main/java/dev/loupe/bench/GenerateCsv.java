package dev.loupe.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a CSV of mixed columns (ids, timestamps as text, low- and high-cardinality strings,
 * doubles with nulls, integers, booleans, free text) of about the requested size.
 *
 * <pre>java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.GenerateCsv OUT.csv [megabytes]</pre>
 */
public final class GenerateCsv {
  private GenerateCsv() {}

  static final String[] COUNTRIES = {"NZ", "DE", "US", "JP", "BR", "IN", "FR", "GB", "CA", "AU"};
  static final String[] STATUS = {"ok", "pending", "failed", "refunded"};

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    long targetBytes = (args.length > 1 ? Long.parseLong(args[1]) : 1024) * 1024 * 1024;
    SplittableRandom r = new SplittableRandom(7);
    long written = 0;
    long row = 0;
    StringBuilder line = new StringBuilder(256);
    try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(out), StandardCharsets.UTF_8),
        1 << 20)) {
      String header = "id,created_at,country,status,user,amount,quantity,discount,is_gift,comment\n";
      w.write(header);
      written += header.length();
      while (written < targetBytes) {
        line.setLength(0);
        long ts = 1_700_000_000L + row * 3;
        line.append(row).append(',')
            .append(ts).append(',')
            .append(COUNTRIES[r.nextInt(COUNTRIES.length)]).append(',')
            .append(STATUS[r.nextInt(STATUS.length)]).append(',')
            .append("user").append(r.nextInt(2_000_000)).append(',')
            .append(String.format(Locale.ROOT, "%.2f", r.nextDouble() * 500)).append(',')
            .append(1 + r.nextInt(20)).append(',');
        if (r.nextInt(10) != 0) {
          line.append(String.format(Locale.ROOT, "%.3f", r.nextDouble()));
        }
        line.append(',').append(r.nextInt(8) == 0 ? "true" : "false").append(',')
            .append("note ").append(r.nextInt(5000)).append(" for order ").append(row).append('\n');
        w.append(line);
        written += line.length();
        row++;
      }
    }
    System.out.println("wrote " + row + " rows, " + written + " bytes to " + out);
  }
}
