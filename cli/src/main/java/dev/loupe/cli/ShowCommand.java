package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Prints the summary of a profile (whylogs v1 or v0 .bin), from a file or s3://bucket/key.",
    footerHeading = "%nExit codes:%n",
    footer = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class ShowCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PROFILE.bin", description = "The profile file, or s3://bucket/key.")
  String file;

  @Option(names = "--json", description = "Print the summary as JSON instead of a table.")
  boolean json;

  @Mixin
  S3Options s3;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ProfileView view;
    try (S3Options store = s3) {
      view = s3.read(file);
    }
    Output.print(spec.commandLine().getOut(), view, file, json);
    return 0;
  }
}
