package dev.loupe.core.monitor;

import dev.loupe.core.ProfileView;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The merge of the last {@code capacity} window profiles, kept up to date as windows arrive with
 * about three merges per window whatever the capacity (the two-stack queue for monoids): new
 * windows go on a back stack with their running merge; when the oldest must leave, the back stack
 * is turned into a front stack of suffix merges, whose top is then the merge of everything in it.
 * The monitor keeps only counts and types here (cheap to merge: the columns are merged in turn; the
 * distributions and categories are the {@link DistributionUnion} and {@link CategoryUnion}).
 */
final class SlidingMerge {
  private final int capacity;
  private final ArrayDeque<ProfileView> back = new ArrayDeque<>();
  private ProfileView backMerged = ProfileView.empty();
  private final ArrayDeque<ProfileView> front = new ArrayDeque<>(); // suffix merges, oldest's on top
  private final ArrayDeque<Instant> starts = new ArrayDeque<>();

  SlidingMerge(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a trailing baseline needs at least 1 window, got " + capacity);
    }
    this.capacity = capacity;
  }

  void add(Instant start, ProfileView v) {
    back.addLast(v);
    backMerged = backMerged.merge(v);
    starts.addLast(start);
    if (starts.size() > capacity) {
      if (front.isEmpty()) {
        ProfileView suffix = ProfileView.empty();
        while (!back.isEmpty()) {
          suffix = back.pollLast().merge(suffix);
          front.push(suffix);
        }
        backMerged = ProfileView.empty();
      }
      front.pop();
      starts.pollFirst();
    }
  }

  int size() {
    return starts.size();
  }

  Instant first() {
    return starts.peekFirst();
  }

  Instant last() {
    return starts.peekLast();
  }

  ProfileView merged() {
    return front.isEmpty() ? backMerged : front.peek().merge(backMerged);
  }
}
