package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Merges profiles into one (for example a day of hourly windows) and prints its summary.",
        "Each input is a profile file, an S3 object (s3://bucket/key.bin) or an S3 prefix",
        "(s3://bucket/prefix/: every .bin under it)."},
    footerHeading = "%nExit codes:%n",
    footer = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class MergeCommand implements Callable<Integer> {
  @Parameters(paramLabel = "IN", arity = "1..*", description = "Profiles (.bin), S3 objects or S3 prefixes.")
  List<String> inputs;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT.bin", required = true,
      description = "Where to write the merged profile: a file or s3://bucket/key.")
  String output;

  @Option(names = "--json", description = "Print the summary as JSON instead of a table.")
  boolean json;

  @Option(names = {"-q", "--quiet"}, description = "No notes on stderr (errors still print).")
  boolean quiet;

  @Mixin
  S3Options s3;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ProfileView merged = ProfileView.empty();
    int count = 0;
    try (S3Options store = s3) {
      for (String in : inputs) {
        if (S3Options.isS3(in) && !in.endsWith(".bin")) {
          List<String> keys = s3.list(in);
          if (keys.isEmpty()) {
            throw new IOException(in + ": no profiles (.bin objects) under this prefix");
          }
          String bucket = dev.loupe.s3.S3Location.parse(in).bucket();
          for (String key : keys) {
            merged = merged.merge(s3.read("s3://" + bucket + "/" + key));
            count++;
          }
        } else {
          merged = merged.merge(s3.read(in));
          count++;
        }
      }
      s3.write(merged, output);
    }
    if (!quiet) {
      spec.commandLine().getErr().println("loupe: merged " + count + (count == 1 ? " profile" : " profiles")
          + " into " + output);
    }
    Output.print(spec.commandLine().getOut(), merged, output, json);
    return 0;
  }
}
