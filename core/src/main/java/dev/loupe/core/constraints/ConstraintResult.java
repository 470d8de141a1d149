package dev.loupe.core.constraints;

/**
 * The outcome of one {@link Constraint}.
 *
 * @param column the column checked
 * @param check the check's name ({@code value_between}, ...)
 * @param expected what was expected, in words
 * @param measured what the profile holds, with error bounds where the number is an estimate
 * @param passed whether the check passed
 */
public record ConstraintResult(String column, String check, String expected, String measured, boolean passed) {

  /** One line: {@code FAIL age value_between: expected min >= 0 and max <= 120; measured min = -3, max = 97}. */
  public String message() {
    return (passed ? "PASS " : "FAIL ") + column + " " + check + ": expected " + expected + "; measured " + measured;
  }
}
