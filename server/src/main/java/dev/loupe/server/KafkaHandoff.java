package dev.loupe.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The bounded, ordered hand-off of decoded polls from a Kafka consumer's thread (poll and decode)
 * to its tracking thread (dead letters, admission, tracking), so that one consumer keeps two cores
 * busy. At most {@code depth} polls wait; the consumer thread blocks when they are all taken.
 *
 * <p>Exactly once is kept by order and by a stop at the first failure: the tracking thread takes
 * the polls in the order they were polled, and when one cannot go in ({@link #done} with false),
 * it takes no other until the consumer thread has collected that poll and every later one
 * ({@link #takeFailure}) and read their partitions again from their first records. A partition's
 * tracked position therefore always ends exactly where the next untracked record begins.
 * Before a partition is revoked, and before a clean stop, the consumer thread waits for every
 * handed poll to be tracked ({@link #awaitIdle}).
 */
final class KafkaHandoff {

  /** One decoded poll, with the first offset of each of its partitions (where to read again). */
  record Poll(KafkaBatch batch, Map<TopicPartition, Long> firstOffsets) {}

  private final int depth;
  private final ArrayDeque<Poll> queue = new ArrayDeque<>();
  private Poll inFlight; // taken by the tracking thread and not done yet
  private Poll failed; // the poll that could not go in; no other is taken until it is collected
  private Throwable died; // the tracking thread stopped with this
  private boolean stopped;

  KafkaHandoff(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be at least 1, not " + depth);
    }
    this.depth = depth;
  }

  /**
   * Consumer thread: queues {@code p}, waiting while {@code depth} polls wait. False, leaving {@code p}
   * out, when a failure waits to be collected ({@link #takeFailure}): {@code p} is then to be read again too.
   */
  synchronized boolean put(Poll p) {
    while (queue.size() >= depth && failed == null && died == null) {
      await();
    }
    checkAlive();
    if (failed != null) {
      return false;
    }
    queue.add(p);
    notifyAll();
    return true;
  }

  /** Tracking thread: the next poll, waiting for one; null once {@link #stop} was called and none is left. */
  synchronized Poll take() {
    while ((queue.isEmpty() || failed != null) && !stopped) {
      await();
    }
    if (queue.isEmpty() || failed != null) {
      return null;
    }
    inFlight = queue.poll();
    notifyAll();
    return inFlight;
  }

  /** Tracking thread: the poll taken last is in ({@code true}) or could not go in ({@code false}). */
  synchronized void done(boolean tracked) {
    if (inFlight == null) {
      throw new IllegalStateException("done() without a poll taken");
    }
    if (!tracked) {
      failed = inFlight;
    }
    inFlight = null;
    notifyAll();
  }

  /**
   * Consumer thread: null when nothing failed; else the failed poll and every poll queued after it, in
   * order, removed (the tracking thread goes on with the next poll put).
   */
  synchronized List<Poll> takeFailure() {
    checkAlive();
    if (failed == null) {
      return null;
    }
    List<Poll> out = new ArrayList<>(queue.size() + 1);
    out.add(failed);
    out.addAll(queue);
    queue.clear();
    failed = null;
    notifyAll();
    return out;
  }

  /** Consumer thread: waits until every poll put is tracked, or one failed, or the tracking thread stopped. */
  synchronized void awaitIdle() {
    while ((!queue.isEmpty() || inFlight != null) && failed == null && died == null && !stopped) {
      await();
    }
  }

  /** The tracking thread takes what is queued, then {@link #take} returns null. */
  synchronized void stop() {
    stopped = true;
    notifyAll();
  }

  /** Tracking thread: it stops with {@code e} (recorded; the consumer thread then stops too). */
  synchronized void die(Throwable e) {
    died = e;
    inFlight = null;
    notifyAll();
  }

  private void checkAlive() {
    if (died != null) {
      throw new IllegalStateException("the Kafka tracking thread stopped: " + died, died);
    }
  }

  /** Waits for a change; nothing interrupts these threads (stopping goes through {@link #stop} and {@link #die}). */
  private void await() {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while handing a Kafka poll over", e);
    }
  }
}
