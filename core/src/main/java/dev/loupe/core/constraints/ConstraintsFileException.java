package dev.loupe.core.constraints;

import java.io.IOException;

/**
 * A constraints YAML file that cannot be used: not YAML, an unknown check or field, a missing or
 * mistyped value. The message names the file, the line and the field, and says what was expected.
 */
public final class ConstraintsFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final String field;

  ConstraintsFileException(String source, int line, String field, String problem) {
    super(source + (line > 0 ? " line " + line : "") + (field == null ? "" : ", field '" + field + "'") + ": " + problem);
    this.line = line;
    this.field = field;
  }

  /** The 1-based line of the fault, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** The field at fault (such as {@code constraints[2].min}), or null. */
  public String field() {
    return field;
  }
}
