package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.Writer;
import dev.loupe.readers.CsvReader;
import java.time.Duration;
import dev.loupe.readers.FileProfiler;
import dev.loupe.readers.Format;
import dev.loupe.readers.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Profiles data files and prints a summary per column; several files make one profile.",
        "Formats: CSV and TSV (header row; each column's type inferred from the first 1000 rows), Parquet,",
        "JSON lines (nested objects flattened to a.b columns) and Arrow IPC (file or stream);",
        "chosen by the file name (.csv .tsv .parquet .jsonl .ndjson .json .arrow .arrows .feather;",
        "any other name is CSV) or by --format. Text formats may be gzipped (.gz).",
        "All cores are used by default (--threads)."},
    footerHeading = "%nExit codes:%n",
    footer = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class ProfileCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "1..*", description = "The data files (.gz is decompressed).")
  List<Path> files;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT.bin",
      description = "Also write the profile (whylogs v1 .bin), to a file or to s3://bucket/key. With "
          + "--time-column: the directory or s3://bucket/prefix the window profiles go to.")
  String output;

  @Option(names = "--time-column", paramLabel = "C",
      description = "Write one profile per time window of column C (CSV and TSV) to -o, laid out by the key "
          + "template as the rolling logger writes them, ready for 'loupe monitor'. See docs/monitor.md.")
  String timeColumn;

  @Option(names = "--window", paramLabel = "LENGTH", converter = WindowConverter.class,
      description = "The window length with --time-column: 1h, 1d, 15m, ... (default: 1h).")
  Duration window;

  @Option(names = "--dataset", paramLabel = "ID",
      description = "The dataset id in the window profiles' keys (default: the first file's name up to its first dot).")
  String dataset;

  @Option(names = "--json", description = "Print the summary as JSON instead of a table.")
  boolean json;

  @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
      description = "Read every file as csv, tsv, parquet, jsonl or arrow, whatever its name.")
  Format format;

  @Option(names = "--threads", paramLabel = "N",
      description = "Profiling threads (default: all ${sys:loupe.cores} available processors).")
  Integer threads;

  @Option(names = {"-q", "--quiet"}, description = "No progress bar and no notes on stderr (errors still print).")
  boolean quiet;

  @Option(names = {"-d", "--delimiter"}, paramLabel = "C", converter = CharConverter.class,
      description = "Field delimiter: one character, or 'tab'. Default: tab for .tsv, else comma.")
  Character delimiter;

  @Option(names = "--quote", paramLabel = "C", converter = CharConverter.class, defaultValue = "\"",
      description = "Quote character (default: ${DEFAULT-VALUE}).")
  char quote;

  @Mixin
  S3Options s3;

  @Spec
  CommandSpec spec;

  static {
    System.setProperty("loupe.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
  }

  /** True once a profile command's own work begins: a warm-up ({@link #startWarmUp}) reads no more files. */
  private static volatile boolean working;

  /**
   * Starts, on a daemon thread, {@link FileProfiler#warmUp} of the arguments that may be input files,
   * while the main thread builds the command line and parses them: class loading, static
   * initialization and a Parquet footer on the second core instead of after the parse. {@code args}
   * are the command line's, starting with {@code profile}. The guess is cheap and may be wrong (a
   * missing file, an option's value): the warm-up reports nothing and changes no result or error,
   * the command line alone decides what runs.
   */
  static void startWarmUp(String[] args) {
    List<Path> files = new java.util.ArrayList<>();
    for (int i = 1; i < args.length && files.size() < 4; i++) {
      String a = args[i];
      String before = args[i - 1];
      if (a.startsWith("-") || before.equals("-o") || before.equals("--output")) {
        continue;
      }
      try {
        files.add(Path.of(a));
      } catch (java.nio.file.InvalidPathException e) {
        // not a file name: the command line will say so
      }
    }
    Thread t = new Thread(() -> FileProfiler.builder().build().warmUp(files, () -> working), "loupe-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Starts, on a daemon thread, what the end of a profile run does first, on a profile of three made-up
   * rows: a view, its protobuf bytes and the summary, printed to nowhere. Their classes (protobuf's
   * descriptors, the metrics' views and the table's formatting, about 0.05 s of interpreting and class
   * initialization) are then ready when the real profile is done, instead of running after it on one
   * core: while the main thread reads the inputs' footers the second core has nothing else to do.
   * It touches no file and prints nothing; {@code -Dloupe.outputWarmUp=false} turns it off.
   */
  static void startOutputWarmUp(boolean json) {
    Thread t = new Thread(() -> {
      dev.loupe.core.DatasetProfile p = new dev.loupe.core.DatasetProfile();
      for (int i = 0; i < 3; i++) {
        p.track(java.util.Map.of("i", (long) i, "d", i + 0.5, "s", "s" + i,
            "t", java.time.Instant.ofEpochSecond(1_700_000_000L + i)));
      }
      ProfileView v = p.view();
      v.toBytes();
      Output.print(new PrintWriter(java.io.Writer.nullWriter()), v, "warm-up", json);
    }, "loupe-output-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /** The streams of a {@link #direct} run (picocli's, through {@link #spec}, otherwise). */
  private PrintWriter directOut;
  private PrintWriter directErr;

  private PrintWriter out() {
    return spec != null ? spec.commandLine().getOut() : directOut;
  }

  private PrintWriter err() {
    return spec != null ? spec.commandLine().getErr() : directErr;
  }

  /**
   * The common {@code profile} command line run without building picocli's model (its first use costs
   * about 0.2 s of CPU, more than profiling a small file): {@code args} (starting with {@code profile})
   * must hold one or more files and nothing but {@code -q}/{@code --quiet}, {@code --json},
   * {@code -o}/{@code --output FILE} and {@code --threads N} (N from 1), each at most once, in the
   * separate-word forms. Anything else (help, other options, @-files, {@code --}, a value picocli might
   * read otherwise or reject) returns null without side effects, and picocli runs the command as before.
   * A run here gives what picocli's run of the same arguments gives: the same fields, then
   * {@link #call}, the same output, error line ({@link Main#failure}) and exit code; CliFastPathTest
   * compares the two.
   */
  static Integer direct(String[] args, PrintWriter out, PrintWriter err) {
    if (args.length < 2 || !args[0].equals("profile") || System.getProperty("picocli.trace") != null) {
      return null;
    }
    ProfileCommand c = new ProfileCommand();
    List<Path> files = new java.util.ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      boolean hasValue = value != null && !value.isEmpty() && !value.startsWith("-") && !value.startsWith("@");
      switch (a) {
        case "-q", "--quiet" -> {
          if (c.quiet) {
            return null;
          }
          c.quiet = true;
        }
        case "--json" -> {
          if (c.json) {
            return null;
          }
          c.json = true;
        }
        case "-o", "--output" -> {
          if (c.output != null || !hasValue) {
            return null;
          }
          c.output = value;
          i++;
        }
        case "--threads" -> {
          if (c.threads != null || !hasValue || !value.matches("[0-9]{1,9}")) {
            return null;
          }
          c.threads = Integer.parseInt(value);
          if (c.threads < 1) {
            return null;
          }
          i++;
        }
        default -> {
          if (a.isEmpty() || a.startsWith("-") || a.startsWith("@")) {
            return null;
          }
          try {
            files.add(Path.of(a));
          } catch (java.nio.file.InvalidPathException e) {
            return null; // picocli's converter words the error
          }
        }
      }
    }
    if (files.isEmpty()) {
      return null;
    }
    c.files = files;
    c.quote = '"';
    c.s3 = new S3Options();
    c.directOut = out;
    c.directErr = err;
    if (!"false".equals(System.getProperty("loupe.outputWarmUp"))) {
      startOutputWarmUp(c.json);
    }
    try {
      return c.call();
    } catch (Exception e) {
      return Main.failure(e, err, false);
    }
  }

  @Override
  public Integer call() throws Exception {
    working = true;
    if (timeColumn != null) {
      return windows();
    }
    if (window != null || dataset != null) {
      throw new ParameterException(spec.commandLine(), "--window and --dataset go with --time-column");
    }
    if (threads != null && threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
    }
    Progress progress = new Progress();
    FileProfiler.Builder b = FileProfiler.builder().quote(quote).progress(progress);
    if (threads != null) {
      b.threads(threads);
    }
    if (delimiter != null) {
      b.delimiter(delimiter);
    }
    if (format != null) {
      b.format(format);
    }
    FileProfiler profiler;
    try {
      profiler = b.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    ProfileView view;
    try (ProgressBar bar = Main.showProgress(quiet) ? new ProgressBar(progress, err()) : null) {
      view = profiler.profile(files);
    }
    try (S3Options store = s3) {
      if (output != null) {
        s3.write(view, output);
        if (!quiet) {
          err().println("loupe: wrote the profile to " + output);
        }
      }
    }
    Output.print(out(), view, source(), json);
    return 0;
  }

  /** {@code --time-column}: a profile per window, written with the key template under -o. */
  private int windows() throws Exception {
    if (output == null) {
      throw new ParameterException(spec.commandLine(), "--time-column needs -o DIR (or s3://bucket/prefix) for the "
          + "window profiles");
    }
    FileProfiler formats = format == null ? FileProfiler.builder().build() : FileProfiler.builder().format(format).build();
    CsvReader.Builder cb = CsvReader.builder().quote(quote);
    if (delimiter != null) {
      cb.delimiter(delimiter);
    }
    for (Path f : files) {
      Format fmt = delimiter != null ? Format.CSV : formats.formatOf(f);
      if (fmt != Format.CSV && fmt != Format.TSV) {
        throw new ParameterException(spec.commandLine(), "--time-column reads CSV and TSV files; " + f + " is "
            + fmt.name().toLowerCase(java.util.Locale.ROOT) + " (profile it whole, or convert it to CSV)");
      }
      if (fmt == Format.TSV && delimiter == null) {
        cb.delimiter('\t');
      }
    }
    Duration length = window == null ? Duration.ofHours(1) : window;
    TimeWindows tw = new TimeWindows(timeColumn, length, cb.build());
    for (Path f : files) {
      tw.add(f);
    }
    String id = dataset != null ? dataset : defaultDataset(files.get(0));
    java.util.Map<WindowInfo, ProfileView> views = tw.views(id);
    try (S3Options store = s3; Writer writer = s3.windowWriter(output, "profile")) {
      for (java.util.Map.Entry<WindowInfo, ProfileView> e : views.entrySet()) {
        writer.write(e.getValue(), e.getKey());
      }
    }
    if (!quiet) {
      spec.commandLine().getErr().println("loupe: wrote " + views.size() + " window profile(s) of dataset '" + id
          + "' to " + output);
    }
    ProfileView all = ProfileView.empty();
    for (ProfileView v : views.values()) {
      all = all.merge(v);
    }
    Output.print(spec.commandLine().getOut(), all, source(), json);
    return 0;
  }

  static String defaultDataset(Path file) {
    String name = file.getFileName().toString();
    int dot = name.indexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** A window length: 30s, 15m, 1h, 1d, or ISO-8601 (PT1H); it must divide a day or be whole days. */
  static final class WindowConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String s) {
      Duration d;
      try {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})([smhd])").matcher(s.trim());
        if (m.matches()) {
          long n = Long.parseLong(m.group(1));
          d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
        } else {
          d = Duration.parse(s);
        }
      } catch (java.time.format.DateTimeParseException e) {
        throw new TypeConversionException("'" + s + "' is not a window length; expected 15m, 1h, 1d or PT1H");
      }
      if (d.isZero() || d.isNegative() || d.toMillis() < 1000) {
        throw new TypeConversionException("window length '" + s + "' must be at least one second");
      }
      return d;
    }
  }

  private String source() {
    if (files.size() == 1) {
      return files.get(0).toString();
    }
    return files.get(0) + " and " + (files.size() - 1) + (files.size() == 2 ? " more file" : " more files");
  }

  /** A format name: csv, tsv, parquet, jsonl (json, ndjson), arrow (ipc, feather). */
  static final class FormatConverter implements ITypeConverter<Format> {
    @Override
    public Format convert(String s) {
      try {
        return Format.of(s);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A single character; {@code tab} and {@code \t} mean the tab character. */
  static final class CharConverter implements ITypeConverter<Character> {
    @Override
    public Character convert(String s) {
      if (s.equals("tab") || s.equals("\\t")) {
        return '\t';
      }
      if (s.length() != 1) {
        throw new TypeConversionException("'" + s + "' is not a single character (use 'tab' for a tab)");
      }
      return s.charAt(0);
    }
  }
}
