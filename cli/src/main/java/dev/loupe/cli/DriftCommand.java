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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Compares a target profile with a reference, column by column: Kolmogorov-Smirnov on the " +
        "quantile sketches of numeric columns (their rank error taken out of D), the two-sample chi-square test " +
        "of homogeneity on the frequent items of string and boolean columns (their error bounds taken out), " +
        "each with an effect size (KS distance, total variation distance). Thresholds: p >= 0.15 no drift, " +
        "0.05..0.15 possible drift, < 0.05 drift. See docs/drift.md.",
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

  @Option(names = "--min-effect", paramLabel = "E", description = "Smallest effect size (KS distance or total " +
      "variation, 0..1) worth calling drift: a significant change with a smaller effect is reported as no drift, " +
      "'negligible'. Default 0 (off).")
  double minEffect;

  @Option(names = "--whylogs", description = "whylogs' own computations, for comparing numbers with whylogs: " +
      "chi-square goodness of fit to the reference proportions, KS D at 100 quantiles with no allowance for " +
      "sketch error. Not calibrated: two samples of one distribution often show drift.")
  boolean whylogs;

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
    if (!(minEffect >= 0 && minEffect < 1)) {
      throw new ParameterException(spec.commandLine(), "--min-effect must be in [0, 1), got " + minEffect);
    }
    DriftOptions.Builder b = DriftOptions.builder().minEffect(minEffect);
    if (whylogs) {
      b.whylogsCompatible();
    }
    if (hellinger) {
      b.hellinger();
    }
    DriftOptions options = b.build();
    DriftReport report = Drift.compare(ref, tgt, options);
    spec.commandLine().getOut().print(json ? report.toJson() + "\n" : report.toTable());
    spec.commandLine().getOut().flush();
    return report.exitCode(failOnPossible);
  }
}
