package dev.loupe.server;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The rolling logger's clock. It moves only when the rotation thread sets it, never backwards, and
 * under the rotation (write) lock whenever the move makes a window due; so a request is judged late
 * or not by the same verdict from its admission to its tracking, and a replay at an earlier
 * checkpoint's value judges it the same way (see docs/server.md, Ingest.quietTick).
 */
final class ManualClock extends Clock {
  private volatile long millis;

  ManualClock(long millis) {
    this.millis = millis;
  }

  /** Moves to {@code t} unless that would go backwards; returns the clock's value. */
  long advanceTo(long t) {
    if (t > millis) {
      millis = t;
    }
    return millis;
  }

  void set(long t) {
    millis = t;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the server's clock is UTC");
  }
}
