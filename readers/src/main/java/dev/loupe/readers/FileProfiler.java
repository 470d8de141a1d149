package dev.loupe.readers;

import dev.loupe.core.ColumnAppender;
import dev.loupe.core.ColumnKind;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Profiles data files of any supported {@link Format} on several threads (all cores by default).
 * Each file is split into chunks (CSV and JSON lines: chunks of records read by one parsing
 * thread; Parquet: row groups; Arrow: record batches), each thread profiles its chunks into its own
 * profile, and the views are merged. Several files merge into one profile.
 *
 * <pre>{@code
 * ProfileView view = FileProfiler.builder().build().profile(Path.of("trips.parquet"));
 * ProfileView all = FileProfiler.builder().threads(4).format(Format.JSONL)
 *     .build().profile(List.of(Path.of("a.log.gz"), Path.of("b.log.gz")));
 * }</pre>
 *
 * Errors are typed: a missing file is a {@link java.nio.file.NoSuchFileException}; an empty file,
 * a ragged row, bad UTF-8, a file that is not what its format says is a {@link DataFormatException}
 * naming the file and the line, row group or byte offset. A profiler is immutable and thread-safe.
 */
public final class FileProfiler {
  private final int threads;
  private final Format format; // null: by file name
  private final CsvReader csv;
  private final Character delimiter;
  private final int batchSize;
  private final Progress progress;

  private FileProfiler(Builder b) {
    this.threads = b.threads;
    this.format = b.format;
    this.delimiter = b.delimiter;
    this.batchSize = b.batchSize;
    CsvReader.Builder cb = CsvReader.builder().quote(b.quote).batchSize(b.batchSize);
    if (b.delimiter != null) {
      cb.delimiter(b.delimiter);
    }
    this.csv = cb.build();
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The format {@code file} is read as: the one set on the builder, else by its name. */
  public Format formatOf(Path file) {
    if (format != null) {
      return format;
    }
    return delimiter != null ? Format.CSV : Format.detect(file);
  }

  public ProfileView profile(Path file) throws IOException {
    return profile(List.of(file));
  }

  /** One profile of all the files' rows. */
  public ProfileView profile(List<Path> files) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no files to profile");
    }
    for (Path f : files) {
      Inputs.checkFile(f, "a data file");
    }
    if (progress != null) {
      for (Path f : files) {
        progress.addTotalBytes(Files.size(f));
      }
    }
    Instant now = Instant.now();
    ProfileProperties props = ProfileProperties.EMPTY.withCreationTimestamp(now).withDatasetTimestamp(now);
    ProfileView merged = ProfileView.empty();
    for (Path f : files) {
      merged = merged.merge(profileOne(f, props));
    }
    return merged;
  }

  /**
   * Readies this process to profile {@code files}, on the calling thread: loads and initializes what
   * profiling will use (core's trackers and sketches, the profile format, summaries) and, for a
   * Parquet file, reads its footer and the first rows of each column of its first row group into a
   * profile it then drops (page reading, codecs, decoders). A command line runs it on an idle core
   * while it parses its arguments, so that the JVM's class loading and first interpretation
   * overlap that work instead of following it. Its only effect is time: it changes nothing that
   * {@link #profile} reads, returns or throws, reports nothing (a missing, unreadable or malformed
   * file is left to {@code profile}, which names the fault), and stops reading files once
   * {@code stop} is true.
   */
  public void warmUp(List<Path> files, BooleanSupplier stop) {
    // core, Arrow and the profile format first: classes the caller's own first steps (a Parquet
    // footer, a CSV's first lines) do not load, so the two threads do not wait on the same ones
    warmUpCore();
    for (Path f : files) {
      if (stop.getAsBoolean()) {
        break;
      }
      try {
        if (formatOf(f) == Format.PARQUET && Files.isRegularFile(f) && !Inputs.isGzip(f)) {
          ParquetProfiler.warmUp(f, stop);
        }
      } catch (IOException | RuntimeException e) {
        // nothing to report: profile() reads the same file and says what is wrong with it
      }
    }
  }

  /** A few values of each kind through core's appends and Arrow vectors, then the view's merge, bytes and summary. */
  private static void warmUpCore() {
    DatasetProfile p = new DatasetProfile();
    long[] longs = new long[64];
    double[] doubles = new double[64];
    for (int i = 0; i < longs.length; i++) {
      longs[i] = i % 7;
      doubles[i] = i / 8.0;
    }
    p.column("long").appendLongs(longs, 0, longs.length);
    p.column("double").appendDoubles(doubles, 0, doubles.length);
    p.column("time", ColumnKind.TIME).appendEpochMillis(longs, 0, longs.length);
    p.column("boolean").appendBooleans(3, 2);
    ColumnAppender text = p.column("text");
    byte[] utf8 = "warm".getBytes(StandardCharsets.UTF_8);
    text.appendUtf8Repeated(utf8, 3);
    text.appendUtf8(utf8, 0, 2);
    text.appendNulls(1);
    try (BufferAllocator allocator = new RootAllocator();
         VarCharVector strings = new VarCharVector("strings", allocator);
         BigIntVector longs64 = new BigIntVector("longs", allocator);
         Float8Vector doubles64 = new Float8Vector("doubles", allocator)) {
      strings.allocateNew();
      strings.setSafe(0, utf8);
      strings.setNull(1);
      strings.setValueCount(2);
      p.trackColumn("strings", strings, 2, null);
      longs64.allocateNew(2);
      longs64.set(0, 3);
      longs64.setNull(1);
      longs64.setValueCount(2);
      p.trackColumn("longs", longs64, 2, null);
      doubles64.allocateNew(2);
      doubles64.set(0, 0.5);
      doubles64.setNull(1);
      doubles64.setValueCount(2);
      p.trackColumn("doubles", doubles64, 2, null);
    }
    ProfileView v = p.view();
    v.merge(v).toBytes();
    v.summary();
  }

  private ProfileView profileOne(Path file, ProfileProperties props) throws IOException {
    Format f = formatOf(file);
    return switch (f) {
      case CSV -> csv.profile(file, threads, props, progress);
      case TSV -> (delimiter != null ? csv : CsvReader.builder().delimiter('\t').quote(csv.quote())
          .batchSize(batchSize).build()).profile(file, threads, props, progress);
      case PARQUET -> ParquetProfiler.profile(file, threads, props, progress);
      case JSONL -> JsonLinesProfiler.profile(file, threads, props, progress, batchSize);
      case ARROW -> ArrowIpcProfiler.profile(file, threads, props, progress);
    };
  }

  /** Options for {@link FileProfiler}; every one has a default. */
  public static final class Builder {
    private int threads = Runtime.getRuntime().availableProcessors();
    private Format format;
    private Character delimiter;
    private char quote = '"';
    private int batchSize = CsvReader.DEFAULT_BATCH_SIZE;
    private Progress progress;

    private Builder() {}

    /** Profiling threads; default: the number of available processors. */
    public Builder threads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + n);
      }
      this.threads = n;
      return this;
    }

    /** Reads every file as this format, whatever its name; default: by name ({@link Format#detect}). */
    public Builder format(Format f) {
      this.format = f;
      return this;
    }

    /** CSV field delimiter; default: tab for TSV, else comma. Setting it makes unknown names CSV. */
    public Builder delimiter(char c) {
      CsvReader.builder().delimiter(c); // validates
      this.delimiter = c;
      return this;
    }

    /** CSV quote character, default {@code "}. */
    public Builder quote(char c) {
      CsvReader.builder().quote(c); // validates
      this.quote = c;
      return this;
    }

    /** Rows per chunk for CSV and JSON lines; default 8192. */
    public Builder batchSize(int rows) {
      CsvReader.builder().batchSize(rows); // validates
      this.batchSize = rows;
      return this;
    }

    /** Where to count bytes and rows as they are done (for a progress display); default none. */
    public Builder progress(Progress p) {
      this.progress = Objects.requireNonNull(p, "progress");
      return this;
    }

    public FileProfiler build() {
      if (delimiter != null && delimiter == quote) {
        throw new IllegalArgumentException("the delimiter and the quote character must differ, both are "
            + CsvBatchReader.describe(quote));
      }
      return new FileProfiler(this);
    }
  }
}
