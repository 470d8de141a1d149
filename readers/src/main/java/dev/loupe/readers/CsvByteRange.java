package dev.loupe.readers;

import dev.loupe.core.ColumnAppender;
import dev.loupe.core.ColumnKind;
import dev.loupe.core.DatasetProfile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Profiles one quote-free byte range of a plain CSV file (see {@link CsvRanges}) straight from its
 * bytes: records end at {@code \n}, {@code \r} or {@code \r\n}, cells at the delimiter byte, and each
 * cell goes to its column's {@link ColumnAppender} (numbers, booleans, times) or, for text columns,
 * into a byte array of the batch's cells that core pre-aggregates as it does an Arrow UTF-8 vector
 * ({@link ColumnAppender#appendUtf8(byte[], int[], int[], int, int)}). No UTF-8 to char
 * decoding of the whole text (ASCII is checked 8 bytes at a time; only text with other bytes is
 * validated by the JDK's strict decoder), no CSV parser, no String per cell.
 *
 * <p>The profile is the one FastCSV's range path ({@link CsvRanges}) builds, update for update:
 * the same batches of {@code batchSize} rows per range, each column's in-type values in row order
 * (through {@link ColumnType#append}, the twin of {@link ColumnType#write} on the same parsers),
 * text columns tracked per batch from the same UTF-8 bytes, and off-type cells appended after their
 * batch as {@link CellText#classify} reads them. The tests compare the two paths byte for byte.
 *
 * <p>Only ranges without the quote character come here; anything else FastCSV's range path reports
 * as an error (a ragged row, invalid UTF-8, a field over FastCSV's bounds) throws
 * {@link CsvRanges.Unsplittable}, so the one-parser path reports it with its line number.
 */
final class CsvByteRange {
  /** FastCSV's default bounds, as the range path applies them (in bytes here: never less strict). */
  private static final int MAX_FIELD_SIZE = 16 << 20;
  private static final int MAX_RECORD_SIZE = 64 << 20;
  private static final int READ_SIZE = 1 << 20;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private final List<String> names;
  private final ColumnType[] types;
  private final byte delimiter;
  private final int width;
  private final int batchSize;
  /**
   * Per text column (null for the others): the batch's cells of that column, copied as UTF-8 bytes
   * one after another into {@code text[c]}, cell {@code i} from {@code textStarts[c][i]} (-1: an
   * empty cell, a null) to {@code textEnds[c][i]}; handed to core's {@link ColumnAppender#appendUtf8(
   * byte[], int[], int[], int, int)} when the batch ends, which tracks them as it tracks an Arrow
   * vector of the same cells.
   */
  private final byte[][] text;
  private final int[][] textStarts;
  private final int[][] textEnds;
  private final int[] textRows;
  private final int[] textBytes;
  private final List<CsvBatchReader.OffTypeValue> offType = new ArrayList<>();
  private final Values values;
  private final ColumnAppender[] appenders;
  /**
   * Per time column (null for others): the last in-type cell's bytes, length (-1: none) and value.
   * Times often repeat row after row (a log, a sorted table), and parsing one costs more than
   * comparing its bytes.
   */
  private final byte[][] lastCell;
  private final int[] lastLength;
  private final long[] lastValue;
  private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  private CharBuffer decoded = CharBuffer.allocate(0);
  private char[] chars = new char[64];
  private byte[] buf = new byte[READ_SIZE];
  private DatasetProfile profile;
  private int rows;

  CsvByteRange(List<String> names, ColumnType[] types, char delimiter, int batchSize) {
    if (!usable(delimiter)) {
      throw new IllegalArgumentException("the byte path needs an ASCII delimiter other than a line break: " + delimiter);
    }
    this.names = names;
    this.types = types;
    this.delimiter = (byte) delimiter;
    this.width = types.length;
    this.batchSize = batchSize;
    this.text = new byte[width][];
    this.textStarts = new int[width][];
    this.textEnds = new int[width][];
    this.textRows = new int[width];
    this.textBytes = new int[width];
    this.appenders = new ColumnAppender[width];
    this.values = new Values(types, batchSize);
    this.lastCell = new byte[width][];
    this.lastLength = new int[width];
    this.lastValue = new long[width];
    for (int c = 0; c < width; c++) {
      if (types[c] == ColumnType.TIME) {
        lastCell[c] = new byte[35]; // the longest time text CellText.epochMillis reads
        lastLength[c] = -1;
      }
    }
    for (int c = 0; c < width; c++) {
      if (isText(types[c])) {
        text[c] = new byte[Math.max(16, batchSize * 8)];
        textStarts[c] = new int[batchSize];
        textEnds[c] = new int[batchSize];
      }
    }
  }

  /** True when cells split at {@code delimiter} can be cut at the byte level. */
  static boolean usable(char delimiter) {
    return delimiter < 0x80 && delimiter != '\n' && delimiter != '\r';
  }

  private static boolean isText(ColumnType t) {
    return t == ColumnType.STRING || t == ColumnType.UNDECIDED;
  }

  /** Profiles the records in bytes [from, to) of the file into {@code into}; the first range holds the header. */
  void profile(FileChannel ch, long from, long to, boolean first, DatasetProfile into, Progress progress,
      BooleanSupplier cancelled) throws IOException {
    this.profile = into;
    Arrays.fill(appenders, null);
    resetBatch();
    boolean header = first;
    boolean start = first;
    int len = 0; // bytes held in buf: an incomplete record at its start, then what was read
    long pos = from;
    while (pos < to || len > 0) {
      boolean end = pos >= to;
      if (!end) {
        if (len == buf.length) { // one record fills the buffer: make room, up to FastCSV's record bound
          if (buf.length > MAX_RECORD_SIZE) {
            throw unsplittable("a record over " + MAX_RECORD_SIZE + " bytes");
          }
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int n = ch.read(ByteBuffer.wrap(buf, len, (int) Math.min(buf.length - len, to - pos)), pos);
        if (n <= 0) {
          throw new IOException("the file ended early (was it changed while being read?)");
        }
        if (progress != null) {
          progress.addBytes(n);
        }
        pos += n;
        len += n;
        end = pos >= to;
      }
      if (start) {
        start = false;
        if (len >= 3 && buf[0] == (byte) 0xEF && buf[1] == (byte) 0xBB && buf[2] == (byte) 0xBF) {
          // the byte-order mark that starts the file (elsewhere it is text): dropped from the buffer,
          // so that a first line longer than the buffer does not see it again
          System.arraycopy(buf, 3, buf, 0, len - 3);
          len -= 3;
        }
      }
      int begin = 0;
      // whole records only: up to the last line break (all of it at the end of the range)
      int complete = end ? len : lastLineBreak(buf, begin, len) + 1;
      if (complete <= begin) {
        if (end) {
          break;
        }
        continue; // no line break yet: read more behind it
      }
      checkUtf8(buf, begin, complete);
      int i = begin;
      while (i < complete) {
        byte x = buf[i];
        if (x == '\n' || x == '\r') { // an empty line is skipped, as FastCSV skips it
          i++;
          continue;
        }
        if (header) {
          header = false;
          while (i < complete && buf[i] != '\n' && buf[i] != '\r') {
            i++;
          }
          continue;
        }
        i = record(buf, i, complete) + 1;
        if (rows == batchSize) {
          endBatch(progress);
          if (cancelled.getAsBoolean()) {
            return;
          }
        }
      }
      System.arraycopy(buf, complete, buf, 0, len - complete);
      len -= complete;
    }
    if (rows > 0) {
      endBatch(progress);
    }
  }

  private static int lastLineBreak(byte[] b, int from, int to) {
    for (int i = to - 1; i >= from; i--) {
      if (b[i] == '\n' || b[i] == '\r') {
        return i;
      }
    }
    return from - 1;
  }

  /** Fails on bytes that are not UTF-8, as the strict decoder of the FastCSV path fails; ASCII is checked fast. */
  private void checkUtf8(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      if ((longAt(b, i) & HIGH_BITS) != 0) {
        break;
      }
    }
    for (; i < to; i++) {
      if (b[i] < 0) {
        break;
      }
    }
    if (i == to) {
      return;
    }
    if (decoded.capacity() < to - i) {
      decoded = CharBuffer.allocate(Math.max(to - i, 2 * decoded.capacity()));
    }
    decoded.clear();
    strict.reset();
    // the region ends at a line break, so no UTF-8 sequence is cut at its end
    CoderResult r = strict.decode(ByteBuffer.wrap(b, i, to - i), decoded, true);
    if (r.isError() || strict.flush(decoded).isError()) {
      throw unsplittable("invalid UTF-8");
    }
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;
  private static final long LFS = '\n' * ONES;
  private static final long CRS = '\r' * ONES;
  private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

  /** 0x80 in each byte of the result where {@code x} has a zero byte, 0 elsewhere (exact: no carries between bytes). */
  private static long zeroBytes(long x) {
    return ~(((x & LOW7) + LOW7) | x | LOW7);
  }

  private static long longAt(byte[] b, int i) {
    return (long) LONGS.get(b, i);
  }

  /**
   * One record: its cells from {@code from} (not a line break) to its line break or {@code limit},
   * in one pass over the bytes; returns where it ended (the line break's index, or {@code limit}).
   */
  private int record(byte[] b, int from, int limit) {
    if (appenders[0] == null) {
      seedColumns();
    }
    int c = 0;
    int cell = from;
    byte d = delimiter;
    int last = width - 1;
    int i = from;
    // 8 bytes at a time: a word's delimiters and line breaks as a mask, visited in order
    long delimiters = (d & 0xffL) * ONES;
    scan:
    for (; i + 8 <= limit; i += 8) {
      long w = longAt(b, i);
      long m = zeroBytes(w ^ delimiters) | zeroBytes(w ^ LFS) | zeroBytes(w ^ CRS);
      while (m != 0) {
        int k = i + (Long.numberOfTrailingZeros(m) >>> 3);
        if (b[k] != d) {
          i = k;
          break scan;
        }
        if (c == last) {
          throw unsplittable("a ragged row");
        }
        cell(c++, b, cell, k - cell);
        cell = k + 1;
        m &= m - 1;
      }
    }
    if (i + 8 > limit) {
      for (; i < limit; i++) {
        byte x = b[i];
        if (x == d) {
          if (c == last) {
            throw unsplittable("a ragged row");
          }
          cell(c++, b, cell, i - cell);
          cell = i + 1;
        } else if (x == '\n' || x == '\r') {
          break;
        }
      }
    }
    if (i - from > MAX_RECORD_SIZE) {
      throw unsplittable("a record over " + MAX_RECORD_SIZE + " bytes");
    }
    if (c != last) {
      throw unsplittable("a ragged row");
    }
    cell(c, b, cell, i - cell);
    rows++;
    return i;
  }

  /**
   * The columns as the range path's first tracked batch creates them, in order and with the same
   * kinds (the kind of the Arrow vector a {@link CsvBatch} holds for the column type).
   */
  private void seedColumns() {
    for (int c = 0; c < width; c++) {
      appenders[c] = profile.column(names.get(c), kindOf(types[c]));
    }
  }

  private static ColumnKind kindOf(ColumnType t) {
    return switch (t) {
      case INTEGER -> ColumnKind.INTEGRAL;
      case FRACTIONAL -> ColumnKind.FRACTIONAL;
      case TIME -> ColumnKind.TIME;
      case BOOLEAN -> ColumnKind.OBJECT; // core seeds nothing for a boolean vector
      case STRING, UNDECIDED -> ColumnKind.STRING;
    };
  }

  private void cell(int c, byte[] b, int off, int len) {
    if (len > MAX_FIELD_SIZE) {
      throw unsplittable("a field over " + MAX_FIELD_SIZE + " bytes");
    }
    byte[] into = text[c];
    if (into != null) {
      int row = textRows[c];
      if (len == 0) {
        textStarts[c][row] = -1;
      } else {
        if (types[c] != ColumnType.STRING) { // undecided: text goes with the text, anything else beside it
          Object value = CellText.classify(new String(b, off, len, StandardCharsets.UTF_8));
          if (!(value instanceof String)) {
            offType.add(new CsvBatchReader.OffTypeValue(c, rows, value));
            return;
          }
        }
        int at = textBytes[c];
        if (into.length - at < len) {
          into = text[c] = Arrays.copyOf(into, (int) Math.min(Integer.MAX_VALUE - 8,
              Math.max((long) at + len, 2L * into.length)));
          if (into.length - at < len) {
            throw unsplittable("a batch of text over 2 GB");
          }
        }
        if (len <= 16) { // most cells: a short loop beats arraycopy's set-up
          for (int k = 0; k < len; k++) {
            into[at + k] = b[off + k];
          }
        } else {
          System.arraycopy(b, off, into, at, len);
        }
        textStarts[c][row] = at;
        textEnds[c][row] = at + len;
        textBytes[c] = at + len;
      }
      textRows[c] = row + 1;
      return;
    }
    if (len == 0) {
      values.nulls[c]++;
      return;
    }
    byte[] same = lastCell[c];
    if (same != null) { // a time column: a cell that repeats the one before it has its value
      if (len == lastLength[c] && Arrays.equals(b, off, off + len, same, 0, len)) {
        values.addLong(c, lastValue[c]);
        return;
      }
      lastLength[c] = -1;
    }
    char[] ch = chars;
    if (ch.length < len) {
      ch = chars = new char[Math.max(len, 2 * ch.length)];
    }
    boolean ascii = true;
    for (int i = 0; i < len; i++) {
      byte x = b[off + i];
      ascii &= x >= 0;
      ch[i] = (char) x;
    }
    if (!ascii) { // not a number, boolean or time in ASCII: the text decides as on the FastCSV path
      String s = new String(b, off, len, StandardCharsets.UTF_8);
      if (!types[c].append(values, c, s.toCharArray(), 0, s.length())) {
        offType.add(new CsvBatchReader.OffTypeValue(c, rows, CellText.classify(s)));
      }
      return;
    }
    if (!types[c].append(values, c, ch, 0, len)) {
      offType.add(new CsvBatchReader.OffTypeValue(c, rows, CellText.classify(new String(ch, 0, len))));
    } else if (same != null && len <= same.length) {
      System.arraycopy(b, off, same, 0, len);
      lastLength[c] = len;
      lastValue[c] = values.lastLong(c);
    }
  }

  /** The batch's text columns through core's UTF-8 cells entry, then its off-type cells as what they are. */
  private void endBatch(Progress progress) {
    // column after column, as the FastCSV path tracks its Arrow batch: every sketch sees its updates
    // at the same point of the run (KLL's compactions draw from one Random that all columns share)
    for (int c = 0; c < width; c++) {
      if (text[c] != null) {
        appenders[c].appendUtf8(text[c], textStarts[c], textEnds[c], 0, textRows[c]);
      } else {
        values.drainTo(c, types[c], appenders[c]);
      }
    }
    for (CsvBatchReader.OffTypeValue o : offType) {
      appenders[o.column()].appendValue(o.value()); // core's value table decides what it is
    }
    if (progress != null) {
      progress.addRows(rows);
    }
    resetBatch();
  }

  private void resetBatch() {
    for (int c = 0; c < width; c++) {
      textRows[c] = 0;
      textBytes[c] = 0;
    }
    offType.clear();
    values.clear();
    rows = 0;
  }

  /**
   * One batch's parsed cells of the columns that are not text, per column in row order, until the
   * batch ends and they go to the columns' entries. {@link ColumnType#append} adds to it.
   */
  static final class Values {
    private final long[][] longs;
    private final double[][] doubles;
    private final int[] counts;
    private final long[] trues;
    private final long[] falses;
    final long[] nulls;

    Values(ColumnType[] types, int batchSize) {
      int width = types.length;
      longs = new long[width][];
      doubles = new double[width][];
      counts = new int[width];
      trues = new long[width];
      falses = new long[width];
      nulls = new long[width];
      for (int c = 0; c < width; c++) {
        if (types[c] == ColumnType.INTEGER || types[c] == ColumnType.TIME) {
          longs[c] = new long[Math.max(1, batchSize)];
        } else if (types[c] == ColumnType.FRACTIONAL) {
          doubles[c] = new double[Math.max(1, batchSize)];
        }
      }
    }

    void addLong(int c, long v) {
      longs[c][counts[c]++] = v;
    }

    /** The value {@link #addLong} added last to column {@code c}. */
    long lastLong(int c) {
      return longs[c][counts[c] - 1];
    }

    void addDouble(int c, double v) {
      doubles[c][counts[c]++] = v;
    }

    void addBoolean(int c, boolean v) {
      if (v) {
        trues[c]++;
      } else {
        falses[c]++;
      }
    }

    /** Appends column {@code c}'s values of the batch to its entry, as core tracks the column's Arrow vector. */
    void drainTo(int c, ColumnType type, ColumnAppender a) {
      int n = counts[c];
      switch (type) {
        case INTEGER -> a.appendLongs(longs[c], 0, n);
        case FRACTIONAL -> a.appendDoubles(doubles[c], 0, n);
        case TIME -> a.appendEpochMillis(longs[c], 0, n);
        case BOOLEAN -> a.appendBooleans(trues[c], falses[c]);
        default -> throw new IllegalStateException(type + " cells are tracked as UTF-8 cells");
      }
      if (nulls[c] > 0) {
        a.appendNulls(nulls[c]);
      }
    }

    void clear() {
      Arrays.fill(counts, 0);
      Arrays.fill(trues, 0);
      Arrays.fill(falses, 0);
      Arrays.fill(nulls, 0);
    }
  }

  private static CsvRanges.Unsplittable unsplittable(String what) {
    return new CsvRanges.Unsplittable(new DataFormatException(what));
  }
}
