package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The hand-off between a Kafka consumer's thread and its tracking thread, with real threads. */
class KafkaHandoffTest {
  private static final TopicPartition TP = new TopicPartition("t", 0);

  private static KafkaHandoff.Poll poll(long first) {
    return new KafkaHandoff.Poll(null, Map.of(TP, first));
  }

  @Test
  void pollsAreTrackedInTheOrderTheyWerePutAndAtMostDepthWait() throws Exception {
    KafkaHandoff h = new KafkaHandoff(2);
    List<Long> tracked = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch taken = new CountDownLatch(1);
    Thread tracker = new Thread(() -> {
      KafkaHandoff.Poll p;
      while ((p = h.take()) != null) {
        taken.countDown();
        try {
          release.await(); // holds the first poll until the consumer side is seen blocking
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        tracked.add(p.firstOffsets().get(TP));
        h.done(true);
      }
    });
    tracker.start();
    assertTrue(h.put(poll(0)));
    assertTrue(taken.await(10, TimeUnit.SECONDS));
    // the tracker holds poll 0; two more fit in the queue, the fourth put waits
    assertTrue(h.put(poll(10)));
    assertTrue(h.put(poll(20)));
    AtomicBoolean fourthIn = new AtomicBoolean();
    Thread consumer = new Thread(() -> fourthIn.set(h.put(poll(30))));
    consumer.start();
    consumer.join(300);
    assertTrue(consumer.isAlive(), "a put beyond the depth waits");
    assertFalse(fourthIn.get());
    release.countDown();
    consumer.join(10_000);
    assertTrue(fourthIn.get());
    h.awaitIdle();
    assertEquals(List.of(0L, 10L, 20L, 30L), tracked, "every poll tracked once, in order, when awaitIdle returns");
    h.stop();
    tracker.join(10_000);
    assertFalse(tracker.isAlive());
  }

  @Test
  void aFailedPollAndEveryPollQueuedAfterItAreHandedBackAndNothingAfterItIsTracked() throws Exception {
    KafkaHandoff h = new KafkaHandoff(3);
    assertTrue(h.put(poll(0)));
    assertTrue(h.put(poll(10)));
    assertTrue(h.put(poll(20)));
    KafkaHandoff.Poll first = h.take();
    assertEquals(0L, first.firstOffsets().get(TP));
    h.done(false); // poll 0 cannot go in
    assertFalse(h.put(poll(30)), "no poll is queued behind a failure");
    // the tracking side takes nothing until the failure is collected
    AtomicBoolean tookWhileFailed = new AtomicBoolean();
    CountDownLatch took = new CountDownLatch(1);
    Thread tracker = new Thread(() -> {
      KafkaHandoff.Poll p = h.take();
      tookWhileFailed.set(p != null && p.firstOffsets().get(TP) != 40L);
      took.countDown();
    });
    tracker.start();
    assertFalse(took.await(300, TimeUnit.MILLISECONDS), "take() waits while a failure is not collected");
    h.awaitIdle(); // returns at once: the failure ends the wait
    List<KafkaHandoff.Poll> back = h.takeFailure();
    assertSame(first, back.get(0));
    assertEquals(List.of(0L, 10L, 20L), back.stream().map(p -> p.firstOffsets().get(TP)).toList());
    assertNull(h.takeFailure(), "collected once");
    assertTrue(h.put(poll(40)), "after the collection, polls (read again) go in");
    assertTrue(took.await(10, TimeUnit.SECONDS));
    assertFalse(tookWhileFailed.get(), "the first poll taken after the failure is the one read again");
    h.done(true);
    h.awaitIdle();
  }

  @Test
  void aTrackingThreadThatDiedStopsTheConsumerSideInsteadOfLettingItWait() throws Exception {
    KafkaHandoff h = new KafkaHandoff(1);
    assertTrue(h.put(poll(0)));
    h.take();
    Thread waiting = new Thread(h::awaitIdle);
    waiting.start();
    waiting.join(200);
    assertTrue(waiting.isAlive(), "awaitIdle waits for the poll in flight");
    h.die(new OutOfMemoryError("test"));
    waiting.join(10_000);
    assertFalse(waiting.isAlive(), "awaitIdle returns once the tracking thread died");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.put(poll(10)));
    assertTrue(e.getMessage().startsWith("the Kafka tracking thread stopped: java.lang.OutOfMemoryError: test"),
        e.getMessage());
    assertThrows(IllegalStateException.class, h::takeFailure);
  }

  @Test
  void depthMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KafkaHandoff(0));
    assertEquals("depth must be at least 1, not 0", e.getMessage());
  }
}
