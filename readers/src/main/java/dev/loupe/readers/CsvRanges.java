package dev.loupe.readers;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.arrow.memory.RootAllocator;

/**
 * Parallel parsing of a plain (not gzipped) CSV file: the file is cut into byte ranges at line
 * breaks, and each thread parses (FastCSV, configured as {@link CsvBatchReader#parser}) and
 * profiles whole ranges itself, so parsing is spread over the cores instead of one thread feeding
 * the others.
 *
 * <p>A cut after a {@code \n} byte is a record boundary unless it falls inside a quoted field (which
 * may hold line breaks). Telling that needs the quoting state from the start of the file, so ranges
 * are used only when no byte before the last cut is the quote character, which a quick scan (all
 * threads, 8 bytes at a time) checks; otherwise, and for small files, {@link #profile} returns
 * null and the caller reads the file with one parser. Cutting at a {@code \n} byte never splits a
 * UTF-8 sequence.
 *
 * <p>Column types come from the caller (inferred, as always, from the file's first rows), so every
 * range converts its cells exactly as the one-parser path does, and the views merge into the same
 * profile by the merge laws. A range that fails (a ragged row, bad UTF-8, a huge field) makes this
 * return null too: the one-parser path then reports the error with its exact line number.
 */
final class CsvRanges {
  /** Ranges are at least this long (smaller files are parsed by one thread, as before). */
  static final long DEFAULT_MIN_RANGE_BYTES = 8L << 20;
  /** Ranges per thread: more ranges than threads keep all threads busy to the end. */
  private static final int RANGES_PER_THREAD = 4;
  private static final int SCAN_BUFFER = 1 << 20;
  /**
   * Whether quote-free ranges are profiled from their bytes ({@link CsvByteRange}) rather than
   * through FastCSV; {@code -Dloupe.csv.bytePath=false} turns it off (to compare the two).
   */
  static final boolean BYTE_PATH = !"false".equals(System.getProperty("loupe.csv.bytePath"));
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private CsvRanges() {}

  /**
   * The byte offsets where ranges start, plus the file size at the end; null when the file is too
   * small to split into at least two ranges of {@code minRange} bytes.
   */
  static long[] cuts(FileChannel ch, long size, int threads, long minRange) throws IOException {
    long wanted = Math.min((long) threads * RANGES_PER_THREAD, size / Math.max(1, minRange));
    if (threads < 2 || wanted < 2) {
      return null;
    }
    List<Long> starts = new ArrayList<>();
    starts.add(0L);
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    for (long k = 1; k < wanted; k++) {
      long from = Math.max(k * size / wanted, starts.get(starts.size() - 1) + 1);
      long cut = afterNextNewline(ch, from, size, buf);
      if (cut >= size) {
        break;
      }
      if (cut > starts.get(starts.size() - 1)) {
        starts.add(cut);
      }
    }
    if (starts.size() < 2) {
      return null;
    }
    long[] out = new long[starts.size() + 1];
    for (int i = 0; i < starts.size(); i++) {
      out[i] = starts.get(i);
    }
    out[starts.size()] = size;
    return out;
  }

  /** The offset just after the first {@code \n} at or after {@code from}; {@code size} when there is none. */
  private static long afterNextNewline(FileChannel ch, long from, long size, ByteBuffer buf) throws IOException {
    for (long pos = from; pos < size; ) {
      buf.clear();
      int n = ch.read(buf, pos);
      if (n <= 0) {
        return size;
      }
      byte[] a = buf.array();
      for (int i = 0; i < n; i++) {
        if (a[i] == '\n') {
          return pos + i + 1;
        }
      }
      pos += n;
    }
    return size;
  }

  /** True when some byte in [from, to) of the file is {@code b}; the range is scanned on all cores. */
  static boolean contains(Path file, long from, long to, byte b, int threads) throws IOException {
    long length = to - from;
    int slices = (int) Math.max(1, Math.min(threads * 4L, length / SCAN_BUFFER));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      // the common pool has (cores - 1) threads and the caller joins in
      return IntStream.range(0, slices).parallel().anyMatch(s -> {
        long a = from + length * s / slices;
        long z = from + length * (s + 1) / slices;
        try {
          return contains(ch, a, z, b);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static boolean contains(FileChannel ch, long from, long to, byte b) throws IOException {
    byte[] a = new byte[SCAN_BUFFER];
    ByteBuffer buf = ByteBuffer.wrap(a);
    long pattern = (b & 0xffL) * 0x0101010101010101L;
    for (long pos = from; pos < to; ) {
      buf.clear().limit((int) Math.min(a.length, to - pos));
      int n = ch.read(buf, pos);
      if (n <= 0) {
        throw new IOException("the file ended early (was it changed while being read?)");
      }
      int i = 0;
      for (; i + 8 <= n; i += 8) {
        // a zero byte in x is a byte equal to b (the classic "has zero byte" test)
        long x = (long) LONGS.get(a, i) ^ pattern;
        if (((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) != 0) {
          return true;
        }
      }
      for (; i < n; i++) {
        if (a[i] == b) {
          return true;
        }
      }
      pos += n;
    }
    return false;
  }

  /** Thrown inside a range for anything the one-parser path should report instead. */
  static final class Unsplittable extends RuntimeException {
    Unsplittable(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * The profile of the whole file, parsed in ranges on {@code threads} threads; null when the file
   * cannot be split safely (too small, a quote character before the last cut, a non-ASCII quote) or
   * a range fails: the caller then reads it with one parser.
   */
  static ProfileView profile(Path file, char delimiter, char quote, List<String> names, ColumnType[] types,
      int threads, long minRange, int batchSize, ProfileProperties props, Progress progress) throws IOException {
    if (quote > 0x7f) {
      return null; // the scan looks for the quote as one byte
    }
    long[] cuts;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      cuts = cuts(ch, ch.size(), threads, minRange);
    }
    if (cuts == null) {
      return null;
    }
    int ranges = cuts.length - 1;
    // a quote-free file (one scan of all of it, the common case) is profiled from its bytes
    // (CsvByteRange); one with quotes only in its last range is still cut, and that range goes
    // through FastCSV; one with a quote before the last cut is not cut at all
    boolean bytePath = BYTE_PATH && CsvByteRange.usable(delimiter);
    boolean quoteFree = bytePath && !contains(file, 0, cuts[ranges], (byte) quote, threads);
    if (!quoteFree && contains(file, 0, cuts[ranges - 1], (byte) quote, threads)) {
      return null;
    }
    boolean lastQuoteFree = quoteFree;
    AtomicInteger next = new AtomicInteger();
    try {
      return Workers.parallel(Math.min(threads, ranges), props, (profile, cancelled) -> {
        CsvByteRange bytes = bytePath ? new CsvByteRange(names, types, delimiter, batchSize) : null;
        try (RootAllocator allocator = new RootAllocator();
             CsvBatch batch = new CsvBatch(names, types, allocator, batchSize);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          for (int r; !cancelled.getAsBoolean() && (r = next.getAndIncrement()) < ranges; ) {
            if (bytes != null && (r < ranges - 1 || lastQuoteFree)) {
              bytes.profile(ch, cuts[r], cuts[r + 1], r == 0, profile, progress, cancelled);
            } else {
              profileRange(ch, cuts[r], cuts[r + 1], r == 0, delimiter, quote, names.size(), batch, batchSize,
                  profile, progress, cancelled);
            }
          }
        }
      });
    } catch (Unsplittable e) {
      return null;
    }
  }

  static void profileRange(FileChannel ch, long from, long to, boolean first, char delimiter, char quote,
      int width, CsvBatch batch, int batchSize, DatasetProfile profile, Progress progress,
      java.util.function.BooleanSupplier cancelled) throws IOException {
    InputStream in = new RangeInputStream(ch, from, to, progress);
    batch.clear();
    Cells cells = new Cells(batch, width, batchSize, first);
    // only the first range starts the file: a byte-order mark elsewhere is text
    try (de.siegmar.fastcsv.reader.CsvReader<Boolean> csv = CsvBatchReader.parser(delimiter, quote)
        .build(cells, first ? Inputs.strictUtf8(in) : Inputs.strictUtf8KeepingBom(in));
         CloseableIterator<Boolean> full = csv.iterator()) {
      while (full.hasNext()) { // the parser returns only when the batch is full or the range ends
        full.next();
        track(batch, profile, progress);
        if (cancelled.getAsBoolean()) {
          return;
        }
      }
      if (batch.finish() > 0) {
        track(batch, profile, progress);
      }
    } catch (CsvParseException | UncheckedIOException e) {
      throw new Unsplittable(e);
    }
  }

  /**
   * FastCSV's callback for a range: every field goes from the parser's buffer straight into the
   * batch's vectors (no String per field, no record per row). A record is "built" (non-null) only
   * when it fills the batch. Anything the one-parser path reports as an error (a ragged row, a
   * field or record over FastCSV's bounds) throws {@link Unsplittable}.
   */
  private static final class Cells extends de.siegmar.fastcsv.reader.CsvCallbackHandler<Boolean> {
    /** FastCSV's default bounds (as {@code CsvRecordHandler} applies them on the one-parser path). */
    private static final int MAX_FIELD_SIZE = 16 << 20;
    private static final int MAX_RECORD_SIZE = 64 << 20;

    private final CsvBatch batch;
    private final int width;
    private final int batchSize;
    private boolean header;
    private de.siegmar.fastcsv.reader.RecordType type = de.siegmar.fastcsv.reader.RecordType.DATA;
    private int fields;
    private long recordSize;

    Cells(CsvBatch batch, int width, int batchSize, boolean header) {
      this.batch = batch;
      this.width = width;
      this.batchSize = batchSize;
      this.header = header;
    }

    @Override
    protected de.siegmar.fastcsv.reader.RecordType getRecordType() {
      return type;
    }

    @Override
    protected int getFieldCount() {
      return fields;
    }

    @Override
    protected void beginRecord(long line) {
      type = de.siegmar.fastcsv.reader.RecordType.DATA;
      fields = 0;
      recordSize = 0;
    }

    @Override
    protected void addField(char[] buf, int offset, int len, boolean quoted) {
      if (len > MAX_FIELD_SIZE || (recordSize += len) > MAX_RECORD_SIZE || fields >= width) {
        throw new Unsplittable(new DataFormatException("a ragged row or a huge field"));
      }
      if (!header) {
        batch.set(fields, buf, offset, len);
      }
      fields++;
    }

    @Override
    protected void setComment(char[] buf, int offset, int len) {
      throw new Unsplittable(new DataFormatException("a comment")); // comments are not enabled
    }

    @Override
    protected void setEmpty() {
      type = de.siegmar.fastcsv.reader.RecordType.EMPTY;
    }

    @Override
    protected Boolean buildRecord() {
      if (type != de.siegmar.fastcsv.reader.RecordType.DATA) {
        return null; // an empty line: skipped (any cell it set is set again by the next row)
      }
      if (fields != width) {
        throw new Unsplittable(new DataFormatException("a ragged row"));
      }
      if (header) {
        header = false;
        return null;
      }
      return batch.endRow() == batchSize ? Boolean.TRUE : null;
    }
  }

  private static void track(CsvBatch batch, DatasetProfile profile, Progress progress) {
    int rows = batch.finish();
    batch.trackInto(profile);
    batch.clear();
    if (progress != null) {
      progress.addRows(rows);
    }
  }

  /** Bytes [from, to) of a file, read with positional reads (the channel is shared by a thread's ranges). */
  private static final class RangeInputStream extends InputStream {
    private final FileChannel ch;
    private final long to;
    private final Progress progress;
    private long pos;

    RangeInputStream(FileChannel ch, long from, long to, Progress progress) {
      this.ch = ch;
      this.pos = from;
      this.to = to;
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= to) {
        return -1;
      }
      int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, to - pos)), pos);
      if (n < 0) {
        throw new IOException("the file ended early (was it changed while being read?)");
      }
      pos += n;
      if (progress != null) {
        progress.addBytes(n);
      }
      return n;
    }
  }
}
