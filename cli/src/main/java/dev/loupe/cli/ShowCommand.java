package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Prints the summary of a profile file (whylogs v1 or v0 .bin).",
    footerHeading = "%nExit codes:%n",
    footer = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class ShowCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PROFILE.bin", description = "The profile file.")
  Path file;

  @Option(names = "--json", description = "Print the summary as JSON instead of a table.")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    }
    if (Files.isDirectory(file)) {
      throw new FileSystemException(file.toString(), null, "is a directory, not a profile file");
    }
    ProfileView view = ProfileView.read(file);
    Output.print(spec.commandLine().getOut(), view, file.toString(), json);
    return 0;
  }
}
