package dev.loupe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code loupe} command. Errors print one line, {@code loupe: error: <message>}, and exit nonzero. */
@Command(
    name = "loupe",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Profiles data files (CSV, TSV, Parquet, JSON lines, Arrow); merges, shows, compares " +
        "(drift), validates, suggests constraints for and reports on whylogs v1 profiles; monitors a history of " +
        "window profiles; runs the ingestion server.",
    subcommands = {ProfileCommand.class, MergeCommand.class, ShowCommand.class, DriftCommand.class,
        ValidateCommand.class, SuggestCommand.class, ReportCommand.class, MonitorCommand.class, ServeCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
public final class Main implements Runnable {
  // the exit codes, listed in every command's help footer
  static final String EXIT_0 = "  0  success";
  static final String EXIT_1 = "  1  bad input or data: missing or empty file, malformed data, not a profile, S3 failure, ...";
  static final String EXIT_2 = "  2  usage error: unknown option, missing argument";
  static final int EXIT_BAD_INPUT = 1;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
  boolean verbose;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command: choose one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  /** A progress bar only for a person watching: not with --quiet, nor when the output is not a terminal. */
  static boolean showProgress(boolean quiet) {
    return !quiet && System.console() != null;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs the command line on the process's standard streams: the common {@code profile} command line
   * without picocli ({@link ProfileCommand#direct}, -Dloupe.direct=false: never, to compare), everything
   * else through {@link #commandLine()}. A {@code profile} command line that picocli parses gets a
   * second thread that readies the profile meanwhile ({@link ProfileCommand#startWarmUp};
   * -Dloupe.warmUp=false: not, to compare). The direct path does not: it reaches the same work at
   * once, and a warm-up beside it was measured (flights-3m.parquet, weather.csv, quiet machine) to add
   * 0.04-0.15 s of CPU for no shorter wall time, whether it began with the file or with core.
   */
  static int execute(String[] args) {
    if (!"false".equals(System.getProperty("loupe.direct"))) {
      PrintWriter out = standard(System.out, "sun.stdout.encoding");
      PrintWriter err = standard(System.err, "sun.stderr.encoding");
      Integer code = ProfileCommand.direct(args, out, err);
      if (code != null) {
        out.flush();
        err.flush();
        return code;
      }
    }
    if (args.length > 1 && args[0].equals("profile") && !"false".equals(System.getProperty("loupe.warmUp"))) {
      ProfileCommand.startWarmUp(args);
    }
    return commandLine().execute(args);
  }

  /** A stream as picocli wraps it by default: buffered, flushed at each line, in the JVM's encoding for it. */
  private static PrintWriter standard(java.io.PrintStream stream, String encodingProperty) {
    String name = System.getProperty(encodingProperty);
    java.nio.charset.Charset charset;
    try {
      charset = name == null ? java.nio.charset.Charset.defaultCharset()
          : java.nio.charset.Charset.forName(name.equalsIgnoreCase("cp65001") ? "UTF-8" : name);
    } catch (IllegalArgumentException e) {
      charset = java.nio.charset.Charset.defaultCharset(); // as picocli falls back
    }
    return new PrintWriter(new java.io.BufferedWriter(new java.io.OutputStreamWriter(stream, charset)), true);
  }

  /** The configured command line: usage errors exit 2, failures exit 1, both as one line on stderr. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    // serve hands its arguments, in order, to the server's own parser (ServerConfig.fromArgs)
    cl.getSubcommands().get("serve").setUnmatchedOptionsArePositionalParams(true);
    cl.setParameterExceptionHandler(Main::usageError);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> failure(e, cmd));
    return cl;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("loupe: error: " + oneLine(e.getMessage()) + " (see '"
        + cmd.getCommandSpec().qualifiedName() + " --help')");
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  private static int failure(Exception e, CommandLine cmd) {
    return failure(e, cmd.getErr(), verbose(cmd));
  }

  /** A failure of a command's work: one line on {@code err} (and the stack trace with --verbose), exit 1. */
  static int failure(Exception e, PrintWriter err, boolean verbose) {
    err.println("loupe: error: " + message(e));
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return EXIT_BAD_INPUT;
  }

  private static boolean verbose(CommandLine cmd) {
    for (CommandLine c = cmd; c != null; c = c.getParent()) {
      if (c.getParseResult() != null && c.getParseResult().hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** What went wrong, on one line, naming the file where Java's own message does not. */
  static String message(Throwable e) {
    if (e instanceof UncheckedIOException u) {
      e = u.getCause();
    }
    if (e instanceof FileSystemException f && f.getReason() == null) {
      String what = e instanceof NoSuchFileException ? "no such file"
          : e instanceof AccessDeniedException ? "permission denied"
          : e.getClass().getSimpleName();
      return oneLine(f.getFile() + ": " + what);
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof IOException) {
      return oneLine(m);
    }
    // not a data problem but a bug: say so, and how to report it
    return oneLine("unexpected " + e.getClass().getName() + ": " + m + " (rerun with --verbose and report it)");
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\R", " ");
  }

  /** The project version, from a resource Maven fills in. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"loupe " + p.getProperty("version", "(unknown version)")};
    }
  }
}
