package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.core.constraints.ConstraintSet;
import dev.loupe.core.constraints.ValidationReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Checks a profile against constraints from a YAML file (docs/constraints.md) and prints a pass/fail table.",
    footerHeading = "%nExit codes:%n",
    footer = {"  0  every constraint passed", "  3  some constraint failed", Main.EXIT_1, Main.EXIT_2})
final class ValidateCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PROFILE.bin", description = "The profile to check (file or s3://).")
  String profile;

  @Option(names = "--constraints", required = true, paramLabel = "FILE.yaml", description = "The constraints.")
  Path constraints;

  @Option(names = "--reference", paramLabel = "REF.bin",
      description = "A reference profile for comparisons (overrides the file's 'reference:').")
  String reference;

  @Option(names = "--json", description = "Print the results as JSON.")
  boolean json;

  @Mixin
  S3Options s3;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ConstraintSet set = ConstraintSet.load(constraints);
    ProfileView view;
    ProfileView ref;
    try (S3Options store = s3) {
      view = s3.read(profile);
      ref = reference != null ? s3.read(reference) : set.loadReference().orElse(null);
    }
    ValidationReport report = ref == null ? set.validate(view) : set.validate(view, ref);
    spec.commandLine().getOut().print(json ? report.toJson() + "\n" : report.toTable());
    spec.commandLine().getOut().flush();
    return report.exitCode();
  }
}
