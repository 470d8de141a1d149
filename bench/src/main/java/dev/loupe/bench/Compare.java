package dev.loupe.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Side by side, in one run: the whole `loupe profile FILE` process against a process running
 * DuckDB's SUMMARIZE on the same file, each repeated, reporting the median wall time and the
 * ratio. Both sides are JVM processes started the same way, so start-up is counted on both.
 *
 * <pre>
 * java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.Compare [--runs 3] FILE...
 * </pre>
 * The Loupe side runs cli/target/loupe-cli-*-all.jar (build it with ./mvnw -pl cli -am package).
 */
public final class Compare {
  private Compare() {}

  public static void main(String[] args) throws Exception {
    int runs = 3;
    List<String> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs")) {
        runs = Integer.parseInt(args[++i]);
      } else {
        files.add(args[i]);
      }
    }
    Path cliJar = findCliJar();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String benchJar = new File(Compare.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    System.out.printf(Locale.ROOT, "%-40s %12s %12s %8s%n", "file", "loupe s", "duckdb s", "ratio");
    for (String f : files) {
      Path out = Files.createTempFile("loupe-compare", ".bin");
      double loupe = median(runs, List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-jar",
          cliJar.toString(), "profile", f, "--quiet", "-o", out.toString()));
      double duck = median(runs, List.of(java, "-cp", benchJar, DuckSummarize.class.getName(), f));
      Files.deleteIfExists(out);
      System.out.printf(Locale.ROOT, "%-40s %12.2f %12.2f %8.2f%n", Path.of(f).getFileName(), loupe, duck, loupe / duck);
    }
  }

  static double median(int runs, List<String> command) throws IOException, InterruptedException {
    double[] t = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      int code = p.waitFor();
      t[i] = (System.nanoTime() - t0) / 1e9;
      if (code != 0) {
        throw new IllegalStateException("exit " + code + " from " + String.join(" ", command));
      }
    }
    Arrays.sort(t);
    return t[runs / 2];
  }

  static Path findCliJar() throws IOException {
    Path dir = Path.of("cli", "target");
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("loupe-cli-.*-all\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no cli/target/loupe-cli-*-all.jar: run ./mvnw -pl cli -am package"));
    }
  }
}
