package dev.loupe.core.constraints;

import dev.loupe.core.ProfileView;

/**
 * One check of one column of a profile, made by the factories of {@link Constraints} or read from
 * a YAML file ({@link ConstraintSet#load}). Evaluating never throws for what the data holds: a
 * missing column, a column without the needed metric or a missing reference is a failed result
 * whose message says so.
 */
public interface Constraint {
  /** The column checked. */
  String column();

  /** The check's name as in the YAML file, e.g. {@code value_between}. */
  String check();

  /** What is expected, in words: {@code "min >= 0 and max <= 120"}. */
  String expected();

  /** Whether the check needs a reference profile. */
  default boolean needsReference() {
    return false;
  }

  /** Evaluates against {@code profile}; {@code reference} may be null. */
  ConstraintResult evaluate(ProfileView profile, ProfileView reference);
}
