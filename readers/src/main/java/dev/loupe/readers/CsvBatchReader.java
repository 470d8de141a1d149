package dev.loupe.readers;

import dev.loupe.core.ColumnNames;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import dev.loupe.core.DatasetProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads a CSV file as Arrow batches, one column vector per header field, typed by inference over
 * the first rows (see {@link CsvReader.Builder#sampleRows}): 64-bit integers, doubles, booleans,
 * timestamps (epoch milliseconds, no zone: UTC) or UTF-8 strings. Empty fields are null.
 *
 * <p>A later cell that does not fit its column's type (a word in an integer column) is neither
 * dropped nor an error: it is null in the vector and listed in {@link #offTypeValues()} as the
 * value it is (Long, Double, Boolean or String), so a profile counts it under its own type.
 *
 * <pre>{@code
 * try (BufferAllocator allocator = new RootAllocator();
 *      CsvBatchReader batches = CsvReader.builder().build().batches(path, allocator)) {
 *   while (batches.loadNextBatch()) {
 *     VectorSchemaRoot root = batches.root(); // reused: valid until the next call
 *     ...
 *   }
 * }
 * }</pre>
 *
 * Not thread-safe. Closing releases the vectors and the file.
 */
public final class CsvBatchReader implements AutoCloseable {

  /** A cell that does not fit its column's type: null in the vector at {@code row}, and here as what it is. */
  public record OffTypeValue(int column, int row, Object value) {}

  private final String source;
  private final char delimiter;
  private final int batchSize;
  private final de.siegmar.fastcsv.reader.CsvReader<CsvRecord> csv;
  private final CloseableIterator<CsvRecord> records;
  private final List<String> names;
  private final ColumnType[] types;
  private final CsvBatch batch;
  private List<CsvRecord> sample;
  private int samplePos;
  private long lastLine;
  private boolean closed;

  private CsvBatchReader(InputStream in, String source, char delimiter, char quote, int sampleRows, int batchSize,
      BufferAllocator allocator) throws IOException {
    this.source = source;
    this.delimiter = delimiter;
    this.batchSize = batchSize;
    // bad UTF-8 is an error, not silently replaced; the byte-order mark is dropped
    this.csv = parser(delimiter, quote).ofCsvRecord(Inputs.strictUtf8(in));
    CsvBatch created = null;
    try {
      this.records = csv.iterator();
      CsvRecord header = readRecord(-1);
      if (header == null) {
        throw new DataFormatException(source + ": the file is empty; expected a header row naming the columns");
      }
      int maxColumns = ColumnLimit.max();
      if (header.getFieldCount() > maxColumns) {
        throw ColumnLimit.exceeded(source + ", line " + header.getStartingLineNumber(),
            "the header names " + header.getFieldCount() + " columns", maxColumns);
      }
      this.names = columnNames(header.getFields());
      this.sample = new ArrayList<>();
      for (CsvRecord r; sample.size() < sampleRows && (r = readRecord(names.size())) != null; ) {
        sample.add(r);
      }
      this.types = new ColumnType[names.size()];
      for (int c = 0; c < types.length; c++) {
        types[c] = ColumnType.infer(sample, c);
      }
      created = new CsvBatch(names, types, allocator, Math.min(batchSize, Math.max(sample.size(), 1)));
      this.batch = created;
    } catch (IOException | RuntimeException e) {
      if (created != null) {
        created.close();
      }
      csv.close();
      throw e;
    }
  }

  /** FastCSV as every CSV reader here parses: the same records whether a file is read whole or in ranges. */
  static de.siegmar.fastcsv.reader.CsvReader.CsvReaderBuilder parser(char delimiter, char quote) {
    return de.siegmar.fastcsv.reader.CsvReader.builder()
        .fieldSeparator(delimiter)
        .quoteCharacter(quote)
        .skipEmptyLines(true)
        .allowUnclosedQuote(false)
        // ragged rows are reported by the reader, with the file name and what was expected
        .extraFieldStrategy(FieldMismatchStrategy.IGNORE)
        .missingFieldStrategy(FieldMismatchStrategy.IGNORE);
  }

  /** Opens {@code file}, decompressing it when its name ends in {@code .gz}, and reads the header and the sample. */
  static CsvBatchReader open(Path file, char delimiter, char quote, int sampleRows, int batchSize,
      BufferAllocator allocator) throws IOException {
    return open(file, delimiter, quote, sampleRows, batchSize, allocator, null);
  }

  static CsvBatchReader open(Path file, char delimiter, char quote, int sampleRows, int batchSize,
      BufferAllocator allocator, Progress progress) throws IOException {
    InputStream in = Inputs.open(file, progress, "a CSV file");
    try {
      return new CsvBatchReader(in, file.toString(), delimiter, quote, sampleRows, batchSize, allocator);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** The file (or stream) this reader reads, as named in its messages. */
  public String source() {
    return source;
  }

  /** The batch loaded last. The same root (and vectors) for every batch: copy what you keep. */
  public VectorSchemaRoot root() {
    return batch.root();
  }

  /** Cells of the current batch that do not fit their column's type, in row order. */
  public List<OffTypeValue> offTypeValues() {
    return batch.offTypeValues();
  }

  List<String> names() {
    return names;
  }

  ColumnType[] types() {
    return types.clone();
  }

  /**
   * Loads up to the batch size of the next rows into {@link #root()}.
   *
   * @return false at the end of the file (the root then holds no rows)
   * @throws DataFormatException for a row with another number of fields than the header, for
   *     malformed quoting or bytes that are not UTF-8; the message names the file and the line
   */
  public boolean loadNextBatch() throws IOException {
    checkOpen();
    batch.clear();
    int row = 0;
    for (CsvRecord r; row < batchSize && (r = next()) != null; row++) {
      batch.add(r);
    }
    return batch.finish() > 0;
  }

  /** The next records (at most {@code max}), for another thread to put into its own {@link CsvBatch}; null at the end. */
  List<CsvRecord> nextRecords(int max) throws IOException {
    checkOpen();
    List<CsvRecord> out = new ArrayList<>(Math.min(max, 1024));
    for (CsvRecord r; out.size() < max && (r = next()) != null; ) {
      out.add(r);
    }
    return out.isEmpty() ? null : out;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(source + ": the reader is closed");
    }
  }

  /** Profiles the current batch (see {@link CsvBatch#trackInto}). */
  void trackInto(DatasetProfile profile) {
    batch.trackInto(profile);
  }

  private CsvRecord next() throws IOException {
    if (sample != null) {
      if (samplePos < sample.size()) {
        return sample.get(samplePos++);
      }
      sample = null;
    }
    return readRecord(names.size());
  }

  /** The next record, checked to have {@code width} fields (unless negative); null at the end. */
  private CsvRecord readRecord(int width) throws IOException {
    CsvRecord r;
    try {
      if (!records.hasNext()) {
        return null;
      }
      r = records.next();
    } catch (CsvParseException e) {
      String m = e.getMessage() + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : "");
      String lower = m.toLowerCase(java.util.Locale.ROOT);
      if (lower.contains("maximum limit") && lower.contains("fields")) {
        // a record wider than the parser's field bound: a very wide file, not a quoting problem
        int limit = ColumnLimit.max();
        throw ColumnLimit.exceeded(source, "a record with more fields than the CSV parser's bound (" + m + ")", limit);
      }
      boolean huge = lower.contains("maximum");
      throw new DataFormatException(source + ": malformed CSV: " + m
          + (huge ? "; fields and records are bounded, and one this large usually means an unclosed quote" : ""), e);
    } catch (UncheckedIOException e) {
      IOException cause = e.getCause();
      if (cause instanceof java.nio.charset.CharacterCodingException) {
        throw new DataFormatException(source + (cause instanceof Utf8LineReader.BadUtf8 b ? ", line " + b.line
            : ", after line " + lastLine)
            + ": the file is not valid UTF-8 (" + cause.getMessage() + "); convert it first, for example with "
            + "'iconv -f latin1 -t utf-8'", cause);
      }
      throw new IOException(source + ": " + cause.getMessage(), cause);
    }
    lastLine = r.getStartingLineNumber();
    if (width >= 0 && r.getFieldCount() != width) {
      throw new DataFormatException(source + ", line " + r.getStartingLineNumber() + ": expected " + width
          + " fields, as in the header, but found " + r.getFieldCount() + "; "
          + (r.getFieldCount() > width
              ? "a field that contains the delimiter " + describe(delimiter) + " must be quoted"
              : "every row needs a field for each column (an empty field for a missing value)"));
    }
    return r;
  }

  static String describe(char c) {
    return switch (c) {
      case '\t' -> "tab";
      case ' ' -> "space";
      default -> "'" + c + "'";
    };
  }

  /** Header fields as column names, by core's one rule: an empty one is "Unnamed: i", a repeated one "name.1". */
  private static List<String> columnNames(List<String> header) {
    return ColumnNames.unique(header);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      batch.close();
    } finally {
      csv.close();
    }
  }
}
