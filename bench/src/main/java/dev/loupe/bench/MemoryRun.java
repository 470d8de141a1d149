package dev.loupe.bench;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Profiles N generated rows (the five columns of {@link ProfileSizes}, in Arrow batches) and prints
 * the process's peak resident set size (VmHWM) and heap in use: a profile's memory is bounded by its
 * sketches, so the peak must stay flat from 10M to 100M rows.
 *
 * <pre>
 * for n in 10000000 100000000; do
 *   java -Xmx1g --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.MemoryRun $n
 * done
 * </pre>
 */
public final class MemoryRun {
  private MemoryRun() {}

  public static void main(String[] args) throws IOException {
    long rows = Long.parseLong(args[0]);
    long t0 = System.nanoTime();
    ProfileView v;
    try (BufferAllocator alloc = new RootAllocator()) {
      v = ProfileSizes.profile(alloc, rows);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.gc();
    Runtime rt = Runtime.getRuntime();
    long heapUsed = rt.totalMemory() - rt.freeMemory();
    System.out.printf("rows=%d seconds=%.1f profile_bytes=%d peak_rss_mb=%s heap_used_after_gc_mb=%d%n", rows, secs,
        v.toBytes().length, vmHwmMb(), heapUsed >> 20);
  }

  static String vmHwmMb() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return "n/a";
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.toString(Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10);
      }
    }
    return "n/a";
  }
}
