package dev.loupe.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads request bodies so that no client can take the server's threads or memory:
 *
 * <ul>
 *   <li>at most {@code maxReaders} bodies are being received at once (LOUPE_MAX_BODY_READERS); a
 *       request above that is answered 503 at once instead of holding a thread;</li>
 *   <li>a body must arrive within {@code timeoutMillis} (LOUPE_BODY_TIMEOUT), else 408, and after its
 *       first 2 seconds at 1 KiB/s on average, else 408 too: one byte a second holds a reader for two
 *       seconds, not for ever;</li>
 *   <li>memory grows with the bytes that arrived (64 KiB first, then at most 16 times what arrived),
 *       never with the length a client declares alone, and every body held in memory is charged to
 *       one budget (LOUPE_MAX_INFLIGHT_BYTES); a body that would take the budget over is 503 (retry),
 *       so many large bodies at once cannot exhaust the heap;</li>
 *   <li>{@code Content-Encoding: gzip} is inflated, bounded by LOUPE_MAX_BODY_BYTES after inflation.</li>
 * </ul>
 */
final class BodyReader {
  private static final int CHUNK = 64 << 10;
  /**
   * A full buffer grows to the declared length when that is at most this many times the bytes that
   * arrived, else to twice its size: a body that keeps its word is copied once, a liar gains little.
   */
  private static final long TRUST = 16;
  /** After this long, a body must arrive at {@link #MIN_BYTES_PER_SECOND} on average. */
  private static final long GRACE_NANOS = 2_000_000_000L;
  /** A client below it (the probe's sent one byte a second) holds a reader for seconds, not for its deadline. */
  private static final long MIN_BYTES_PER_SECOND = 1024;

  private final long maxBodyBytes;
  private final long timeoutMillis;
  private final Semaphore readers;
  private final int maxReaders;
  private final long budgetBytes;
  private final AtomicLong inFlight = new AtomicLong();

  BodyReader(long maxBodyBytes, long timeoutMillis, int maxReaders, long budgetBytes) {
    this.maxBodyBytes = maxBodyBytes;
    this.timeoutMillis = timeoutMillis;
    this.maxReaders = maxReaders;
    this.readers = new Semaphore(maxReaders);
    this.budgetBytes = budgetBytes;
  }

  /** Bytes of bodies held in memory now. */
  long inFlightBytes() {
    return inFlight.get();
  }

  /** A body held in memory; closing it gives its bytes back to the budget. */
  final class Body implements AutoCloseable {
    final byte[] bytes;
    private long charged;

    private Body(byte[] bytes, long charged) {
      this.bytes = bytes;
      this.charged = charged;
    }

    @Override
    public void close() {
      inFlight.addAndGet(-charged);
      charged = 0;
    }
  }

  /**
   * Reads the body of a request whose {@code Content-Length} is {@code declared} (-1 when chunked)
   * and whose {@code Content-Encoding} is {@code encoding} (null for none).
   */
  Body read(InputStream in, long declared, String encoding) throws IOException {
    boolean gzip = false;
    if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
      if (!encoding.trim().equalsIgnoreCase("gzip") && !encoding.trim().equalsIgnoreCase("x-gzip")) {
        throw new BadRequestException(415, "Content-Encoding '" + encoding + "' is not supported; send gzip or "
            + "an uncompressed body");
      }
      gzip = true;
    }
    if (declared > maxBodyBytes) {
      throw new BadRequestException(413, "request body of " + declared + " bytes is over the limit of "
          + maxBodyBytes + " bytes (LOUPE_MAX_BODY_BYTES); split it into smaller requests");
    }
    if (!readers.tryAcquire()) {
      throw new BadRequestException(503, maxReaders + " requests are already sending their bodies "
          + "(LOUPE_MAX_BODY_READERS); retry shortly");
    }
    long[] charged = {0};
    try {
      long started = System.nanoTime();
      long deadline = started + timeoutMillis * 1_000_000L;
      byte[] raw = readBounded(in, declared, started, deadline, charged, "request body");
      if (gzip) {
        byte[] inflated;
        try (InputStream z = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), CHUNK)) {
          inflated = readBounded(z, -1, System.nanoTime(), deadline, charged, "inflated (gzip) request body");
        } catch (ZipException | java.io.EOFException e) {
          throw new BadRequestException(400, "the body is marked Content-Encoding: gzip but is not valid gzip ("
              + e.getMessage() + ")");
        }
        // the compressed bytes are garbage now; keep only the inflated ones charged
        inFlight.addAndGet(-raw.length);
        charged[0] -= raw.length;
        raw = inflated;
      }
      return new Body(raw, charged[0]);
    } catch (IOException | RuntimeException | Error e) {
      inFlight.addAndGet(-charged[0]);
      throw e; // recorded above (the budget), never swallowed
    } finally {
      readers.release();
    }
  }

  /**
   * Reads up to the limit, growing with what arrives (to at most {@link #TRUST} times the bytes that
   * arrived, or twice the buffer); charges every growth to the budget first.
   */
  private byte[] readBounded(InputStream in, long declared, long started, long deadline, long[] charged,
      String what) throws IOException {
    byte[] buf = new byte[(int) Math.min(CHUNK, declared >= 0 ? Math.max(declared, 1) : CHUNK)];
    charge(buf.length, charged);
    int n = 0;
    while (true) {
      long now = System.nanoTime();
      if (now - deadline > 0) {
        throw new BadRequestException(408, what + " did not arrive within " + timeoutMillis
            + " ms (LOUPE_BODY_TIMEOUT) after " + n + " bytes; send it faster or raise the setting");
      }
      long elapsed = now - started;
      if (elapsed > GRACE_NANOS && n * 1_000_000_000L / elapsed < MIN_BYTES_PER_SECOND) {
        throw new BadRequestException(408, what + " arrives at under " + MIN_BYTES_PER_SECOND + " bytes a second ("
            + n + " bytes in " + elapsed / 1_000_000 + " ms); send it at once");
      }
      if (n == buf.length) {
        if (declared >= 0 && n >= declared) {
          if (in.read() >= 0) {
            throw new BadRequestException(400, what + " is longer than its Content-Length of " + declared);
          }
          return buf;
        }
        long grown = Math.max((long) buf.length * 2, declared >= 0 ? Math.min(declared, (long) n * TRUST) : 0);
        grown = Math.min(grown, maxBodyBytes + 1);
        if (declared >= 0) {
          grown = Math.min(grown, declared);
        }
        if (grown <= buf.length) {
          throw tooLarge(what);
        }
        charge(grown - buf.length, charged);
        buf = Arrays.copyOf(buf, (int) grown);
      }
      int r;
      try {
        r = in.read(buf, n, buf.length - n);
      } catch (IOException e) {
        if (System.nanoTime() - deadline > 0 || String.valueOf(e).toLowerCase().contains("timeout")) {
          throw new BadRequestException(408, what + " did not arrive within " + timeoutMillis
              + " ms (LOUPE_BODY_TIMEOUT) after " + n + " bytes; send it faster or raise the setting");
        }
        throw e;
      }
      if (r < 0) {
        if (declared >= 0 && n < declared) {
          throw new BadRequestException(400, what + " ended after " + n + " of " + declared + " bytes");
        }
        break;
      }
      n += r;
      if (n > maxBodyBytes) {
        throw tooLarge(what);
      }
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }

  private BadRequestException tooLarge(String what) {
    return new BadRequestException(413, what + " is over the limit of " + maxBodyBytes
        + " bytes (LOUPE_MAX_BODY_BYTES); split it into smaller requests");
  }

  private void charge(long bytes, long[] charged) {
    long now = inFlight.addAndGet(bytes);
    charged[0] += bytes;
    if (now > budgetBytes) {
      throw new BadRequestException(503, "the server holds " + (now - bytes) + " bytes of request bodies and this one "
          + "would take it over its budget of " + budgetBytes + " bytes (LOUPE_MAX_INFLIGHT_BYTES); retry shortly");
    }
  }
}
