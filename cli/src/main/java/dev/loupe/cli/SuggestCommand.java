package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import dev.loupe.core.constraints.Constraints;
import dev.loupe.core.constraints.Suggestions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "suggest",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Proposes constraints from a reference profile, as a commented constraints file for 'loupe validate' " +
        "(docs/constraints.md): types, no missing values or a null-fraction bound, non-negative, value ranges with a " +
        "margin, the values of low-cardinality string columns, probably-unique columns. Each rule's comment says why.",
    footerHeading = "%nExit codes:%n",
    footer = {Main.EXIT_0, Main.EXIT_1, Main.EXIT_2})
final class SuggestCommand implements Callable<Integer> {
  @Parameters(paramLabel = "REFERENCE.bin", description = "The reference profile (file or s3://).")
  String reference;

  @Option(names = {"-o", "--output"}, paramLabel = "constraints.yaml",
      description = "Write the constraints file here (replacing it) instead of printing it.")
  Path output;

  @Mixin
  S3Options s3;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ProfileView ref;
    try (S3Options store = s3) {
      ref = s3.read(reference);
    }
    Suggestions suggestions = Constraints.suggest(ref);
    String yaml = suggestions.toYaml(reference.substring(reference.lastIndexOf('/') + 1));
    if (output == null) {
      spec.commandLine().getOut().print(yaml);
    } else {
      Files.writeString(output, yaml, StandardCharsets.UTF_8);
      spec.commandLine().getOut().println("wrote " + suggestions.suggestions().size() + " constraints on "
          + ref.columns().size() + " columns to " + output + "; check a profile with: loupe validate PROFILE.bin "
          + "--constraints " + output);
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
