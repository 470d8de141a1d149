package dev.loupe.core.constraints;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An ordered list of {@link Constraint}s, optionally with the path of a reference profile (from a
 * YAML file's {@code reference:} key) for the checks that compare against one.
 *
 * <pre>{@code
 * ConstraintSet set = ConstraintSet.load(Path.of("constraints.yaml"));
 * ValidationReport report = set.validate(profile, set.loadReference().orElse(null));
 * System.out.print(report.toTable());
 * System.exit(report.exitCode());
 * }</pre>
 *
 * The YAML schema is in {@code docs/constraints.md}.
 */
public final class ConstraintSet {
  private final List<Constraint> constraints;
  private final Path reference;

  private ConstraintSet(List<Constraint> constraints, Path reference) {
    this.constraints = List.copyOf(constraints);
    this.reference = reference;
  }

  public static ConstraintSet of(Constraint... constraints) {
    return new ConstraintSet(Arrays.asList(constraints), null);
  }

  public static ConstraintSet of(List<Constraint> constraints) {
    return new ConstraintSet(new ArrayList<>(constraints), null);
  }

  /** The same constraints with a reference profile path. */
  public ConstraintSet withReference(Path referenceProfile) {
    return new ConstraintSet(constraints, referenceProfile);
  }

  /** Reads a constraints YAML file; a faulty one gives a {@link ConstraintsFileException} naming line and field. */
  public static ConstraintSet load(Path yaml) throws IOException {
    String text = Files.readString(yaml, StandardCharsets.UTF_8);
    ConstraintSet set = ConstraintsYaml.parse(text, yaml.toString());
    if (set.reference != null && !set.reference.isAbsolute()) {
      Path dir = yaml.toAbsolutePath().getParent();
      return set.withReference(dir == null ? set.reference : dir.resolve(set.reference));
    }
    return set;
  }

  /** Parses constraints YAML text; {@code source} names it in errors. A relative reference path stays as written. */
  public static ConstraintSet parse(String yaml, String source) throws ConstraintsFileException {
    return ConstraintsYaml.parse(yaml, source);
  }

  public List<Constraint> constraints() {
    return constraints;
  }

  /** The reference profile's path, when the file named one. */
  public Optional<Path> referencePath() {
    return Optional.ofNullable(reference);
  }

  /** Reads the reference profile, when the file named one. */
  public Optional<ProfileView> loadReference() throws IOException {
    return reference == null ? Optional.empty() : Optional.of(ProfileView.read(reference));
  }

  public boolean needsReference() {
    return constraints.stream().anyMatch(Constraint::needsReference);
  }

  /** Validates without a reference: checks that need one fail, saying so. */
  public ValidationReport validate(ProfileView profile) {
    return validate(profile, null);
  }

  /** Validates {@code profile}; {@code reference} may be null. */
  public ValidationReport validate(ProfileView profile, ProfileView reference) {
    List<ConstraintResult> out = new ArrayList<>();
    for (Constraint c : constraints) {
      out.add(c.evaluate(profile, reference));
    }
    return new ValidationReport(out);
  }

  @Override
  public String toString() {
    return "ConstraintSet" + constraints + (reference == null ? "" : " reference=" + reference);
  }
}
