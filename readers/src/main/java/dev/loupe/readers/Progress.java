package dev.loupe.readers;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How far profiling has got: bytes of input read (compressed bytes for {@code .gz} files, so they
 * compare with the file sizes), rows profiled, and the total bytes to read. Readers add to it from
 * their threads; a progress display polls it from another. Thread-safe.
 */
public final class Progress {
  private final AtomicLong bytesDone = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();
  private final AtomicLong totalBytes = new AtomicLong();

  public long bytesDone() {
    return bytesDone.get();
  }

  public long rows() {
    return rows.get();
  }

  /** The sum of the sizes of the files being profiled (0 when unknown). */
  public long totalBytes() {
    return totalBytes.get();
  }

  void addBytes(long n) {
    bytesDone.addAndGet(n);
  }

  void addRows(long n) {
    rows.addAndGet(n);
  }

  void addTotalBytes(long n) {
    totalBytes.addAndGet(n);
  }
}
