package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.core.constraints.ConstraintSet;
import dev.loupe.core.logging.KeyTemplate;
import dev.loupe.core.monitor.History;
import dev.loupe.core.monitor.Monitor;
import dev.loupe.core.monitor.MonitorResult;
import dev.loupe.core.monitor.WindowPoint;
import dev.loupe.report.MonitorPage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
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
    name = "monitor",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Reads a dataset's history of window profiles (a directory or s3:// prefix laid out by the key",
        "template, as the rolling logger, the server, Spark and 'loupe profile --time-column' write it) in",
        "time order and checks every window against a baseline: drift with its effect size, null-fraction",
        "jumps, row-count anomalies against like windows (the same hour on earlier days for hourly windows),",
        "schema changes, missing windows, late parts, and failed constraints. Prints the alerts grouped into",
        "incidents; -o writes an HTML page with a time series per column. See docs/monitor.md."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  no alerts", "  3  some window raised an alert", Main.EXIT_1, Main.EXIT_2})
final class MonitorCommand implements Callable<Integer> {
  @Parameters(paramLabel = "LOCATION", description = "The history: a directory or s3://bucket/prefix.")
  String location;

  @Option(names = "--dataset", paramLabel = "ID", description = "The dataset, when the history holds several.")
  String dataset;

  @Option(names = "--baseline", paramLabel = "trailing:N", defaultValue = "trailing:24",
      description = "Compare each window with the merge of the N windows before it (default: ${DEFAULT-VALUE}).")
  String baseline;

  @Option(names = "--reference", paramLabel = "FILE",
      description = "Compare each window with this fixed profile instead (file or s3://).")
  String reference;

  @Option(names = "--since", paramLabel = "T", converter = InstantConverter.class,
      description = "Only windows starting at or after T (2026-01-31 or 2026-01-31T06:00:00Z).")
  Instant since;

  @Option(names = "--until", paramLabel = "T", converter = InstantConverter.class,
      description = "Only windows starting before T.")
  Instant until;

  @Option(names = "--constraints", paramLabel = "FILE", description = "Check every window against these constraints.")
  Path constraints;

  @Option(names = "--window", paramLabel = "LENGTH", converter = ProfileCommand.WindowConverter.class,
      description = "The window length (1h, 1d, 15m, ...); default: the smallest step between two windows.")
  Duration window;

  @Option(names = "--key-template", paramLabel = "TEMPLATE",
      description = "The key template the history was written with (default: " + KeyTemplate.DEFAULT + ").")
  String keyTemplate;

  @Option(names = "--alpha", paramLabel = "P", description = "p-value below which a test alerts (default 1e-4).")
  Double alpha;

  @Option(names = "--ignore", paramLabel = "COLUMN", split = ",",
      description = "Columns to leave unchecked, e.g. a numeric time column (repeat or separate with commas).")
  List<String> ignore = new ArrayList<>();

  @Option(names = "--json", description = "Print the alerts as JSON.")
  boolean json;

  @Option(names = {"-o", "--output"}, paramLabel = "PAGE.html",
      description = "Also write an HTML page: the alerts and a time series per column, alert windows marked.")
  Path output;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "8",
      description = "Profiles read ahead in parallel (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = {"-q", "--quiet"}, description = "No progress bar and no notes on stderr.")
  boolean quiet;

  @Mixin
  S3Options s3;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Monitor.Builder mb = Monitor.builder().ignore(ignore);
    if (threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
    }
    try {
      if (alpha != null) {
        mb.alpha(alpha);
      }
      if (reference == null) {
        mb.trailing(trailing(baseline));
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    KeyTemplate template;
    try {
      template = KeyTemplate.of(keyTemplate == null ? KeyTemplate.DEFAULT : keyTemplate);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (S3Options store = s3) {
      if (reference != null) {
        mb.reference(s3.read(reference));
      }
      if (constraints != null) {
        ConstraintSet set = ConstraintSet.load(constraints);
        ProfileView ref = set.loadReference().orElse(null);
        mb.constraints(set, ref);
      }
      History.Listing listing = History.of(s3.history(location)).template(template).dataset(dataset)
          .since(since).until(until).window(window).list();
      if (!quiet && listing.unmatchedKeys() > 0) {
        spec.commandLine().getErr().println("loupe: note: " + listing.unmatchedKeys()
            + " .bin file(s) under " + location + " do not match the key template and were left out");
      }
      List<WindowPoint> points = new ArrayList<>();
      AtomicLong done = new AtomicLong();
      MonitorResult result;
      try (History.Windows windows = listing.open(threads);
           ProgressBar bar = Main.showProgress(quiet)
               ? ProgressBar.counting(done::get, listing.windowCount(), "windows", spec.commandLine().getErr())
               : null) {
        result = mb.build().run(windows, listing.window(), (p, a) -> {
          done.incrementAndGet();
          if (output != null) {
            points.add(p);
          }
        });
      }
      if (output != null) {
        MonitorPage.write(output, listing.datasetId(), points, result);
        if (!quiet) {
          spec.commandLine().getErr().println("loupe: wrote " + output);
        }
      }
      spec.commandLine().getOut().print(json ? result.toJson() + "\n"
          : "dataset " + listing.datasetId() + ": " + result.toTable());
      spec.commandLine().getOut().flush();
      return result.exitCode();
    }
  }

  private int trailing(String spec) {
    if (!spec.startsWith("trailing:")) {
      throw new IllegalArgumentException("--baseline must be trailing:N (e.g. trailing:24), got '" + spec
          + "'; for a fixed profile use --reference FILE");
    }
    try {
      return Integer.parseInt(spec.substring("trailing:".length()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--baseline trailing:N needs a whole number N, got '" + spec + "'");
    }
  }

  /** An instant (2026-01-31T06:00:00Z) or a UTC date (2026-01-31, its midnight). */
  static final class InstantConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String s) {
      try {
        return History.parseTime(s);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
