package dev.loupe.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A checkpoint's CPU work (merging the sealed open windows, serializing the checkpoint) runs on a
 * thread at the lowest CPU priority the operating system has, so that it takes only the CPU the
 * requests leave. A checkpoint is about 70 ms of CPU at once, more early in a server's life while
 * the JIT still compiles that code; at the requests' priority it time-sliced the cores with them and
 * with the group-commit thread, and every request in flight waited longer for its fsync
 * (docs/benchmarks.md, "Server ingest"). That work is never urgent: at any load short of saturation
 * a quiet moment comes within milliseconds; saturated, a checkpoint takes longer and nothing else
 * waits on it. Such a thread must hold no lock a request waits for (see Ingest's checkpointCpu).
 *
 * <p>Java has no call for a thread's OS priority (Thread.setPriority is ignored on Linux unless the
 * JVM runs with {@code -XX:ThreadPriorityPolicy=1}, which warns for users other than root), so the
 * thread asks util-linux's {@code renice} to set its own nice value to 19, once, and checks the
 * result in {@code /proc}. Elsewhere (no {@code /proc/thread-self}, no renice) the thread keeps the
 * normal priority and says so once in the log.
 */
final class BackgroundPriority {
  /** The nice value asked for: the lowest priority. */
  static final int NICE = 19;

  private static final System.Logger LOG = System.getLogger(BackgroundPriority.class.getName());

  private BackgroundPriority() {}

  /**
   * A thread factory's thread that lowers its own priority before it runs {@code work}. The
   * outcome is logged (debug when done, info when not possible, with why).
   */
  static Thread newThread(Runnable work, String name) {
    Thread t = new Thread(() -> {
      String why = lowerCurrentThread();
      if (why == null) {
        LOG.log(System.Logger.Level.DEBUG, name + " runs at nice " + NICE);
      } else {
        LOG.log(System.Logger.Level.INFO, name + " keeps the normal CPU priority (" + why
            + "): checkpoints share the cores with requests and add to their latency under load");
      }
      work.run();
    }, name);
    t.setDaemon(true);
    return t;
  }

  /** Sets the calling thread's nice value to {@link #NICE}: null when done, else why not. */
  static String lowerCurrentThread() {
    Path self = Path.of("/proc/thread-self");
    String tid;
    try {
      tid = Files.readSymbolicLink(self).getFileName().toString(); // <pid>/task/<tid>
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return "no /proc/thread-self to name this thread to the OS";
    }
    try {
      Process p = new ProcessBuilder("renice", "-n", Integer.toString(NICE), "-p", tid)
          .redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readNBytes(4096);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "renice did not finish within 10 s";
      }
      if (p.exitValue() != 0) {
        return "renice failed with exit code " + p.exitValue() + ": "
            + new String(out, StandardCharsets.UTF_8).strip();
      }
    } catch (IOException e) {
      return "renice could not run (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while renice ran";
    }
    Integer nice = niceOf(self.resolve("stat"));
    if (nice == null || nice != NICE) {
      return "renice ran but /proc shows nice " + nice;
    }
    return null;
  }

  /** The nice value in a {@code /proc/.../stat} file (its 19th field), or null when unreadable. */
  static Integer niceOf(Path stat) {
    try {
      String s = Files.readString(stat, StandardCharsets.US_ASCII);
      // the command name (field 2) is in parentheses and may hold spaces: count from after it
      String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
      return Integer.parseInt(f[16]); // f[0] is field 3 (state), so field 19 is f[16]
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
