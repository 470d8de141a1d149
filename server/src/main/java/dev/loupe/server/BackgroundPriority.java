package dev.loupe.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers a thread's CPU priority for work no request waits on while it runs: the checkpoint's merge
 * and encoding. On two busy cores that work took a core for 50-150 ms every checkpoint, and the
 * requests queued behind the one core left (half-peak Arrow's slowest requests came at checkpoints).
 * At nice 19 the requests preempt it: it runs in the time the cores are idle, and against a busy
 * normal thread it gets a small share of a core (weight 15 against 1,024), so under sustained
 * saturation a checkpoint takes many times longer (the rotation waits for it). Storage engines do the
 * same for their background threads (RocksDB lowers its compaction threads' priority).
 *
 * <p>Linux only: the thread's id is read from {@code /proc/thread-self} and {@code renice} (util-linux
 * or busybox; Debian and Ubuntu always have it, distroless images do not) sets its nice value; lowering
 * one's own priority needs no privilege. Where that fails the thread keeps its priority and {@link #lowerCurrentThread}
 * returns why; nothing else depends on it.
 */
final class BackgroundPriority {
  /** The nice value of background threads: the lowest priority short of an idle-only class. */
  static final int NICE = 19;

  private BackgroundPriority() {}

  /** Sets the calling thread's nice value to {@link #NICE}; null when done, else why not. */
  static String lowerCurrentThread() {
    Path self = Path.of("/proc/thread-self");
    String tid;
    try {
      tid = Files.readSymbolicLink(self).getFileName().toString(); // "<pid>/task/<tid>"
    } catch (IOException | UnsupportedOperationException e) {
      return "no " + self + " (" + e + ")";
    }
    try {
      // the legacy form "renice <priority> -p <id>" sets the value (POSIX -n adds to it in some versions)
      Process p = new ProcessBuilder("renice", Integer.toString(NICE), "-p", tid).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) { // its few lines of output fit the pipe: read after it ends
        p.destroyForcibly();
        return "renice did not finish in 10 s";
      }
      String out;
      try (var in = p.getInputStream()) {
        out = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).trim();
      }
      return p.exitValue() == 0 ? null : "renice exited with " + p.exitValue() + ": " + out;
    } catch (IOException e) {
      return "renice could not run (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** The calling thread's nice value (Linux: field 19 of /proc/thread-self/stat), for tests. */
  static int niceOfCurrentThread() throws IOException {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(f[16]); // fields after the name start at 3 (state): nice is field 19
  }
}
