package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.DriftOptions;
import dev.loupe.core.drift.DriftReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Compares a target profile with a reference, column by column: Kolmogorov-Smirnov on the " +
        "quantile sketches of numeric columns, chi-square on the frequent items of string columns " +
        "(whylogs' thresholds: p >= 0.15 no drift, 0.05..0.15 possible drift, < 0.05 drift).",
    footerHeading = "%nExit codes:%n",
    footer = {"  0  no column drifted (possible drift too, unless --fail-on-possible)",
        "  3  some column drifted", Main.EXIT_1, Main.EXIT_2})
final class DriftCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "REFERENCE.bin", description = "The reference profile (file or s3://).")
  String reference;

  @Parameters(index = "1", paramLabel = "TARGET.bin", description = "The profile to check (file or s3://).")
  String target;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--hellinger", description = "Use the Hellinger distance (30 buckets) instead of the p-value tests.")
  boolean hellinger;

  @Option(names = "--fail-on-possible", description = "Exit 3 on possible drift too.")
  boolean failOnPossible;

  @Mixin
  S3Options s3;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ProfileView ref;
    ProfileView tgt;
    try (S3Options store = s3) {
      ref = s3.read(reference);
      tgt = s3.read(target);
    }
    DriftOptions options = hellinger ? DriftOptions.builder().hellinger().build() : DriftOptions.defaults();
    DriftReport report = Drift.compare(ref, tgt, options);
    spec.commandLine().getOut().print(json ? report.toJson() + "\n" : report.toTable());
    spec.commandLine().getOut().flush();
    return report.exitCode(failOnPossible);
  }
}
