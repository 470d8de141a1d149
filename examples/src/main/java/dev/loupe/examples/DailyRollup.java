package dev.loupe.examples;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.s3.S3Clients;
import dev.loupe.s3.S3Profiles;
import java.nio.file.Path;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Rolls a day of hourly windows up into one daily profile: list every profile under the day's
 * prefix, merge them (merging is associative and commutative, so order does not matter), write
 * the result.
 *
 * <pre>
 * java dev.loupe.examples.DailyRollup BUCKET PREFIX OUT.bin [ENDPOINT]
 * # e.g. BUCKET=my-bucket PREFIX=profiles/checkout/2026/11/21/
 * </pre>
 * The same works from the command line: {@code loupe merge s3://BUCKET/PREFIX -o day.bin}.
 */
public final class DailyRollup {
  private DailyRollup() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: DailyRollup BUCKET PREFIX OUT.bin [S3-ENDPOINT]");
      System.exit(2);
    }
    try (S3Client client = S3Clients.forEndpoint(args.length > 3 ? args[3] : null)) {
      S3Profiles store = new S3Profiles(client);
      List<String> keys = store.list(args[0], args[1]);
      ProfileView day = ProfileView.empty();
      for (String key : keys) {
        day = day.merge(store.read(args[0], key));
      }
      day.write(Path.of(args[2]));
      System.out.println("merged " + keys.size() + " window(s) into " + args[2]);
      for (var e : day.columns().entrySet()) {
        ColumnView c = e.getValue();
        System.out.printf("  %-12s n=%d nulls=%d%n", e.getKey(), c.counts().n(), c.counts().nulls());
      }
    }
  }
}
