package dev.loupe.readers;

import de.siegmar.fastcsv.reader.CsvRecord;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Profiles CSV and TSV files. The first row names the columns; each column's type is inferred from
 * the first rows (integer, fractional, boolean, ISO-8601 time, else string), and values are profiled column by
 * column through Arrow batches. Files whose name ends in {@code .gz} are decompressed on the fly.
 *
 * <pre>{@code
 * ProfileView view = CsvReader.builder().build().profile(Path.of("weather.csv"));
 * ProfileView tsv = CsvReader.builder().delimiter('\t').build().profile(Path.of("events.tsv.gz"));
 * }</pre>
 *
 * Errors are typed: a missing file is a {@link java.nio.file.NoSuchFileException}; an empty file,
 * a ragged row or broken quoting is a {@link DataFormatException} naming the file and the line.
 * A reader is immutable and can be shared between threads; each call reads its own file.
 */
public final class CsvReader {
  static final int DEFAULT_SAMPLE_ROWS = 1000;
  static final int DEFAULT_BATCH_SIZE = 8192;

  private final Character delimiter; // null: by file extension
  private final char quote;
  private final int sampleRows;
  private final int batchSize;
  private final long minRangeBytes;

  private CsvReader(Builder b) {
    this.delimiter = b.delimiter;
    this.quote = b.quote;
    this.sampleRows = b.sampleRows;
    this.batchSize = b.batchSize;
    this.minRangeBytes = b.minRangeBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  char quote() {
    return quote;
  }

  /** The profile of the whole file. */
  public ProfileView profile(Path file) throws IOException {
    return profile(file, new DatasetProfile()).view();
  }

  /** Adds the file's rows to {@code profile} and returns it. */
  public DatasetProfile profile(Path file, DatasetProfile profile) throws IOException {
    // closing the allocator last checks that every Arrow buffer was released
    try (RootAllocator allocator = new RootAllocator();
         CsvBatchReader batches = batches(file, allocator)) {
      boolean any = false;
      while (batches.loadNextBatch()) {
        batches.trackInto(profile);
        any = true;
      }
      if (!any) {
        batches.trackInto(profile); // a header without rows still names the columns
      }
    }
    return profile;
  }

  /**
   * The profile of the whole file on {@code threads} threads. A large plain file without quote
   * characters is cut into byte ranges that every thread parses and profiles on its own
   * ({@link CsvRanges}); otherwise this thread parses (FastCSV) and hands chunks of records to the
   * profiling threads, each of which converts them to its own Arrow batch and profiles it. Column
   * types are inferred once, from the file's first rows, so the result equals the one-thread profile
   * up to the merge laws.
   */
  ProfileView profile(Path file, int threads, ProfileProperties props, Progress progress) throws IOException {
    if (threads > 1 && !Inputs.isGzip(file) && java.nio.file.Files.size(file) >= 2 * minRangeBytes) {
      ProfileView inRanges = profileInRanges(file, threads, props, progress);
      if (inRanges != null) {
        return inRanges;
      }
    }
    try (RootAllocator allocator = new RootAllocator();
         CsvBatchReader reader = CsvBatchReader.open(file, delimiterFor(file), quote, sampleRows, batchSize,
             allocator, progress)) {
      List<String> names = reader.names();
      ColumnType[] types = reader.types();
      boolean[] first = {true};
      Workers.Source<List<CsvRecord>> source = () -> {
        List<CsvRecord> chunk = reader.nextRecords(batchSize);
        if (chunk == null && first[0]) {
          chunk = List.of(); // a header without rows still names the columns
        }
        first[0] = false;
        return chunk;
      };
      return Workers.pipeline(threads, props, source, () -> new Workers.Sink<>() {
        private final CsvBatch batch = new CsvBatch(names, types, allocator, batchSize);

        @Override
        public void accept(List<CsvRecord> chunk, DatasetProfile profile) {
          batch.clear();
          for (CsvRecord r : chunk) {
            batch.add(r);
          }
          batch.finish();
          batch.trackInto(profile);
          if (progress != null) {
            progress.addRows(chunk.size());
          }
        }

        @Override
        public void close() {
          batch.close();
        }
      });
    }
  }

  /**
   * The profile of a large plain file parsed in byte ranges, every thread parsing and profiling its
   * own (see {@link CsvRanges}); null when the file cannot be split safely. The column types are
   * inferred first, from the file's first rows, exactly as the one-parser path infers them.
   */
  private ProfileView profileInRanges(Path file, int threads, ProfileProperties props, Progress progress)
      throws IOException {
    char delimiter = delimiterFor(file);
    List<String> names;
    ColumnType[] types;
    try (RootAllocator allocator = new RootAllocator();
         CsvBatchReader reader = CsvBatchReader.open(file, delimiter, quote, sampleRows, batchSize, allocator)) {
      names = reader.names();
      types = reader.types();
    }
    return CsvRanges.profile(file, delimiter, quote, names, types, threads, minRangeBytes, batchSize, props,
        progress);
  }

  /**
   * Opens the file as Arrow batches allocated from {@code allocator}; the header and the type
   * sample are read before this returns. Close the reader before the allocator.
   */
  public CsvBatchReader batches(Path file, BufferAllocator allocator) throws IOException {
    return CsvBatchReader.open(file, delimiterFor(file), quote, sampleRows, batchSize, allocator);
  }

  char delimiterFor(Path file) {
    if (delimiter != null) {
      return delimiter;
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    return name.endsWith(".tsv") || name.endsWith(".tab") ? '\t' : ',';
  }

  /** Options for {@link CsvReader}; every one has a default. */
  public static final class Builder {
    private Character delimiter;
    private char quote = '"';
    private int sampleRows = DEFAULT_SAMPLE_ROWS;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private long minRangeBytes = CsvRanges.DEFAULT_MIN_RANGE_BYTES;

    private Builder() {}

    /** The field delimiter. Default: tab for {@code .tsv} and {@code .tab} files (also gzipped), else comma. */
    public Builder delimiter(char c) {
      checkSeparator("delimiter", c);
      this.delimiter = c;
      return this;
    }

    /** The quote character, default {@code "}. A quote inside a quoted field is written twice. */
    public Builder quote(char c) {
      checkSeparator("quote", c);
      this.quote = c;
      return this;
    }

    /** How many rows (after the header) decide each column's type; default 1000. */
    public Builder sampleRows(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("sampleRows must be at least 1, got " + rows);
      }
      this.sampleRows = rows;
      return this;
    }

    /** Rows per Arrow batch; default 8192. */
    public Builder batchSize(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, got " + rows);
      }
      this.batchSize = rows;
      return this;
    }

    /**
     * With several threads, a plain file of at least twice this many bytes is parsed in byte ranges
     * of at least this size, one thread per range (see {@link CsvRanges}); default 8 MiB. For tests.
     */
    Builder minRangeBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("minRangeBytes must be at least 1, got " + bytes);
      }
      this.minRangeBytes = bytes;
      return this;
    }

    public CsvReader build() {
      if (delimiter != null && delimiter == quote) {
        throw new IllegalArgumentException("the delimiter and the quote character must differ, both are "
            + CsvBatchReader.describe(quote));
      }
      return new CsvReader(this);
    }

    private static void checkSeparator(String what, char c) {
      if (c == '\n' || c == '\r') {
        throw new IllegalArgumentException("the " + what + " cannot be a line break");
      }
    }
  }
}
