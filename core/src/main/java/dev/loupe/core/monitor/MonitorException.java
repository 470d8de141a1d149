package dev.loupe.core.monitor;

import java.io.IOException;

/** A history that cannot be monitored as asked: no matching files, an ambiguous or unknown dataset. */
public final class MonitorException extends IOException {
  public MonitorException(String message) {
    super(message);
  }
}
