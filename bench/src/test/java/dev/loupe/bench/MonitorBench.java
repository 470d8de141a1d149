package dev.loupe.bench;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.KeyTemplate;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.monitor.History;
import dev.loupe.core.monitor.Monitor;
import dev.loupe.core.monitor.MonitorResult;
import dev.loupe.s3.S3History;
import dev.loupe.s3.S3Profiles;
import dev.loupe.s3.S3TestServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * The monitor's speed harness: a history of hourly window profiles in an S3-compatible store on
 * 127.0.0.1 (s3proxy, in memory), listed, read ahead, and checked against the trailing 24 windows.
 * Prints the wall time of list + read + check and the heap in use along the way (flat memory: it
 * must not grow with the number of windows).
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am install
 * ./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/tmp/bench-cp.txt
 * java -Xmx3g -cp bench/target/test-classes:bench/target/classes:$(cat /tmp/bench-cp.txt) \
 *     dev.loupe.bench.MonitorBench [windows=10000] [columns=50] [rows=100] [threads=16]
 * </pre>
 *
 * The in-memory store lives in the same JVM (10,000 windows of 50 columns are about 500 MiB): give it
 * the heap, and read the samples as the store plus the monitor. Uploading is not timed. The store holds {@code windows} objects; their content cycles through 240
 * distinct generated windows (ten days), so generating them stays cheap while every object is still
 * fetched, parsed, merged and tested.
 */
public final class MonitorBench {
  public static void main(String[] args) throws Exception {
    Map<String, Integer> o = new HashMap<>(Map.of("windows", 10_000, "columns", 50, "rows", 100, "threads", 16));
    for (String a : args) {
      String[] kv = a.split("=", 2);
      o.put(kv[0], Integer.parseInt(kv[1]));
    }
    int windows = o.get("windows");
    int columns = o.get("columns");
    int rows = o.get("rows");
    int threads = o.get("threads");
    Instant start = Instant.parse("2025-01-01T00:00:00Z");
    Duration hour = Duration.ofHours(1);
    try (S3TestServer server = new S3TestServer(); S3Client client = server.client()) {
      client.createBucket(CreateBucketRequest.builder().bucket("bench").build());
      S3Profiles profiles = new S3Profiles(client);
      long g0 = System.nanoTime();
      List<byte[]> distinct = new ArrayList<>();
      for (int i = 0; i < Math.min(240, windows); i++) {
        distinct.add(window(i, columns, rows, start.plus(hour.multipliedBy(i))).toBytes());
      }
      System.out.printf(Locale.ROOT, "generated %d distinct windows in %.1f s%n", distinct.size(),
          (System.nanoTime() - g0) / 1e9);
      KeyTemplate template = KeyTemplate.of(KeyTemplate.DEFAULT);
      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> puts = new ArrayList<>();
      for (int i = 0; i < windows; i++) {
        int k = i;
        puts.add(pool.submit(() -> {
          String key = "hist/" + template.render(WindowInfo.of("events", start.plus(hour.multipliedBy(k)), hour), "b1");
          profiles.put("bench", key, ProfileView.read(distinct.get(k % distinct.size()), key), Map.of());
          return null;
        }));
      }
      for (Future<?> f : puts) {
        f.get();
      }
      pool.shutdown();
      System.out.printf(Locale.ROOT, "uploaded %d windows x %d columns (%d rows each, %.0f KiB a profile) in %.1f s"
          + " (not timed)%n", windows, columns, rows, distinct.get(0).length / 1024.0, (System.nanoTime() - t0) / 1e9);

      MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
      System.gc();
      long before = mem.getHeapMemoryUsage().getUsed();
      long[] peakAfterGc = {0};
      List<String> samples = new ArrayList<>();
      AtomicLong done = new AtomicLong();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long start2 = System.nanoTime();
      History.Listing listing = History.of(new S3History(profiles, "bench", "hist")).list();
      double listed = (System.nanoTime() - start2) / 1e9;
      MonitorResult r;
      try (History.Windows it = listing.open(threads)) {
        r = Monitor.builder().trailing(24).build().run(it, listing.window(), (p, a) -> {
          long n = done.incrementAndGet();
          if (n % (windows / 5) == 0) {
            long used = mem.getHeapMemoryUsage().getUsed();
            peakAfterGc[0] = Math.max(peakAfterGc[0], used);
            samples.add(String.format(Locale.ROOT, "%d: %.0f MiB", n, used / 1048576.0));
          }
        });
      }
      double secs = (System.nanoTime() - start2) / 1e9;
      double cpuSecs = (os.getProcessCpuTime() - cpu0) / 1e9;
      System.gc();
      long after = mem.getHeapMemoryUsage().getUsed();
      System.out.printf(Locale.ROOT, "monitor: %d windows x %d columns from s3://bench/hist/ (listing %.1f s) checked in "
          + "%.1f s (%.0f windows/s, %d reading threads; process CPU %.1f s, store included); %d alerts%n",
          r.windows(), columns, listed, secs, r.windows() / secs, threads, cpuSecs, r.alerts().size());
      System.out.printf(Locale.ROOT, "heap in use: before %.0f MiB, during [%s], after %.0f MiB (max heap %.0f MiB)%n",
          before / 1048576.0, String.join(", ", samples), after / 1048576.0,
          Runtime.getRuntime().maxMemory() / 1048576.0);
    }
  }

  /** Window {@code i}: numeric columns (normal, integer counts), categorical and boolean columns. */
  static ProfileView window(int i, int columns, int rows, Instant t) {
    Random r = new Random(i);
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY.withDatasetTimestamp(t));
    Map<String, Object> row = new HashMap<>();
    String[] cats = {"a", "b", "c", "d", "e", "f", "g", "h"};
    for (int k = 0; k < rows; k++) {
      row.clear();
      for (int c = 0; c < columns; c++) {
        String name = String.format(Locale.ROOT, "c%02d", c);
        switch (c % 5) {
          case 0, 1 -> row.put(name, 10 * c + 3 * r.nextGaussian());
          case 2 -> row.put(name, (long) r.nextInt(20 + c));
          case 3 -> row.put(name, cats[Math.min(7, (int) Math.abs(r.nextGaussian() * 2.5))]);
          default -> row.put(name, r.nextDouble() < 0.3);
        }
      }
      p.track(row);
    }
    return p.view();
  }
}
