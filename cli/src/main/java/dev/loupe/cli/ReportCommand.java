package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.report.HtmlReport;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Writes a self-contained HTML report of a profile (opens offline): per-column summary, " +
        "histograms, frequent items, and drift against a reference with overlays when one is given.",
    footerHeading = "%nExit codes:%n",
    footer = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class ReportCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PROFILE.bin", description = "The profile (file or s3://).")
  String profile;

  @Option(names = "--reference", paramLabel = "REF.bin", description = "A reference profile to compare with.")
  String reference;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "REPORT.html", description = "Where to write the report.")
  Path output;

  @Mixin
  S3Options s3;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ProfileView view;
    Optional<ProfileView> ref;
    try (S3Options store = s3) {
      view = s3.read(profile);
      ref = reference == null ? Optional.empty() : Optional.of(s3.read(reference));
    }
    HtmlReport.write(output, view, ref);
    spec.commandLine().getErr().println("loupe: wrote the report to " + output);
    return 0;
  }
}
