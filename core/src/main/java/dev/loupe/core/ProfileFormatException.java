package dev.loupe.core;

import java.io.IOException;

/**
 * Bytes that were supposed to be a profile (or a part of one) are not. The message names the
 * source, the place (column, metric path or byte offset), what was expected and what was found.
 */
public class ProfileFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public ProfileFormatException(String message) {
    super(message);
  }

  public ProfileFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
