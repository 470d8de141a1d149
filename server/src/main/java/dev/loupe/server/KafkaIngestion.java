package dev.loupe.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The server's Kafka consumers (docs/kafka.md): {@code KAFKA_CONSUMER_THREADS} threads, each with
 * its own consumer in the group, feeding JSON rows into the same windows, checkpoints and
 * destinations as HTTP requests.
 *
 * <p>Exactly once into profiles: a poll's rows and the partitions' next offsets enter the server
 * in one step ({@link Ingest#logFromSource}), every checkpoint records the offsets of exactly the
 * rows it holds, and a restart seeks to them. Offsets are committed to Kafka only from a checkpoint
 * that has landed, so the group's committed offsets never run ahead of what is durable; a revoked
 * partition gets a checkpoint and a synchronous commit before it is released. Records that cannot
 * be profiled go to the dead-letter topic (reason in headers) before the offsets pass them.
 */
final class KafkaIngestion implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KafkaIngestion.class.getName());
  static final String HEADER_REASON = "loupe.error.reason";
  static final String HEADER_MESSAGE = "loupe.error.message";
  static final String HEADER_TOPIC = "loupe.source.topic";
  static final String HEADER_PARTITION = "loupe.source.partition";
  static final String HEADER_OFFSET = "loupe.source.offset";
  static final String HEADER_TIMESTAMP = "loupe.source.timestamp";
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long PROBE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
  /**
   * Decoded polls that may wait for a consumer's tracking thread: two keep it busy while the consumer
   * thread decodes the next (more would only hold more memory: up to max.poll.records rows each).
   */
  private static final int HANDOFF_DEPTH = 2;

  private final KafkaSettings settings;
  private final Ingest ingest;
  private final long windowMillis;
  private final KafkaProducer<byte[], byte[]> deadLetterProducer;
  private final List<Worker> workers = new ArrayList<>();
  private final AtomicReference<Map<String, Long>> landed = new AtomicReference<>(Map.of());
  private volatile boolean stopping;

  // metrics
  private final Map<String, LongAdder> recordsByTopic = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadLettered = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
  private final LongAdder commits = new LongAdder();
  private final LongAdder commitNanos = new LongAdder();
  private final LongAdder commitFailures = new LongAdder();
  private final LongAdder rebalances = new LongAdder();
  private final LongAdder totalRecords = new LongAdder();
  private volatile double recordsPerSecond;
  private volatile long lastCommitNanos;

  KafkaIngestion(KafkaSettings settings, Ingest ingest, Metrics metrics) {
    this.settings = settings;
    this.ingest = ingest;
    this.windowMillis = ingest.window().toMillis();
    Map<String, Object> p = new HashMap<>(settings.clientProperties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", settings.bootstrapServers()));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "loupe-dead-letters");
    this.deadLetterProducer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    ingest.onCheckpoint(landed::set);
    metrics.section(this::render);
    for (int i = 0; i < settings.consumerThreads(); i++) {
      workers.add(new Worker(i));
    }
    for (Worker w : workers) {
      w.tracker.start();
      w.thread.start();
    }
    LOG.log(System.Logger.Level.INFO, "consuming " + settings);
  }

  /** False when a consumer has not reached its brokers for a while (see {@link #healthJson}). */
  boolean healthy() {
    for (Worker w : workers) {
      if (!w.reachable || !w.thread.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** The consumers' state for {@code GET /health}. */
  String healthJson() {
    StringBuilder sb = new StringBuilder("{\"status\":\"").append(healthy() ? "ok" : "unreachable")
        .append("\",\"consumers\":[");
    for (int i = 0; i < workers.size(); i++) {
      Worker w = workers.get(i);
      if (i > 0) {
        sb.append(',');
      }
      sb.append("{\"reachable\":").append(w.reachable && w.thread.isAlive()).append(",\"partitions\":")
          .append(w.assigned.size());
      String err = w.thread.isAlive() ? w.lastError : "the consumer thread stopped: " + w.lastError;
      if (err != null) {
        sb.append(",\"error\":\"").append(jsonEscape(err)).append('"');
      }
      sb.append('}');
    }
    return sb.append("]}").toString();
  }

  private static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Stops polling, checkpoints and commits what the consumers took in, and leaves the group. */
  @Override
  public void close() {
    stopping = true; // each loop sees it within one poll (200 ms); no wakeup, so the revocation's commit runs
    for (Worker w : workers) {
      try {
        w.thread.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deadLetterProducer.close(Duration.ofSeconds(10));
  }

  /** One consumer on its own thread; also its rebalance listener (called inside poll, on that thread). */
  private final class Worker implements Runnable, ConsumerRebalanceListener {
    final Thread thread;
    final KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
    /** Decoded polls on their way from this consumer's thread to its tracking thread. */
    final KafkaHandoff handoff = new KafkaHandoff(HANDOFF_DEPTH);
    /** The consumer thread's buffer for reading a poll's values with one parser (KafkaBatch.RowStream). */
    final KafkaBatch.Scratch scratch = new KafkaBatch.Scratch();
    final Thread tracker;
    final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    final Map<TopicPartition, Long> committed = new HashMap<>();
    /** Assigned partitions, paused, whose start offset is not decided yet (the group's offsets not read yet). */
    final Set<TopicPartition> undecided = new HashSet<>();
    Map<String, Long> committedFrom = null;
    volatile boolean reachable = true;
    volatile String lastError;
    long lastContact = System.nanoTime();
    long rateStart = System.nanoTime();
    long rateRecords;

    Worker(int index) {
      Map<String, Object> p = new HashMap<>(settings.clientProperties());
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", settings.bootstrapServers()));
      p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // offsets are committed from checkpoints only
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.putAll(settings.consumerTuning()); // fetch sizes: LOUPE_KAFKA_* over the properties file over the defaults
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, "loupe-" + settings.groupId() + "-" + index);
      Object staticId = p.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
      if (staticId != null) {
        // static membership asked for (LOUPE_KAFKA_CLIENT_PROPERTIES): one member per thread
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, staticId + "-" + index);
      }
      this.consumer = new KafkaConsumer<>(p, new ByteBufferDeserializer(), new ByteBufferDeserializer());
      this.thread = new Thread(this, "loupe-kafka-" + index);
      thread.setDaemon(true);
      this.tracker = new Thread(this::track, "loupe-kafka-" + index + "-track");
      tracker.setDaemon(true);
    }

    @Override
    public void run() {
      try {
        consumer.subscribe(settings.topics(), this);
        while (!stopping) {
          recoverIfFailed(null);
          commitLanded();
          decideStarts();
          ConsumerRecords<ByteBuffer, ByteBuffer> polled;
          try {
            polled = consumer.poll(POLL);
          } catch (WakeupException e) {
            break;
          } catch (KafkaException e) {
            lastError = e.toString();
            LOG.log(System.Logger.Level.WARNING, "polling Kafka failed: " + e + "; retrying");
            sleep(1000);
            continue;
          }
          if (!polled.isEmpty()) {
            contact();
            process(polled);
          } else {
            probe();
          }
          measure();
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException | Error e) {
        lastError = e.toString();
        LOG.log(System.Logger.Level.ERROR, "Kafka consumer " + thread.getName() + " stopped: " + e, e);
        throw e;
      } finally {
        handoff.awaitIdle(); // every poll handed off is tracked (or failed: then it is read again after a restart)
        if (stopping && !assigned.isEmpty()) {
          try {
            // a clean stop: what this consumer took in is made durable and committed (a static member is
            // not revoked at close, so this does not wait for onPartitionsRevoked)
            commit(ingest.checkpointNow(), assigned);
          } catch (java.io.IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "last checkpoint and commit before stopping failed: " + e
                + "; the next start seeks to the last checkpoint's offsets");
          }
        }
        try {
          // a clean stop leaves the group, so the partitions move to the other instances now
          consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(Duration.ofSeconds(20)));
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "closing the Kafka consumer: " + e);
        }
        handoff.stop();
        try {
          tracker.join(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void contact() {
      lastContact = System.nanoTime();
      if (!reachable) {
        LOG.log(System.Logger.Level.INFO, "Kafka brokers " + settings.bootstrapServers() + " reachable again");
      }
      reachable = true;
      lastError = null;
    }

    /** With nothing to read for a while, asks the brokers for metadata: an idle consumer and a cut-off one look alike. */
    private void probe() {
      if (System.nanoTime() - lastContact < PROBE_AFTER_NANOS) {
        return;
      }
      try {
        consumer.partitionsFor(settings.topics().get(0), Duration.ofSeconds(3));
        contact();
      } catch (WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        if (reachable) {
          LOG.log(System.Logger.Level.WARNING, "cannot reach the Kafka brokers " + settings.bootstrapServers() + ": "
              + e);
        }
        reachable = false;
        lastError = "cannot reach the Kafka brokers " + settings.bootstrapServers() + ": " + e.getMessage();
        lastContact = System.nanoTime() - PROBE_AFTER_NANOS + TimeUnit.SECONDS.toNanos(2); // probe again in 2 s
      }
    }

    private void measure() {
      for (TopicPartition tp : assigned) {
        var l = consumer.currentLag(tp);
        if (l.isPresent()) {
          lag.put(tp, l.getAsLong());
        }
      }
      long now = System.nanoTime();
      if (now - rateStart >= TimeUnit.SECONDS.toNanos(1)) {
        long total = totalRecords.sum();
        recordsPerSecond = (total - rateRecords) * 1e9 / (now - rateStart);
        rateRecords = total;
        rateStart = now;
      }
    }

    /**
     * Decodes one poll on this thread and hands it to the tracking thread, which dead-letters and
     * tracks it while this thread polls and decodes the next one (docs/kafka.md, "Guarantees": the
     * rows and the positions still go in together, in {@link Ingest#logFromSource}). The records'
     * buffers stay valid after the next poll: the consumer allocates each fetch response afresh and
     * compressed records one by one, it does not reuse them.
     */
    private void process(ConsumerRecords<ByteBuffer, ByteBuffer> polled) {
      KafkaHandoff.Poll p = new KafkaHandoff.Poll(KafkaBatch.decode(polled, settings, windowMillis, scratch),
          KafkaBatch.firstOffsets(polled));
      if (!handoff.put(p)) {
        recoverIfFailed(p);
      }
    }

    /**
     * After the tracking thread could not take a poll in (the dead-letter topic unreachable, the server
     * stopping): that poll and every later one not tracked ({@code extra}, if not null, is one more) are
     * dropped and their partitions read again from their first records.
     */
    private void recoverIfFailed(KafkaHandoff.Poll extra) {
      List<KafkaHandoff.Poll> dropped = handoff.takeFailure();
      if (dropped == null) {
        if (extra != null) {
          throw new IllegalStateException("a decoded poll was refused without a failure");
        }
        return;
      }
      if (extra != null) {
        dropped.add(extra);
      }
      Map<TopicPartition, Long> first = new HashMap<>();
      for (KafkaHandoff.Poll p : dropped) {
        p.firstOffsets().forEach((tp, o) -> first.merge(tp, o, Math::min));
      }
      for (Map.Entry<TopicPartition, Long> e : first.entrySet()) {
        // partitions revoked meanwhile were checkpointed at what was tracked; undecided ones are sought by decideStarts
        if (assigned.contains(e.getKey()) && !undecided.contains(e.getKey())) {
          consumer.seek(e.getKey(), e.getValue());
        }
      }
    }

    /** The tracking thread: takes the decoded polls in order, dead-letters and tracks each. */
    private void track() {
      try {
        KafkaHandoff.Poll p;
        while ((p = handoff.take()) != null) {
          handoff.done(track(p.batch()));
        }
      } catch (RuntimeException | Error e) {
        lastError = "the tracking thread stopped: " + e;
        LOG.log(System.Logger.Level.ERROR, "Kafka tracking thread " + tracker.getName() + " stopped: " + e, e);
        handoff.die(e); // the consumer thread stops too (it rethrows); recorded, not carried on
        throw e;
      }
    }

    /** Dead-letters and tracks one decoded poll; false when it cannot go in now (it is read again). */
    private boolean track(KafkaBatch batch) {
      try {
        while (true) {
          batch.admit(ingest);
          if (!deadLetter(batch.takeDeadLetters())) {
            return false;
          }
          if (ingest.logFromSource(batch.rows(), batch.positions())) {
            break;
          }
          // a rotation moved the clock between admission and tracking: decide again
        }
      } catch (BadRequestException e) {
        // 503: the server is stopping (or its journal failed); these records are read again after a restart
        lastError = e.getMessage();
        sleep(500);
        return false;
      }
      batch.rowsPerTopic().forEach((t, n) -> recordsByTopic.computeIfAbsent(t, k -> new LongAdder()).add(n));
      totalRecords.add(batch.records());
      return true;
    }

    /** Sends the dead letters and waits until the broker has them all; false if it could not (retried later). */
    private boolean deadLetter(List<KafkaBatch.DeadLetter> letters) {
      if (letters.isEmpty()) {
        return true;
      }
      List<Future<?>> sent = new ArrayList<>(letters.size());
      for (KafkaBatch.DeadLetter d : letters) {
        ConsumerRecord<ByteBuffer, ByteBuffer> r = d.record();
        RecordHeaders h = new RecordHeaders();
        for (Header x : r.headers()) {
          h.add(x);
        }
        h.add(HEADER_REASON, utf8(d.reason()));
        h.add(HEADER_MESSAGE, utf8(d.message()));
        h.add(HEADER_TOPIC, utf8(r.topic()));
        h.add(HEADER_PARTITION, utf8(Integer.toString(r.partition())));
        h.add(HEADER_OFFSET, utf8(Long.toString(r.offset())));
        h.add(HEADER_TIMESTAMP, utf8(Long.toString(r.timestamp())));
        sent.add(deadLetterProducer.send(new ProducerRecord<>(settings.deadLetterTopic(), null,
            r.timestamp() >= 0 ? r.timestamp() : null, KafkaBatch.bytes(r.key()), KafkaBatch.bytes(r.value()), h)));
      }
      deadLetterProducer.flush();
      try {
        for (Future<?> f : sent) {
          f.get(30, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        lastError = "cannot write to the dead-letter topic " + settings.deadLetterTopic() + ": " + e;
        LOG.log(System.Logger.Level.WARNING, lastError + "; the records are read again in a second");
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        sleep(1000);
        return false;
      }
      for (KafkaBatch.DeadLetter d : letters) {
        deadLettered.computeIfAbsent(d.reason(), k -> new LongAdder()).increment();
        LOG.log(System.Logger.Level.DEBUG, "dead-lettered " + d.record().topic() + "/" + d.record().partition() + "@"
            + d.record().offset() + ": " + d.message());
      }
      return true;
    }

    /** Commits the offsets of the last checkpoint that landed, for this consumer's partitions. */
    private void commitLanded() {
      Map<String, Long> ck = landed.get();
      if (ck == committedFrom) {
        return;
      }
      commit(ck, assigned);
      committedFrom = ck;
    }

    private boolean commit(Map<String, Long> positions, Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (TopicPartition tp : partitions) {
        Long pos = positions.get(KafkaBatch.positionKey(tp));
        Long prev = committed.get(tp);
        // never before the group's offset is known, never backwards (another instance may have counted past us)
        if (pos != null && !undecided.contains(tp) && (prev == null || pos > prev)) {
          offsets.put(tp, new OffsetAndMetadata(pos));
        }
      }
      if (offsets.isEmpty()) {
        return true;
      }
      long t0 = System.nanoTime();
      try {
        consumer.commitSync(offsets, Duration.ofSeconds(15));
      } catch (WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        commitFailures.increment();
        LOG.log(System.Logger.Level.WARNING, "committing offsets " + offsets + " failed: " + e
            + "; they are committed again after the next checkpoint");
        return false;
      }
      long dt = System.nanoTime() - t0;
      commits.increment();
      commitNanos.add(dt);
      lastCommitNanos = dt;
      offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
      return true;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      rebalances.increment();
      // every row read from these partitions is tracked once the hand-off is drained (or failed: then the
      // positions stop before the failed poll); make it durable, then let the next owner start exactly after it
      handoff.awaitIdle();
      Map<String, Long> now = ingest.sourcePositions();
      Map<String, Long> durable = landed.get();
      boolean covered = true;
      for (TopicPartition tp : partitions) {
        String k = KafkaBatch.positionKey(tp);
        if (now.containsKey(k) && !now.get(k).equals(durable.get(k))) {
          covered = false;
        }
      }
      try {
        if (!covered) {
          durable = ingest.checkpointNow();
        }
        commit(durable, partitions);
      } catch (java.io.IOException | RuntimeException e) {
        commitFailures.increment();
        lastError = "could not checkpoint revoked partitions " + partitions + ": " + e;
        LOG.log(System.Logger.Level.ERROR, lastError + "; their next owner starts at the last committed offsets");
      }
      assigned.removeAll(partitions);
      undecided.removeAll(partitions);
      partitions.forEach(lag::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // the group moved on without us (session timeout): nothing can be committed any more
      LOG.log(System.Logger.Level.WARNING, "lost Kafka partitions " + partitions + " (session expired); their next "
          + "owner starts at the last committed offsets, so rows since the last checkpoint may be counted twice");
      // what was handed off is tracked now, not after this consumer may get the partitions back and decide where
      // to start them from the positions (which must then be final)
      handoff.awaitIdle();
      rebalances.increment();
      assigned.removeAll(partitions);
      undecided.removeAll(partitions);
      partitions.forEach(lag::remove);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      rebalances.increment();
      // the positions decideStarts reads must be final: every poll handed off is tracked first, and a failed one
      // is read again now, for the partitions kept (new ones are not in `assigned` yet; decideStarts starts them)
      handoff.awaitIdle();
      recoverIfFailed(null);
      // nothing is read from a partition before its start is decided: were the group's offsets not read here
      // (a timeout under load), the consumer would fetch from the group's offset, behind our checkpoint, and
      // count those records twice, and this worker would never commit the partition
      assigned.addAll(partitions);
      undecided.addAll(partitions);
      consumer.pause(partitions);
      decideStarts();
    }

    /**
     * Starts each undecided partition at our checkpoint's position, or at the group's committed offset when
     * that is further (another instance counted past it since), then resumes it; retried every loop until the
     * group's offsets are read.
     */
    private void decideStarts() {
      if (undecided.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> group;
      try {
        group = consumer.committed(new HashSet<>(undecided), Duration.ofSeconds(10));
      } catch (WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        lastError = "reading the group's committed offsets for " + undecided + " failed: " + e;
        LOG.log(System.Logger.Level.WARNING, lastError + "; the partitions stay paused and it is retried");
        return;
      }
      Map<String, Long> local = ingest.sourcePositions();
      for (TopicPartition tp : undecided) {
        Long mine = local.get(KafkaBatch.positionKey(tp));
        OffsetAndMetadata theirs = group.get(tp);
        if (theirs != null) {
          committed.put(tp, theirs.offset());
        } else {
          committed.remove(tp);
        }
        // our checkpoint holds the rows before "mine"; the group's offset is ahead only when another
        // instance counted past it since
        if (mine != null && (theirs == null || mine > theirs.offset())) {
          consumer.seek(tp, mine);
        }
      }
      consumer.resume(undecided);
      undecided.clear();
    }
  }

  private void sleep(long ms) {
    if (stopping) {
      return;
    }
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- metrics ----

  private void render(StringBuilder sb) {
    family(sb, "loupe_kafka_records_total", "counter", "Kafka records tracked into profiles, by topic");
    new TreeMap<>(recordsByTopic).forEach((t, v) -> sb.append("loupe_kafka_records_total{topic=\"").append(t)
        .append("\"} ").append(v.sum()).append('\n'));
    family(sb, "loupe_kafka_records_per_second", "gauge", "Kafka records consumed per second, over the last second");
    sb.append("loupe_kafka_records_per_second ").append(Math.round(recordsPerSecond)).append('\n');
    family(sb, "loupe_kafka_lag", "gauge", "records behind the end of each assigned partition");
    new TreeMap<TopicPartition, Long>((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(),
        b.partition()) : a.topic().compareTo(b.topic())) {
      {
        putAll(lag);
      }
    }.forEach((tp, v) -> sb.append("loupe_kafka_lag{topic=\"").append(tp.topic()).append("\",partition=\"")
        .append(tp.partition()).append("\"} ").append(v).append('\n'));
    family(sb, "loupe_kafka_dead_lettered_total", "counter", "records sent to the dead-letter topic, by reason");
    new TreeMap<>(deadLettered).forEach((r, v) -> sb.append("loupe_kafka_dead_lettered_total{reason=\"").append(r)
        .append("\"} ").append(v.sum()).append('\n'));
    family(sb, "loupe_kafka_commit_latency_seconds", "summary", "offset commits (after checkpoints)");
    sb.append("loupe_kafka_commit_latency_seconds_sum ").append(commitNanos.sum() / 1e9).append('\n');
    sb.append("loupe_kafka_commit_latency_seconds_count ").append(commits.sum()).append('\n');
    family(sb, "loupe_kafka_last_commit_latency_seconds", "gauge", "the last offset commit's latency");
    sb.append("loupe_kafka_last_commit_latency_seconds ").append(lastCommitNanos / 1e9).append('\n');
    family(sb, "loupe_kafka_commit_failures_total", "counter", "offset commits that failed (retried later)");
    sb.append("loupe_kafka_commit_failures_total ").append(commitFailures.sum()).append('\n');
    family(sb, "loupe_kafka_rebalances_total", "counter", "partition assignments, revocations and losses");
    sb.append("loupe_kafka_rebalances_total ").append(rebalances.sum()).append('\n');
    family(sb, "loupe_kafka_brokers_reachable", "gauge", "1 when every consumer reaches its brokers");
    sb.append("loupe_kafka_brokers_reachable ").append(healthy() ? 1 : 0).append('\n');
  }

  private static void family(StringBuilder sb, String name, String type, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }
}
