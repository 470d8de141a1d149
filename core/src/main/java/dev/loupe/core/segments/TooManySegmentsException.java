package dev.loupe.core.segments;

import java.util.List;

/**
 * Tracking would create more segments than the cap allows. Nothing of the offending row or batch
 * was tracked, so the profile is still consistent: raise the cap
 * ({@link SegmentedProfile.Builder#maxSegments(int)}) or segment on columns with fewer distinct
 * values, and track the batch again.
 */
public final class TooManySegmentsException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final int cap;
  private final int wouldHave;

  TooManySegmentsException(List<String> columns, int cap, int wouldHave) {
    super("segmenting on " + columns + " would make " + wouldHave + " segments, more than the cap of " + cap
        + " (each segment keeps a whole profile in memory); raise the cap with "
        + "SegmentedProfile.builder(...).maxSegments(n), or segment on columns with fewer distinct values");
    this.cap = cap;
    this.wouldHave = wouldHave;
  }

  /** The cap that was exceeded. */
  public int cap() {
    return cap;
  }

  /** How many segments the profile would have had. */
  public int wouldHave() {
    return wouldHave;
  }
}
