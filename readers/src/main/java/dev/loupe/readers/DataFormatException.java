package dev.loupe.readers;

import java.io.IOException;

/**
 * A data file is not what its reader can read: an empty file without a header, a row with a
 * different number of fields than the header, an unclosed quote, a file that is not gzip although
 * its name ends in {@code .gz}. The message names the file, the line and what was expected.
 */
public class DataFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public DataFormatException(String message) {
    super(message);
  }

  public DataFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
