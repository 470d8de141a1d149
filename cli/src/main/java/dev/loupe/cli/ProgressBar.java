package dev.loupe.cli;

import dev.loupe.readers.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress display on stderr, redrawn a few times a second: percent of bytes, a bar,
 * bytes done of total, rows, rows per second and the time left. It appears only after the first
 * second (short inputs print nothing), and is erased when done.
 */
final class ProgressBar implements AutoCloseable {
  private static final long FIRST_DRAW_NANOS = 1_000_000_000L;
  private static final int BAR = 24;

  private final java.util.function.DoubleFunction<String> line; // seconds elapsed -> the line to draw
  private final PrintWriter err;
  private final long start = System.nanoTime();
  private final Thread thread;
  private volatile boolean done;
  private int drawn;

  ProgressBar(Progress progress, PrintWriter err) {
    this(s -> line(progress.bytesDone(), progress.totalBytes(), progress.rows(), s), err);
  }

  /** A bar of {@code done} of {@code total} items named {@code unit} ("windows"). */
  static ProgressBar counting(java.util.function.LongSupplier done, long total, String unit, PrintWriter err) {
    return new ProgressBar(s -> countLine(done.getAsLong(), total, unit, s), err);
  }

  private ProgressBar(java.util.function.DoubleFunction<String> line, PrintWriter err) {
    this.line = line;
    this.err = err;
    this.thread = new Thread(this::loop, "loupe-progress");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (!done) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
      long elapsed = System.nanoTime() - start;
      if (!done && elapsed >= FIRST_DRAW_NANOS) {
        draw(line.apply(elapsed / 1e9));
      }
    }
  }

  private synchronized void draw(String s) {
    if (done) {
      return;
    }
    err.print("\r" + s + " ".repeat(Math.max(0, drawn - s.length())));
    err.flush();
    drawn = s.length();
  }

  static String line(long bytes, long total, long rows, double seconds) {
    double f = total > 0 ? Math.min(1, (double) bytes / total) : 0;
    int filled = (int) Math.round(f * BAR);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%3d%% [", Math.round(f * 100)))
        .append("#".repeat(filled)).append(" ".repeat(BAR - filled)).append("] ")
        .append(bytes(bytes)).append(" / ").append(bytes(total)).append(", ")
        .append(count(rows)).append(" rows, ").append(count(Math.round(rows / Math.max(seconds, 1e-3))))
        .append(" rows/s");
    if (f > 0.01 && f < 1) {
      long eta = Math.round(seconds / f - seconds);
      b.append(String.format(Locale.ROOT, ", ETA %d:%02d", eta / 60, eta % 60));
    }
    return b.toString();
  }

  static String countLine(long done, long total, String unit, double seconds) {
    double f = total > 0 ? Math.min(1, (double) done / total) : 0;
    int filled = (int) Math.round(f * BAR);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%3d%% [", Math.round(f * 100)))
        .append("#".repeat(filled)).append(" ".repeat(BAR - filled)).append("] ")
        .append(count(done)).append(" / ").append(count(total)).append(' ').append(unit).append(", ")
        .append(count(Math.round(done / Math.max(seconds, 1e-3)))).append(' ').append(unit).append("/s");
    if (f > 0.01 && f < 1) {
      long eta = Math.round(seconds / f - seconds);
      b.append(String.format(Locale.ROOT, ", ETA %d:%02d", eta / 60, eta % 60));
    }
    return b.toString();
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String count(long n) {
    if (n < 10_000) {
      return Long.toString(n);
    }
    if (n < 1_000_000) {
      return String.format(Locale.ROOT, "%.1fk", n / 1e3);
    }
    return String.format(Locale.ROOT, "%.1fM", n / 1e6);
  }

  @Override
  public void close() {
    synchronized (this) {
      done = true;
      if (drawn > 0) {
        err.print("\r" + " ".repeat(drawn) + "\r");
        err.flush();
      }
    }
    thread.interrupt();
  }
}
