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
 * Side by side, in one run: the whole {@code bin/loupe profile FILE} process against a JVM running
 * DuckDB's SUMMARIZE on the same file ({@link DuckSummarize}), alternately (loupe then DuckDB, then
 * DuckDB then loupe, ...), so both see the same machine load. Each process runs under
 * {@code /usr/bin/time}, which gives its wall time, CPU time (user + system) and peak RSS; the table
 * holds the medians and the ratios loupe / DuckDB. One unmeasured run of each side comes first: it
 * warms the page cache for both and lets bin/loupe create its class-data archive (the first run of
 * a command is slower by the dump; later runs map it).
 *
 * <pre>
 * java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.Compare [--runs 5] FILE...
 * </pre>
 * Run from the repository root (it runs bin/loupe; build the jar with ./mvnw -pl cli -am package).
 */
public final class Compare {
  private Compare() {}

  /** One process's figures from /usr/bin/time. */
  record Run(double wall, double cpu, double rssMb) {}

  public static void main(String[] args) throws Exception {
    int runs = 5;
    List<String> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs")) {
        runs = Integer.parseInt(args[++i]);
      } else {
        files.add(args[i]);
      }
    }
    if (!Files.isExecutable(Path.of("bin", "loupe"))) {
      throw new IllegalStateException("run from the repository root: bin/loupe not found");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String benchJar = new File(Compare.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    System.out.printf(Locale.ROOT, "load average before: %s%n", loadAverage());
    System.out.println();
    System.out.println("| file | loupe wall s | DuckDB wall s | ratio | loupe CPU s | DuckDB CPU s | CPU ratio "
        + "| loupe peak RSS MB | DuckDB peak RSS MB |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (String f : files) {
      Path out = Files.createTempFile("loupe-compare", ".bin");
      List<String> loupe = List.of("bin/loupe", "profile", f, "--quiet", "-o", out.toString());
      List<String> duck = List.of(java, "-cp", benchJar, DuckSummarize.class.getName(), f);
      time(loupe);
      time(duck);
      List<Run> l = new ArrayList<>();
      List<Run> d = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        if (i % 2 == 0) {
          l.add(time(loupe));
          d.add(time(duck));
        } else {
          d.add(time(duck));
          l.add(time(loupe));
        }
      }
      Files.deleteIfExists(out);
      Run lm = median(l);
      Run dm = median(d);
      System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f |%n",
          Path.of(f).getFileName(), lm.wall, dm.wall, lm.wall / dm.wall, lm.cpu, dm.cpu, lm.cpu / dm.cpu,
          lm.rssMb, dm.rssMb);
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "load average after: %s; medians of %d alternating runs; %d cores%n",
        loadAverage(), runs, Runtime.getRuntime().availableProcessors());
  }

  /** Each figure's median on its own (wall, CPU and RSS of different runs may differ). */
  static Run median(List<Run> runs) {
    double[] w = runs.stream().mapToDouble(Run::wall).sorted().toArray();
    double[] c = runs.stream().mapToDouble(Run::cpu).sorted().toArray();
    double[] m = runs.stream().mapToDouble(Run::rssMb).sorted().toArray();
    return new Run(mid(w), mid(c), mid(m));
  }

  static double mid(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static Run time(List<String> command) throws IOException, InterruptedException {
    Path stats = Files.createTempFile("loupe-compare", ".time");
    try {
      List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-o", stats.toString(), "-f", "%e %U %S %M"));
      cmd.addAll(command);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      int code = p.waitFor();
      if (code != 0) {
        throw new IllegalStateException("exit " + code + " from " + String.join(" ", command));
      }
      String[] t = Files.readString(stats).trim().split("\\s+");
      String[] last = Arrays.copyOfRange(t, t.length - 4, t.length); // after any "Command exited" line
      return new Run(Double.parseDouble(last[0]), Double.parseDouble(last[1]) + Double.parseDouble(last[2]),
          Double.parseDouble(last[3]) / 1024);
    } finally {
      Files.deleteIfExists(stats);
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
