package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.readers.CsvReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Profiles a CSV or TSV file (.gz too) and prints a summary per column.",
        "The header row names the columns; each column's type is inferred from the first 1000 rows."},
    footerHeading = "%nExit codes:%n",
    footer = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class ProfileCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "The CSV file (.tsv is tab-separated, .gz is decompressed).")
  Path file;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT.bin", description = "Also write the profile (whylogs v1 .bin).")
  Path output;

  @Option(names = "--json", description = "Print the summary as JSON instead of a table.")
  boolean json;

  @Option(names = {"-d", "--delimiter"}, paramLabel = "C", converter = CharConverter.class,
      description = "Field delimiter: one character, or 'tab'. Default: tab for .tsv, else comma.")
  Character delimiter;

  @Option(names = "--quote", paramLabel = "C", converter = CharConverter.class, defaultValue = "\"",
      description = "Quote character (default: ${DEFAULT-VALUE}).")
  char quote;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CsvReader.Builder b = CsvReader.builder().quote(quote);
    if (delimiter != null) {
      b.delimiter(delimiter);
    }
    ProfileView view = b.build().profile(file);
    if (output != null) {
      view.write(output);
      spec.commandLine().getErr().println("loupe: wrote the profile to " + output);
    }
    Output.print(spec.commandLine().getOut(), view, file.toString(), json);
    return 0;
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
