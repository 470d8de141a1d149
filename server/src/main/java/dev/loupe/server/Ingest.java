package dev.loupe.server;

import dev.loupe.core.ColumnNames;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.LateDataException;
import dev.loupe.core.logging.internal.MergeWarmUp;
import dev.loupe.core.logging.internal.OpenWindows;
import dev.loupe.core.logging.internal.WindowDelivery;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.internal.Windows;
import dev.loupe.core.logging.Writer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * The durable heart of the server: journal, open windows, checkpoints and the delivery of
 * finished windows. It composes core's parts of a rolling logger itself ({@link Windows} for the
 * arithmetic and the lateness check, {@link OpenWindows} for the striped store, {@link
 * WindowDelivery} for part numbers and retries), so that rotation runs on its own schedule, under
 * its own lock. See docs/server.md, "Durability", for the argument that a kill -9 at any moment
 * loses no acknowledged row and counts none twice. In short:
 *
 * <ul>
 *   <li>A request is journaled and applied to the open windows under the <em>read</em> side of
 *       one lock, then waits for the journal's group fsync, then is answered.</li>
 *   <li>Rotation runs on one thread under the <em>write</em> side: it sets the clock, closes due
 *       windows into the delivery, held there (memory only) until a checkpoint holds them, and
 *       snapshots journal position + open windows + staged windows + part counters. The snapshot
 *       is written as a checkpoint (atomic rename) after the lock is released; only then are the
 *       staged windows marked ready and handed to the destinations, whose writes are idempotent
 *       per window part.</li>
 *   <li>Start-up restores the last checkpoint and replays the journal records after it with
 *       the checkpoint's clock.</li>
 * </ul>
 */
final class Ingest implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Ingest.class.getName());

  private final ServerConfig config;
  private final Metrics metrics;
  private final Path checkpointFile;
  private final Journal journal;
  private final ManualClock clock;
  private final WindowDelivery delivery;
  private final List<WindowInfo> recent = new ArrayList<>(); // guarded by itself: staged since takeRecent
  private final List<Writer> destinations;
  private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
  private final ReentrantLock rotating = new ReentrantLock();
  private final Admission admission;
  private final Health health;
  private final Quarantine quarantine;
  private final BufferAllocator allocator;
  /** Threads that track parts of large Arrow batches besides the request's own (see applyByColumns). */
  private final int trackingThreads = Runtime.getRuntime().availableProcessors() - 1;
  private final ExecutorService trackers;
  /** Live requests between their journal append and the end of their tracking (see trackingParts). */
  private final AtomicInteger trackingNow = new AtomicInteger();
  /**
   * Turns at a request's CPU work, one per core, given in arrival order (a fair semaphore): an HTTP
   * request takes one to parse, journal and track its body; its body is read before, and its fsync
   * waited for after. Without turns, every request in flight (up to 64 in the load test) time-sliced
   * the two cores, so a burst made all of them slow at once, and the group-commit thread waited for a
   * core among them; in turns the first ones finish first. Half-peak Arrow's worst requests went from
   * 810 ms to 145 ms (docs/benchmarks.md, "Server ingest"). The checkpoint does not take turns: tried,
   * it took a core from the requests for its whole merge, and JSON's tail grew.
   */
  private final java.util.concurrent.Semaphore cpuTurns = new java.util.concurrent.Semaphore(
      Math.max(1, Runtime.getRuntime().availableProcessors()), true);
  private final ScheduledExecutorService rotator;
  /**
   * Runs the checkpoint's merge and encoding at a low CPU priority ({@link BackgroundPriority}): the
   * rotation hands them over once the write lock is released, and waits for the bytes.
   */
  private final ExecutorService checkpointWorker;
  private volatile OpenWindows open; // replaced only during start-up (window settings changed)
  private long windowMillis;
  private long latenessMillis;
  private long lastCheckpointMillis;
  private long previousCheckpointSeq; // journal segments are kept back to here (see Checkpoint.read)
  private long replayAfterSeq; // start-up only: records up to here are in the checkpoint
  private volatile boolean closed;
  /** Sources with their own log (Kafka): "topic/partition" -> next offset, covering exactly the rows tracked. */
  private final Map<String, Long> sourcePositions = new ConcurrentHashMap<>();
  private volatile Map<String, Long> checkpointedPositions = Map.of();
  private volatile Consumer<Map<String, Long>> onCheckpoint = p -> {};
  /** Set when a request failed after it was journaled: live state may hold part of it (see poison). */
  private volatile Throwable poisoned;

  /** The largest timestamp taken: 9999-12-31T23:59:59.999Z, far from any long overflow. */
  static final long MAX_TIMESTAMP = 253_402_300_799_999L;

  Ingest(ServerConfig config, List<Writer> destinations, Metrics metrics, Health health) throws IOException {
    this.config = config;
    this.metrics = metrics;
    this.health = health;
    this.admission = new Admission(config.maxDatasets(), config.maxRequestColumns(), config.maxWindowColumns(),
        config.maxOpenColumns());
    this.quarantine = new Quarantine(config.dataDir());
    this.destinations = List.copyOf(destinations);
    Path dataDir = config.dataDir();
    Files.createDirectories(dataDir);
    this.checkpointFile = dataDir.resolve("checkpoint.bin");
    this.journal = new Journal(dataDir.resolve("journal"), 64L << 20);
    this.allocator = new RootAllocator(Math.max(256L << 20, config.maxBodyBytes() * 8));
    long now = System.currentTimeMillis();
    this.clock = new ManualClock(now);
    this.delivery = new WindowDelivery(this.destinations, clock);
    AtomicInteger trackerId = new AtomicInteger();
    this.trackers = Executors.newFixedThreadPool(Math.max(1, trackingThreads), r -> {
      Thread t = new Thread(r, "loupe-track-" + trackerId.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.checkpointWorker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(() -> {
        try {
          String why = BackgroundPriority.lowerCurrentThread();
          if (why != null) {
            LOG.log(System.Logger.Level.INFO, "the checkpoint thread keeps its CPU priority: " + why);
          }
        } catch (RuntimeException e) { // the priority is an optimization: the worker must run regardless
          LOG.log(System.Logger.Level.INFO, "the checkpoint thread keeps its CPU priority: " + e);
        }
        r.run();
      }, "loupe-checkpoint");
      t.setDaemon(true);
      return t;
    });
    metrics.gauge("loupe_journal_bytes", journal::bytes);
    metrics.gauge("loupe_journal_spare_segments", journal::spareCount);
    metrics.gauge("loupe_requests_waiting_for_cpu", cpuTurns::getQueueLength);
    metrics.gauge("loupe_outbox_windows", delivery::size);
    metrics.gauge("loupe_open_columns", admission::openColumns);
    recover();
    long tick = Math.max(100, Math.min(1000, windowMillis / 10));
    rotator = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loupe-rotation");
      t.setDaemon(true);
      return t;
    });
    rotator.scheduleWithFixedDelay(this::tickQuietly, tick, tick, TimeUnit.MILLISECONDS);
    if (config.warmUp()) {
      Thread warm = new Thread(this::warmUp, "loupe-warm-up");
      warm.setDaemon(true);
      warm.start();
    }
  }

  /**
   * Compiles the checkpoint's merge and write on made-up data before the first checkpoints need it
   * (see {@link MergeWarmUp}): without it, a young server's checkpoints took 37-103 ms of CPU each
   * from the requests in flight, against 6-12 ms once compiled. Nothing it makes is kept.
   */
  private void warmUp() {
    long start = System.nanoTime();
    MergeWarmUp.run(OpenWindows.defaultStripes(), 20, () -> closed);
    String what = closed ? "warm-up stopped by close after " : "compiled the checkpoint's merge on made-up data in ";
    LOG.log(System.Logger.Level.INFO, what + (System.nanoTime() - start) / 1_000_000
        + " ms (LOUPE_WARM_UP=false skips this)");
  }

  // ---- start-up ----

  private void recover() throws IOException {
    Checkpoint ck = Checkpoint.readOrPrevious(checkpointFile);
    long afterSeq = 0;
    if (ck != null) {
      afterSeq = ck.seq;
      previousCheckpointSeq = ck.seq;
      clock.set(ck.clockMillis);
      windowMillis = ck.windowMillis;
      latenessMillis = ck.latenessMillis;
    } else {
      windowMillis = config.window().toMillis();
      latenessMillis = config.lateness().toMillis();
    }
    open = newOpenWindows(windowMillis, latenessMillis);
    if (ck != null) {
      for (Checkpoint.Entry e : ck.open) {
        open.restore(e.window().datasetId(), e.window().start().toEpochMilli(), e.view());
        admission.record(e.window().datasetId(), e.window().start().toEpochMilli(), e.view().columns().keySet());
      }
      // checkpoints written before the delivery was one part may list failed writes apart; today's list none
      for (Checkpoint.Entry e : ck.pending) {
        delivery.restore(e.window(), e.view());
      }
      for (Checkpoint.Entry e : ck.outbox) {
        admission.record(e.window().datasetId(), e.window().start().toEpochMilli(), e.view().columns().keySet());
        delivery.restore(e.window(), e.view()); // a checkpoint holds it: ready for the destinations
      }
      Map<WindowDelivery.PartKey, Integer> parts = new HashMap<>();
      ck.nextParts.forEach((k, v) -> parts.put(new WindowDelivery.PartKey(k.datasetId(), k.start()), v));
      delivery.restoreParts(parts);
      sourcePositions.putAll(ck.positions);
      checkpointedPositions = ck.positions;
      LOG.log(System.Logger.Level.INFO, "restored checkpoint at journal record " + ck.seq + ": " + ck.open.size()
          + " open window(s), " + ck.outbox.size() + " window(s) awaiting their destination");
    }
    // Replay with the checkpoint's clock: every record after it was accepted at that clock or a
    // later one, so it lands in the same window and is not late (docs/server.md).
    replayAfterSeq = afterSeq;
    long maxSeq = journal.replay(afterSeq, this::replay, this::damaged); // and openForAppend cuts what it did not read
    long next = Math.max(afterSeq, maxSeq) + 1;
    if (windowMillis != config.window().toMillis() || latenessMillis != config.lateness().toMillis()) {
      // settings changed across the restart: finish the old windows under the old settings
      LOG.log(System.Logger.Level.INFO, "window settings changed (" + Duration.ofMillis(windowMillis) + " -> "
          + config.window() + ", lateness " + Duration.ofMillis(latenessMillis) + " -> " + config.lateness()
          + "): writing the restored windows out under the old settings");
      open.close(clock.millis(), true, stageInto(open.windows()));
      windowMillis = config.window().toMillis();
      latenessMillis = config.lateness().toMillis();
      open = newOpenWindows(windowMillis, latenessMillis);
    }
    journal.openForAppend(next);
    rotate(false, true); // a checkpoint covering the replay; old segments go, restored windows go out
  }

  private OpenWindows newOpenWindows(long window, long lateness) {
    return new OpenWindows(Windows.of(Duration.ofMillis(window), Duration.ofMillis(lateness)), clock,
        OpenWindows.defaultStripes());
  }

  /**
   * Where closed windows go: the delivery, held until a checkpoint holds them (see rotateLocked).
   * Parts are numbered there, and the numbers are checkpointed, so a window written again after a
   * restart never reuses an earlier part's key (which would replace it).
   */
  private OpenWindows.Sink stageInto(Windows w) {
    return (datasetId, start, view) -> {
      WindowInfo staged = delivery.stage(w.info(datasetId, start, 0, Map.of()), view, false);
      synchronized (recent) {
        recent.add(staged);
      }
      metrics.windowsHandedOut.increment();
    };
  }

  /** The windows staged since the last call (POST /writeProfiles reports them). */
  private List<WindowInfo> takeRecent() {
    synchronized (recent) {
      List<WindowInfo> out = new ArrayList<>(recent);
      recent.clear();
      return out;
    }
  }

  /**
   * Applies one journal record at start-up. A record that cannot be applied, for whatever reason
   * (a malformed body, a width over today's limits, an exception while applying), is
   * moved to the quarantine with a loud log line and a metric, and start-up goes on: a record
   * that failed once would fail at every start, and a crash loop loses everything after it. An Error
   * is not the record's doing (memory is bounded before applying): it is logged and start-up stops.
   */
  private void replay(Journal.Record r) throws IOException {
    metrics.replayedRecords.increment();
    try {
      if (r.kind() == Journal.KIND_JSON) {
        LogRequest req = LogRequest.parse(r.body());
        Set<String> columns = req.columnNames();
        admission.checkRequestWidth(r.datasetId(), columns.size()); // bound memory before applying
        admission.record(r.datasetId(), windowStart(r.timestamp()), columns);
        apply(r.datasetId(), r.timestamp(), req::trackInto);
      } else if (r.kind() == Journal.KIND_ARROW) {
        ArrowFraming.Shape shape = ArrowFraming.check(r.body());
        admission.checkRequestWidth(r.datasetId(), shape.columns());
        admission.record(r.datasetId(), windowStart(r.timestamp()), arrowColumns(r.body()));
        applyArrow(r.datasetId(), r.timestamp(), r.body());
      } else {
        throw new IOException("unknown record kind " + r.kind());
      }
    } catch (Error e) {
      // not a property of the record (memory is bounded before applying): start-up stops, the record stays in
      // the journal for the next start
      LOG.log(System.Logger.Level.ERROR, "start-up stopped while applying journal record " + r.seq() + " (dataset "
          + r.datasetId() + ", " + r.body().length + " bytes): " + e + "; the record stays in the journal", e);
      throw e;
    } catch (IOException | RuntimeException e) { // recorded: quarantine, log, metric
      Path f = quarantine.record(r);
      metrics.quarantinedRecords.increment();
      health.set("quarantine", "journal record(s) could not be applied at start-up; see " + quarantine.dir());
      LOG.log(System.Logger.Level.ERROR, "QUARANTINED journal record " + r.seq() + " (dataset " + r.datasetId()
          + ", " + r.body().length + " bytes): it could not be applied (" + e + "); it was moved to " + f
          + " and start-up goes on. If it failed while applying, part of its rows may be in the window; the file "
          + "holds all of them", e);
    }
  }

  /** A damaged stretch of the journal: its bytes go to the quarantine, the log names what it held. */
  private void damaged(Journal.Damage d) throws IOException {
    String what = Journal.describe(d);
    if (d.tail() && d.lostRecords() < 0 && d.to() - d.from() < 64) {
      LOG.log(System.Logger.Level.WARNING, what); // a few torn bytes at the end: the common crash
      return;
    }
    // records the checkpoint already holds are not lost, even when their bytes are damaged
    long lost = d.lostRecords() <= 0 ? 0
        : Math.max(0, d.firstLostSeq() + d.lostRecords() - Math.max(d.firstLostSeq(), replayAfterSeq + 1));
    if (d.lostRecords() > 0 && lost == 0) {
      LOG.log(System.Logger.Level.WARNING, what + " (all of them are in the checkpoint already: nothing is lost)");
      return;
    }
    Path f = quarantine.damaged(d);
    if (lost > 0) {
      metrics.damagedJournalRecords.add(lost);
      health.set("journal_damage", "damaged journal record(s) were skipped at start-up; see " + quarantine.dir());
      LOG.log(System.Logger.Level.ERROR, what + "; the bytes were kept in " + f);
    } else {
      LOG.log(System.Logger.Level.WARNING, what + "; the bytes were kept in " + f);
    }
  }

  private long windowStart(long ts) {
    return open.windows().startOf(ts);
  }

  // ---- ingestion ----

  /** A request's CPU work: parsing, then {@link #logJson} or {@link #logArrow}. */
  interface RequestWork {
    Accepted run() throws IOException;
  }

  /** Runs {@code work} in one of the turns at CPU work (see the field); answer after {@link #awaitDurable}. */
  Accepted inCpuTurn(RequestWork work) throws IOException {
    cpuTurns.acquireUninterruptibly();
    try {
      return work.run();
    } finally {
      cpuTurns.release();
    }
  }

  /** A request journaled and tracked: its rows, and its journal record (0: none), durable once {@link #awaitDurable} returns. */
  record Accepted(long rows, long seq) {}

  /** Waits until the request's journal record is durable: only then may it be answered. */
  void awaitDurable(Accepted a) throws IOException {
    if (a.seq() > 0) {
      journal.awaitDurable(a.seq());
    }
  }

  /** Journals and tracks a parsed JSON request; answer it after {@link #awaitDurable}. */
  Accepted logJson(LogRequest req, byte[] body) throws IOException {
    int rows = req.rows();
    if (rows == 0) {
      req.release();
      checkOpen(); // an empty request takes no dataset slot
      return new Accepted(0, 0);
    }
    Set<String> columns = req.columnNames();
    admission.checkRequestWidth(req.datasetId, columns.size());
    long seq;
    rw.readLock().lock();
    try {
      long ts = admit(req.datasetId, req.timestamp, columns);
      seq = journal.append(Journal.KIND_JSON, ts, req.datasetId, body, 0, body.length);
      trackingNow.incrementAndGet();
      try {
        applyLive(req.datasetId, ts, req::trackInto);
      } finally {
        trackingNow.decrementAndGet();
      }
    } finally {
      rw.readLock().unlock();
    }
    req.release();
    return new Accepted(rows, seq);
  }

  /**
   * Validates an Arrow IPC stream, journals it, tracks it; answer it after {@link #awaitDurable}. A
   * stream of one record batch and no dictionaries (what a client sends per request) is decoded once:
   * the batch that was loaded to validate it is the one tracked. Any other stream is read whole to
   * validate it, then again to track it batch by batch.
   */
  Accepted logArrow(String datasetId, Long timestamp, byte[] body) throws IOException {
    ArrowFraming.Shape shape = ArrowFraming.check(body); // before any allocation from declared lengths
    admission.checkRequestWidth(datasetId, shape.columns());
    if (shape.recordBatches() != 1 || shape.dictionaryBatches() != 0) {
      long rows = validateArrow(body);
      return journalAndTrackArrow(datasetId, timestamp, body, rows, arrowColumns(body), null, null);
    }
    try (ArrowStreamReader reader = arrowReader(body)) {
      VectorSchemaRoot root = loadChecked(reader, 0);
      if (root == null) { // ArrowFraming counted one record batch: the reader disagrees
        throw unreadable(0, new IOException("the stream ends before its record batch"));
      }
      return journalAndTrackArrow(datasetId, timestamp, body, root.getRowCount(), arrowColumns(root.getSchema()),
          root, reader);
    }
  }

  /**
   * Journals and tracks a checked Arrow stream of {@code rows} rows: its one loaded batch
   * ({@code root}), or when that is null every batch of {@code body}, decoded again.
   */
  private Accepted journalAndTrackArrow(String datasetId, Long timestamp, byte[] body, long rows,
      List<String> columns, VectorSchemaRoot root, DictionaryProvider dictionaries) throws IOException {
    if (rows == 0) {
      checkOpen();
      return new Accepted(0, 0);
    }
    long seq;
    rw.readLock().lock();
    try {
      long ts = admit(datasetId, timestamp, columns);
      seq = journal.append(Journal.KIND_ARROW, ts, datasetId, body, 0, body.length);
      trackingNow.incrementAndGet();
      try {
        if (root == null) {
          applyArrow(datasetId, ts, body);
        } else {
          trackBatch(datasetId, ts, root, dictionaries);
        }
      } catch (IOException | RuntimeException | Error e) {
        poison(e);
        throw e;
      } finally {
        trackingNow.decrementAndGet();
      }
    } finally {
      rw.readLock().unlock();
    }
    return new Accepted(rows, seq);
  }

  private void applyLive(String datasetId, long ts, Consumer<DatasetProfile> update) {
    try {
      apply(datasetId, ts, update);
    } catch (RuntimeException | Error e) {
      poison(e);
      throw e;
    }
  }

  /**
   * A request failed after it was journaled, part-way through being tracked: the live windows may
   * hold part of its rows, and the journal holds all of them. A checkpoint now would make that
   * part permanent and replay would add it again, so from here on no checkpoint is taken and every
   * request is refused (503); a restart rebuilds a consistent state from the last checkpoint and the
   * journal (where the record, if it fails again, is quarantined). Recorded, then rethrown.
   */
  private void poison(Throwable e) {
    if (poisoned == null) {
      poisoned = e;
      health.set("poisoned", "a request failed half-applied (" + e + "); restart the server: it rebuilds every "
          + "acknowledged row from the checkpoint and the journal");
      LOG.log(System.Logger.Level.ERROR, "a request failed after it was journaled (" + e + "): the server stops "
          + "taking requests and checkpoints until it is restarted; nothing acknowledged is lost", e);
    }
  }

  private void checkOpen() {
    if (closed || journal.failed() || poisoned != null) {
      throw new BadRequestException(503, "the server is shutting down, its journal failed, or it must be restarted "
          + "(see /health); retry elsewhere or later");
    }
  }

  /**
   * Under the read lock: refuses when closed, checks the timestamp, then admits the dataset and
   * its columns (one step, so a refused request takes nothing), and returns the row timestamp to
   * journal: the request's, or now. The clock cannot move while the read lock is held, and the
   * lateness check here is core's ({@link Windows#checkNotLate}), the one the open windows make
   * when the rows are tracked, and the one replay makes.
   */
  private long admit(String datasetId, Long timestamp, java.util.Collection<String> columns) {
    checkOpen();
    long logical = clock.millis();
    long now = Math.max(System.currentTimeMillis(), logical);
    long ts = timestamp == null ? now : checkTimestamp(datasetId, timestamp, logical, now);
    admission.admit(datasetId, windowStart(ts), columns);
    return ts;
  }

  private long checkTimestamp(String datasetId, long ts, long logical, long now) {
    if (ts > MAX_TIMESTAMP || ts < -MAX_TIMESTAMP) {
      throw new BadRequestException(400, "dataset '" + datasetId + "': timestamp " + ts
          + " is not epoch milliseconds of a year between -9999 and 9999" + unitsHint(ts, now));
    }
    try {
      open.windows().checkNotLate(datasetId, ts, logical);
    } catch (LateDataException e) {
      throw new BadRequestException(400, "dataset '" + datasetId + "': timestamp " + ts + " (" + e.timestamp()
          + ") belongs to the window ending " + e.windowEnd() + ", which has already been written (allowed lateness "
          + e.lateness() + "); omit \"timestamp\" to log into the current window, or raise LOUPE_LATENESS"
          + unitsHint(ts, now));
    }
    if (ts > now + config.maxFuture().toMillis()) {
      String hint = unitsHint(ts, now);
      throw new BadRequestException(400, "dataset '" + datasetId + "': timestamp " + ts + " ("
          + Instant.ofEpochMilli(ts) + ") is more than " + config.maxFuture() + " in the future (server time "
          + Instant.ofEpochMilli(now) + ")" + (hint.isEmpty() ? "; raise LOUPE_MAX_FUTURE if that is intended" : hint));
    }
    return ts;
  }

  /** When a timestamp read as seconds, microseconds or nanoseconds lands within a year of now, say so. */
  static String unitsHint(long ts, long now) {
    long year = 366L * 24 * 3600 * 1000;
    if (ts < Long.MAX_VALUE / 1000 && ts > Long.MIN_VALUE / 1000 && Math.abs(ts * 1000 - now) < year) {
      return "; it looks like epoch seconds: the server takes epoch milliseconds (multiply by 1000)";
    }
    if (Math.abs(ts / 1000 - now) < year) {
      return "; it looks like epoch microseconds: the server takes epoch milliseconds (divide by 1000)";
    }
    if (Math.abs(ts / 1_000_000 - now) < year) {
      return "; it looks like epoch nanoseconds: the server takes epoch milliseconds (divide by 1000000)";
    }
    return "";
  }

  /** Logs into the window of {@code ts}; the same call for live requests and for replay. */
  private void apply(String datasetId, long ts, Consumer<DatasetProfile> update) {
    try {
      open.log(datasetId, Instant.ofEpochMilli(ts), update);
    } catch (LateDataException e) {
      // Cannot happen for a record accepted under the same settings (admit made the same check
      // with the same clock). Should it anyway, the rows go to the clock's current window rather
      // than being lost; the counter makes it visible.
      metrics.replayLateRecords.increment();
      LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; logged into the current window instead");
      open.log(datasetId, Instant.ofEpochMilli(clock.millis()), update);
    }
  }

  private void applyArrow(String datasetId, long ts, byte[] body) throws IOException {
    try (ArrowStreamReader reader = arrowReader(body)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        int rows = root.getRowCount();
        if (rows == 0) {
          continue;
        }
        trackBatch(datasetId, ts, root, reader);
      }
    }
  }

  /** Tracks one loaded batch of {@code rows > 0}, on this thread or split over free cores (see below). */
  private void trackBatch(String datasetId, long ts, VectorSchemaRoot root, DictionaryProvider dictionaries) {
    int parts = trackingParts(root.getRowCount(), root.getFieldVectors().size());
    if (parts <= 1) {
      apply(datasetId, ts, p -> p.trackDataframe(root, dictionaries));
    } else {
      applyByColumns(datasetId, ts, root, dictionaries, parts);
    }
  }

  /**
   * Cells (rows x columns) of an Arrow batch from which its columns are tracked on more than one
   * thread: about 4 ms of tracking on one core (docs/server.md, "Performance").
   */
  static final long SPLIT_CELLS = 50_000;

  /**
   * How many threads track a batch of {@code rows} x {@code columns}: 1 below {@link #SPLIT_CELLS},
   * else one per core that no other request is tracking on (at the peak every core is busy with
   * requests of its own, and a split would add only hand-offs), at least 1.
   */
  private int trackingParts(int rows, int columns) {
    if ((long) rows * columns < SPLIT_CELLS || columns < 2) {
      return 1;
    }
    int others = Math.max(0, trackingNow.get() - 1);
    return Math.max(1, Math.min(columns, trackingThreads + 1 - others));
  }

  /**
   * Tracks one Arrow batch with its columns split over {@code parts} threads (this one included),
   * each part into a stripe of the window ({@link OpenWindows#log}), so a large request is answered
   * sooner when cores are free. Every column is tracked whole, in row order, by one thread into one
   * stripe: its sketches get the same updates as from {@link DatasetProfile#trackDataframe}, and the
   * window's view is the exact merge of its stripes. The caller holds the read lock throughout, so no
   * seal or rotation falls between the parts. A part not yet started by the pool is run here (so a
   * busy pool costs no wait), and this thread returns only when every part has ended; the first
   * failure is rethrown (the request is then poisoned, as any failure after the journal append).
   */
  private void applyByColumns(String datasetId, long ts, VectorSchemaRoot root,
      DictionaryProvider dictionaries, int parts) {
    int rows = root.getRowCount();
    List<FieldVector> vectors = root.getFieldVectors();
    List<String> names = new ArrayList<>(vectors.size());
    for (FieldVector v : vectors) {
      names.add(v.getName());
    }
    names = ColumnNames.unique(names); // trackDataframe's rule for repeated names
    List<String> unique = names;
    List<Part> tasks = new ArrayList<>(parts);
    for (int g = 0; g < parts; g++) {
      int group = g;
      tasks.add(new Part(() -> apply(datasetId, ts, p -> {
        for (int i = group; i < vectors.size(); i += parts) {
          p.trackColumn(unique.get(i), vectors.get(i), rows, dictionaries);
        }
      })));
    }
    for (int g = 1; g < parts; g++) {
      trackers.execute(tasks.get(g));
    }
    for (Part t : tasks) {
      t.run(); // the first part, and any the pool has not started
    }
    RuntimeException failure = null;
    Error error = null;
    boolean interrupted = false;
    for (Part t : tasks) {
      while (true) {
        try {
          t.done.await(); // the vectors are read until every part ended: never leave before
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (t.error != null && error == null) {
        error = t.error;
      } else if (t.failure != null && failure == null) {
        failure = t.failure;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (error != null) {
      throw error;
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** A part of a batch's tracking, run once by whichever thread claims it first. */
  private static final class Part implements Runnable {
    private final Runnable work;
    private final AtomicBoolean claimed = new AtomicBoolean();
    final CountDownLatch done = new CountDownLatch(1);
    volatile RuntimeException failure;
    volatile Error error;

    Part(Runnable work) {
      this.work = work;
    }

    @Override
    public void run() {
      if (!claimed.compareAndSet(false, true)) {
        return;
      }
      try {
        work.run();
      } catch (RuntimeException e) { // recorded here, rethrown on the request's thread
        failure = e;
      } catch (Error e) { // recorded here, rethrown on the request's thread (which poisons the server)
        error = e;
      } finally {
        done.countDown();
      }
    }
  }

  /** Reads the whole stream once, so that a damaged one is refused before anything is journaled. */
  private long validateArrow(byte[] body) {
    long rows = 0;
    try (ArrowStreamReader reader = arrowReader(body)) {
      for (VectorSchemaRoot root; (root = loadChecked(reader, rows)) != null; ) {
        rows += root.getRowCount();
      }
      return rows;
    } catch (IOException e) { // closing the reader
      throw unreadable(rows, e);
    }
  }

  /**
   * Loads the stream's next batch and checks it ({@link DatasetProfile#checkBatch}); null at the end of the stream.
   * An unreadable stream or a batch that fails the check is a 400 naming the rows read before it.
   */
  private static VectorSchemaRoot loadChecked(ArrowStreamReader reader, long rowsBefore) {
    try {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      if (!reader.loadNextBatch()) {
        return null;
      }
      DatasetProfile.checkBatch(root, reader); // what passes is tracked without failing: nothing fails after the journal
      return root;
    } catch (IOException | RuntimeException e) {
      throw unreadable(rowsBefore, e);
    }
  }

  /**
   * A reader of an Arrow IPC stream held in {@code body}: a channel over the array, so each message
   * body is copied once, into Arrow's memory (a stream wrapped as a channel goes through a buffer
   * of its own first).
   */
  private ArrowStreamReader arrowReader(byte[] body) {
    return new ArrowStreamReader(new ByteArrayReadableSeekableByteChannel(body), allocator);
  }

  private static BadRequestException unreadable(long rows, Exception e) {
    return new BadRequestException(400, "the body is not a readable Arrow IPC stream (after " + rows + " rows): "
        + e.getMessage() + "; send the bytes of an ArrowStreamWriter (pyarrow: pa.ipc.new_stream)");
  }

  /** The column names of an Arrow stream's schema (nested fields as parent.child), for admission. */
  private List<String> arrowColumns(byte[] body) throws IOException {
    try (ArrowStreamReader reader = arrowReader(body)) {
      return arrowColumns(reader.getVectorSchemaRoot().getSchema());
    }
  }

  private static List<String> arrowColumns(org.apache.arrow.vector.types.pojo.Schema schema) {
    List<String> out = new ArrayList<>();
    for (org.apache.arrow.vector.types.pojo.Field f : schema.getFields()) {
      addNames(f, null, out);
    }
    return out;
  }

  private static void addNames(org.apache.arrow.vector.types.pojo.Field f, String prefix, List<String> out) {
    String name = prefix == null ? f.getName() : prefix + "." + f.getName();
    out.add(name);
    for (org.apache.arrow.vector.types.pojo.Field c : f.getChildren()) {
      addNames(c, name, out);
    }
  }

  // ---- rotation and checkpoints (rotation thread) ----

  /**
   * The rotation thread's tick. A failure (the destination, a checkpoint) leaves every window where it
   * was, in memory and in the journal; it is recorded (log, metric, /health) and the next tick tries
   * again. An Error (out of memory) is recorded and rethrown: rotation stops and /health says to restart.
   */
  private void tickQuietly() {
    try {
      rotate(false, false);
      health.clear("rotation");
    } catch (IOException | RuntimeException e) { // recorded; the next tick retries, the windows are kept
      metrics.rotationFailures.increment();
      health.set("rotation", "rotation failed (" + e + "); windows are kept and it is retried every tick");
      LOG.log(System.Logger.Level.ERROR, "rotation failed: " + e + "; every window is kept, retrying at the next tick",
          e);
    } catch (Error e) { // recorded, then rethrown: the JVM is not fit to carry on, so rotation stops here
      metrics.rotationFailures.increment();
      health.set("rotation", "rotation stopped by " + e + "; restart the server: the journal keeps every "
          + "acknowledged row");
      LOG.log(System.Logger.Level.ERROR, "rotation stopped by " + e + "; restart the server (the journal keeps every "
          + "acknowledged row)", e);
      throw e;
    }
  }

  /**
   * What {@code POST /writeProfiles} did: windows closed now, windows written (earlier ones that had waited
   * included), windows still waiting for a destination, the last delivery failure (null when none), and the
   * window parts closed now, each with where it lands at every destination (a file path or an s3:// URL).
   */
  record Flush(int closed, int written, int waiting, String failure, Map<WindowInfo, List<String>> paths) {}

  /** Writes every open window now (POST /writeProfiles). */
  Flush flushAll() throws IOException {
    Future<Flush> f = rotator.submit(() -> {
      takeRecent();
      int closedNow = rotate(true, true);
      Map<WindowInfo, List<String>> paths = new java.util.LinkedHashMap<>();
      for (WindowInfo w : takeRecent()) {
        List<String> at = new ArrayList<>();
        for (Writer d : destinations) {
          if (d instanceof IdempotentLocalWriter l) {
            at.add(l.pathFor(w).toString());
          } else if (d instanceof dev.loupe.s3.S3Writer s3) {
            at.add(s3.urlFor(w));
          }
        }
        paths.put(w, at);
      }
      return new Flush(closedNow, lastDelivered, delivery.size(), lastDeliveryFailure, paths);
    });
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof BadRequestException b) {
        throw b;
      }
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  /**
   * One rotation at a time (the ticker and POST /writeProfiles may both ask): the part after the
   * write lock (merging sealed windows, writing the checkpoint) must not interleave with another.
   */
  private int rotate(boolean all, boolean force) throws IOException {
    rotating.lock();
    try {
      return rotateLocked(all, force);
    } finally {
      rotating.unlock();
    }
  }

  private int rotateLocked(boolean all, boolean force) throws IOException {
    Checkpoint ck = null;
    List<WindowDelivery.Item> covered = null;
    OpenWindows.Sealed sealedOpen = null;
    Windows sealedWindows = null;
    long seq = 0;
    long checkpointClock = 0;
    List<Checkpoint.Entry> out = new ArrayList<>();
    Map<Checkpoint.PartKey, Integer> parts = null;
    Map<String, Long> positions = null;
    int staged;
    if (!all && !force && quietTick(System.currentTimeMillis())) {
      deliverOutbox();
      return 0;
    }
    rw.writeLock().lock();
    try {
      long now = clock.advanceTo(System.currentTimeMillis());
      Windows windows = open.windows();
      // a window whose merge fails stays open with its rows (OpenWindows.close); the failure goes up
      staged = open.close(now, all, stageInto(windows));
      if (poisoned != null) {
        // live state may hold part of a failed request: checkpointing it would make that permanent
        if (force) {
          throw new BadRequestException(503, "the server must be restarted before it writes windows (see /health)");
        }
      } else if (force || delivery.hasHeld()
          || now - lastCheckpointMillis >= config.checkpointInterval().toMillis()) {
        // only what is cheap happens while ingestion waits: the open windows are sealed here and
        // merged after the lock is released (OpenWindows.seal)
        seq = journal.lastSeq();
        positions = new HashMap<>(sourcePositions);
        journal.roll();
        sealedOpen = open.seal();
        sealedWindows = windows;
        covered = delivery.items(); // every window not yet taken by every destination, held or ready
        for (WindowDelivery.Item it : covered) {
          out.add(new Checkpoint.Entry(it.window(), it.view()));
        }
        // part counters of windows no row can reach any more are not needed
        delivery.forgetParts(start -> windows.isDue(start, now));
        parts = new HashMap<>();
        for (Map.Entry<WindowDelivery.PartKey, Integer> e : delivery.parts().entrySet()) {
          parts.put(new Checkpoint.PartKey(e.getKey().datasetId(), e.getKey().start()), e.getValue());
        }
        admission.retainOpen(heldWindows());
        checkpointClock = now;
      }
    } finally {
      rw.writeLock().unlock();
    }
    if (sealedOpen != null) {
      OpenWindows.Sealed sealed = sealedOpen;
      Windows info = sealedWindows;
      long ckSeq = seq;
      long ckClock = checkpointClock;
      Map<Checkpoint.PartKey, Integer> ckParts = parts;
      Map<String, Long> ckPositions = positions;
      ck = inBackground(() -> {
        List<Checkpoint.Entry> openEntries = new ArrayList<>();
        for (OpenWindows.State st : sealed.states()) {
          openEntries.add(new Checkpoint.Entry(info.info(st.datasetId(), st.start(), 0, Map.of()), st.view()));
        }
        // failed writes are not a list apart: a staged window stays in `out` until every destination took it
        return new Checkpoint(ckSeq, ckClock, windowMillis, latenessMillis, openEntries, List.of(), out, ckParts,
            ckPositions);
      });
    }
    if (ck != null) {
      try {
        byte[] encoded = inBackground(ck::toBytes);
        journal.awaitDurable(ck.seq);
        Checkpoint.write(checkpointFile, encoded);
        metrics.checkpoints.increment();
        lastCheckpointMillis = ck.clockMillis;
        delivery.markReady(covered);
        // keep the journal back to the previous checkpoint: should this one be damaged, start-up
        // falls back to checkpoint.prev.bin plus these records and loses nothing (Checkpoint.read)
        journal.deleteThrough(previousCheckpointSeq);
        previousCheckpointSeq = ck.seq;
        health.clear("checkpoint");
        checkpointedPositions = ck.positions;
        onCheckpoint.accept(ck.positions);
      } catch (IOException e) {
        health.set("checkpoint", "writing " + checkpointFile + " failed (" + e + "); retrying every tick");
        metrics.checkpointFailures.increment();
        LOG.log(System.Logger.Level.ERROR, "writing checkpoint " + checkpointFile + " failed: " + e
            + "; windows stay in memory and the journal is kept; retrying at the next tick");
        if (force) {
          throw e;
        }
      }
    }
    deliverOutbox();
    return staged;
  }

  /**
   * Runs {@code work} on the low-priority checkpoint thread and waits for it (uninterruptibly: the
   * sealed windows it merges are in no other checkpoint). Its failure is rethrown here, as if it had
   * run on this thread.
   */
  private <T> T inBackground(java.util.concurrent.Callable<T> work) throws IOException {
    java.util.concurrent.Future<T> f = checkpointWorker.submit(work);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof IOException io) {
            throw io;
          } else if (c instanceof RuntimeException re) {
            throw re;
          } else if (c instanceof Error err) {
            throw err;
          }
          throw new IOException(c);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The common tick, without the write lock: when moving the clock to {@code wall} makes no window
   * due that was not due before (no window's close time lies between the two), no open window is
   * due (a close that failed is retried under the lock), no checkpoint is due and the delivery
   * holds nothing, the clock moves here and that is all. Taking the write lock every tick would stall
   * every request behind the longest one in flight (a 100,000-row Arrow body: a tenth of a second)
   * once a second. Moving the clock between a request's admission and its tracking is safe then:
   * whether a timestamp is late changes only when a window becomes due, so both see the same verdict,
   * as does a replay at an earlier checkpoint's clock (docs/server.md, "Rotation and checkpoints").
   */
  private boolean quietTick(long wall) {
    long now = clock.millis();
    if (wall <= now) {
      return true; // the clock does not move
    }
    if (poisoned != null || delivery.hasHeld()
        || wall - lastCheckpointMillis >= config.checkpointInterval().toMillis()) {
      return false;
    }
    Windows w = open.windows();
    if (!noWindowBecomesDue(w, now, wall)) {
      return false;
    }
    for (List<Instant> starts : open.starts().values()) {
      for (Instant start : starts) {
        if (w.isDue(start.toEpochMilli(), wall)) {
          return false;
        }
      }
    }
    clock.advanceTo(wall);
    return true;
  }

  /**
   * True when every window due at {@code to} was due at {@code from} already ({@code from <= to}): no
   * timestamp's lateness differs between the two clocks. False when unsure (arithmetic at the ends of
   * the range of longs).
   */
  static boolean noWindowBecomesDue(Windows w, long from, long to) {
    long span = w.windowMillis() + w.latenessMillis();
    if (from > to || span <= 0 || from - span > from || to - span > to || from - span < Long.MIN_VALUE / 2) {
      return false;
    }
    // a window starting at s is due at t when s + span <= t, i.e. s <= t - span: the set of due windows
    // changes between from and to exactly when a window start lies in (from - span, to - span]
    return w.startOf(from - span) == w.startOf(to - span);
  }

  // ---- sources that keep their own durable log (Kafka; docs/kafka.md) ----

  /** A batch of a source's rows for one dataset and one window. */
  record SourceRows(String datasetId, long timestamp, java.util.Collection<String> columns,
      Consumer<DatasetProfile> update) {}

  /** The request's admission rule, at the current clock: the effective timestamp, or BadRequestException. */
  long admitFromSource(String datasetId, Long timestamp, java.util.Collection<String> columns) {
    admission.checkRequestWidth(datasetId, columns.size());
    rw.readLock().lock();
    try {
      return admit(datasetId, timestamp, columns);
    } finally {
      rw.readLock().unlock();
    }
  }

  /**
   * Tracks a source's rows and advances its positions in one step under the read lock, so every
   * checkpoint holds exactly the rows before the positions it records. Nothing is journaled: the
   * source's own log is read again from the checkpoint's positions after a crash. Returns false,
   * tracking nothing, when a batch is no longer admitted (the clock moved since
   * {@link #admitFromSource}); a 503 (closing, journal failed) is thrown.
   */
  boolean logFromSource(List<SourceRows> batches, Map<String, Long> positions) {
    rw.readLock().lock();
    try {
      for (SourceRows b : batches) {
        try {
          admit(b.datasetId(), b.timestamp(), b.columns());
        } catch (BadRequestException e) {
          if (e.status() == 503) {
            throw e;
          }
          return false;
        }
      }
      for (SourceRows b : batches) {
        applyLive(b.datasetId(), b.timestamp(), b.update());
      }
      sourcePositions.putAll(positions);
      return true;
    } finally {
      rw.readLock().unlock();
    }
  }

  /** Positions restored at start and advanced by {@link #logFromSource}. */
  Map<String, Long> sourcePositions() {
    return Map.copyOf(sourcePositions);
  }

  /** Forgets positions (partitions handed to another consumer, after their offsets were committed). */
  void forgetSourcePositions(java.util.Collection<String> keys) {
    sourcePositions.keySet().removeAll(keys);
  }

  /** Called on the rotation thread with the positions of every checkpoint that landed. */
  void onCheckpoint(Consumer<Map<String, Long>> listener) {
    this.onCheckpoint = listener;
  }

  /** Takes a checkpoint now and returns the positions it holds (a partition is about to be revoked). */
  Map<String, Long> checkpointNow() throws IOException {
    Future<Map<String, Long>> f = rotator.submit(() -> {
      rotate(false, true);
      return checkpointedPositions;
    });
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private int lastDelivered; // rotation thread only
  private String lastDeliveryFailure; // rotation thread only

  /**
   * Windows whose columns stay booked: the open ones, and those staged in the delivery, which
   * holds them in memory until every destination confirmed them.
   */
  private Map<String, List<Instant>> heldWindows() {
    Map<String, List<Instant>> held = new HashMap<>();
    open.starts().forEach((ds, starts) -> held.computeIfAbsent(ds, k -> new ArrayList<>()).addAll(starts));
    for (WindowDelivery.Item it : delivery.items()) {
      held.computeIfAbsent(it.window().datasetId(), k -> new ArrayList<>()).add(it.window().start());
    }
    return held;
  }

  /** Hands checkpointed windows to every destination, oldest first; what fails is kept for the next tick. */
  private void deliverOutbox() {
    WindowDelivery.Result d = delivery.deliver();
    if (d.completed() > 0) {
      // delivered windows free their dataset places and columns now, not at the next checkpoint;
      // under the write lock, so no request is between its admission and its tracking
      rw.writeLock().lock();
      try {
        admission.retainOpen(heldWindows());
      } finally {
        rw.writeLock().unlock();
      }
    }
    lastDelivered = d.completed();
    lastDeliveryFailure = d.failure();
    if (d.failure() != null) {
      metrics.deliveryFailures.increment();
      health.set("destination", d.failure());
    } else if (d.completed() > 0) {
      health.clear("destination"); // a window went out: the destination works (again)
    }
  }

  // ---- reading ----

  Optional<ProfileView> currentView(String datasetId) {
    return open.currentView(datasetId);
  }

  /** False when requests cannot be taken (503): stopping, the journal failed, or a restart is needed. */
  boolean healthy() {
    return !closed && !journal.failed() && poisoned == null;
  }

  Duration window() {
    return Duration.ofMillis(windowMillis);
  }

  /** Stops rotation, takes a last checkpoint (open windows stay open for the next start) and closes. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    rw.writeLock().lock();
    try {
      closed = true;
    } finally {
      rw.writeLock().unlock();
    }
    rotator.shutdown();
    try {
      rotator.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    IOException failure = null;
    if (poisoned == null) { // else the last good checkpoint and the journal are the state (see poison)
      try {
        rotate(false, true);
      } catch (IOException e) {
        failure = e;
      }
    }
    journal.close();
    trackers.shutdown();
    checkpointWorker.shutdown();
    for (Writer w : destinations) {
      try {
        w.close();
      } catch (IOException | RuntimeException e) {
        if (failure == null) {
          failure = new IOException("closing " + w + " failed: " + e, e);
        }
      }
    }
    allocator.close();
    if (failure != null) {
      throw failure;
    }
  }
}
