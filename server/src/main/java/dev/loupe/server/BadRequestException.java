package dev.loupe.server;

/** A request the server refuses, with the HTTP status (4xx) and a message saying what was wrong. */
final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  BadRequestException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
