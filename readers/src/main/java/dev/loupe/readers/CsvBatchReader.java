package dev.loupe.readers;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import dev.loupe.core.DatasetProfile;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a CSV file as Arrow batches, one column vector per header field, typed by inference over
 * the first rows (see {@link CsvReader.Builder#sampleRows}): 64-bit integers, doubles, booleans or
 * UTF-8 strings. Empty fields are null.
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
  private final BufferAllocator allocator;
  private final de.siegmar.fastcsv.reader.CsvReader<CsvRecord> csv;
  private final CloseableIterator<CsvRecord> records;
  private final List<String> names;
  private final ColumnType[] types;
  private final VectorSchemaRoot root;
  private final FieldVector[] vectors;
  private final List<OffTypeValue> offType = new ArrayList<>();
  private List<CsvRecord> sample;
  private int samplePos;
  private boolean closed;

  private CsvBatchReader(InputStream in, String source, char delimiter, char quote, int sampleRows, int batchSize,
      BufferAllocator allocator) throws IOException {
    this.source = source;
    this.delimiter = delimiter;
    this.batchSize = batchSize;
    this.allocator = allocator;
    this.csv = de.siegmar.fastcsv.reader.CsvReader.builder()
        .fieldSeparator(delimiter)
        .quoteCharacter(quote)
        .skipEmptyLines(true)
        .detectBomHeader(true)
        .allowUnclosedQuote(false)
        // ragged rows are reported by readRecord(), with the file name and what was expected
        .extraFieldStrategy(FieldMismatchStrategy.IGNORE)
        .missingFieldStrategy(FieldMismatchStrategy.IGNORE)
        .ofCsvRecord(in, StandardCharsets.UTF_8);
    VectorSchemaRoot created = null;
    try {
      this.records = csv.iterator();
      CsvRecord header = readRecord(-1);
      if (header == null) {
        throw new DataFormatException(source + ": the file is empty; expected a header row naming the columns");
      }
      this.names = columnNames(header.getFields());
      this.sample = new ArrayList<>();
      for (CsvRecord r; sample.size() < sampleRows && (r = readRecord(names.size())) != null; ) {
        sample.add(r);
      }
      this.types = new ColumnType[names.size()];
      List<Field> fields = new ArrayList<>();
      for (int c = 0; c < types.length; c++) {
        types[c] = ColumnType.infer(sample, c);
        fields.add(Field.nullable(names.get(c), types[c].arrowType()));
      }
      created = VectorSchemaRoot.create(new Schema(fields), allocator);
      this.vectors = created.getFieldVectors().toArray(new FieldVector[0]);
      for (FieldVector v : vectors) {
        v.setInitialCapacity(Math.min(batchSize, Math.max(sample.size(), 1)));
        v.allocateNew();
      }
      this.root = created;
    } catch (IOException | RuntimeException e) {
      if (created != null) {
        created.close();
      }
      csv.close();
      throw e;
    }
  }

  /** Opens {@code file}, decompressing it when its name ends in {@code .gz}, and reads the header and the sample. */
  static CsvBatchReader open(Path file, char delimiter, char quote, int sampleRows, int batchSize,
      BufferAllocator allocator) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    }
    if (Files.isDirectory(file)) {
      throw new FileSystemException(file.toString(), null, "is a directory, not a CSV file");
    }
    InputStream in = Files.newInputStream(file);
    try {
      if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gz")) {
        in = gunzip(in, file.toString());
      }
      return new CsvBatchReader(in, file.toString(), delimiter, quote, sampleRows, batchSize, allocator);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private static InputStream gunzip(InputStream in, String source) throws IOException {
    try {
      return new GZIPInputStream(in, 1 << 16);
    } catch (ZipException | EOFException e) {
      throw new DataFormatException(source + ": the name ends in .gz but the file is not gzip-compressed ("
          + e.getMessage() + "); rename it or compress it", e);
    }
  }

  /** The file (or stream) this reader reads, as named in its messages. */
  public String source() {
    return source;
  }

  /** The batch loaded last. The same root (and vectors) for every batch: copy what you keep. */
  public VectorSchemaRoot root() {
    return root;
  }

  /** Cells of the current batch that do not fit their column's type, in row order. */
  public List<OffTypeValue> offTypeValues() {
    return Collections.unmodifiableList(offType);
  }

  /**
   * Loads up to the batch size of the next rows into {@link #root()}.
   *
   * @return false at the end of the file (the root then holds no rows)
   * @throws DataFormatException for a row with another number of fields than the header, or
   *     malformed quoting; the message names the file and the line
   */
  public boolean loadNextBatch() throws IOException {
    if (closed) {
      throw new IllegalStateException(source + ": the reader is closed");
    }
    for (FieldVector v : vectors) {
      v.reset();
    }
    offType.clear();
    int row = 0;
    for (CsvRecord r; row < batchSize && (r = next()) != null; row++) {
      for (int c = 0; c < vectors.length; c++) {
        String cell = r.getField(c);
        if (cell.isEmpty()) {
          vectors[c].setNull(row);
        } else if (!types[c].write(vectors[c], row, cell)) {
          vectors[c].setNull(row);
          offType.add(new OffTypeValue(c, row, CellText.classify(cell)));
        }
      }
    }
    root.setRowCount(row);
    return row > 0;
  }

  /**
   * Profiles the current batch: each column through its vector (columnar), except that a column's
   * off-type cells are left out of the vector pass and tracked one by one as what they are.
   */
  void trackInto(DatasetProfile profile) {
    int rows = root.getRowCount();
    if (offType.isEmpty()) {
      profile.trackDataframe(root);
      return;
    }
    BitSet[] off = new BitSet[vectors.length];
    for (OffTypeValue o : offType) {
      if (off[o.column()] == null) {
        off[o.column()] = new BitSet(rows);
      }
      off[o.column()].set(o.row());
    }
    for (int c = 0; c < vectors.length; c++) {
      FieldVector v = vectors[c];
      if (off[c] == null) {
        profile.trackColumn(v.getName(), v, rows, null);
        continue;
      }
      // the vector holds the off-type cells as nulls: profile a copy without them
      try (FieldVector kept = v.getField().createVector(allocator)) {
        kept.allocateNew();
        int n = 0;
        for (int i = off[c].nextClearBit(0); i < rows; i = off[c].nextClearBit(i + 1)) {
          kept.copyFromSafe(i, n++, v);
        }
        kept.setValueCount(n);
        profile.trackColumn(v.getName(), kept, n, null);
      }
    }
    for (OffTypeValue o : offType) {
      profile.track(Collections.singletonMap(names.get(o.column()), o.value()));
    }
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
      throw new DataFormatException(source + ": malformed CSV: " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new IOException(source + ": " + e.getCause().getMessage(), e.getCause());
    }
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

  /** Header fields as column names: an empty one becomes "Unnamed: i", a repeated one "name.1", as pandas does. */
  private static List<String> columnNames(List<String> header) {
    List<String> out = new ArrayList<>(header.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < header.size(); i++) {
      String base = header.get(i).isEmpty() ? "Unnamed: " + i : header.get(i);
      String name = base;
      for (int k = 1; !seen.add(name); k++) {
        name = base + "." + k;
      }
      out.add(name);
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      root.close();
    } finally {
      csv.close();
    }
  }
}
