package dev.loupe.server;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.LateDataException;
import dev.loupe.core.logging.RollingLogger;
import dev.loupe.core.logging.WindowInfo;
import dev.loupe.core.logging.Writer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;

/**
 * The durable heart of the server: journal, rolling logger, checkpoints and the outbox of
 * finished windows. See docs/server.md, "Durability", for the argument that a kill -9 at any
 * moment loses no acknowledged row and counts none twice. In short:
 *
 * <ul>
 *   <li>A request is journaled and applied to the logger under the <em>read</em> side of one
 *       lock, then waits for the journal's group fsync, then is answered.</li>
 *   <li>Rotation runs on one thread under the <em>write</em> side: it sets the logger's clock,
 *       lets the logger close due windows into the {@link Outbox} (memory only), and snapshots
 *       journal position + open windows + outbox + part counters. The snapshot is written as
 *       a checkpoint (atomic rename) after the lock is released; only then are the outbox's
 *       windows handed to the destination, whose writes are idempotent per window part.</li>
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
  private final Outbox outbox;
  private final List<Writer> destinations;
  private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
  private final java.util.concurrent.locks.ReentrantLock rotating = new java.util.concurrent.locks.ReentrantLock();
  private final Set<String> datasets = ConcurrentHashMap.newKeySet();
  private final Object datasetAdmission = new Object();
  private final BufferAllocator allocator;
  private final ScheduledExecutorService rotator;
  private RollingLogger logger; // replaced only during start-up
  private long windowMillis;
  private long latenessMillis;
  private long lastCheckpointMillis;
  private volatile boolean closed;
  /** Sources with their own log (Kafka): "topic/partition" -> next offset, covering exactly the rows tracked. */
  private final Map<String, Long> sourcePositions = new ConcurrentHashMap<>();
  private volatile Map<String, Long> checkpointedPositions = Map.of();
  private volatile Consumer<Map<String, Long>> onCheckpoint = p -> {};

  Ingest(ServerConfig config, List<Writer> destinations, Metrics metrics) throws IOException {
    this.config = config;
    this.metrics = metrics;
    this.destinations = List.copyOf(destinations);
    Path dataDir = config.dataDir();
    Files.createDirectories(dataDir);
    this.checkpointFile = dataDir.resolve("checkpoint.bin");
    this.journal = new Journal(dataDir.resolve("journal"), 64L << 20);
    this.allocator = new RootAllocator(Math.max(256L << 20, config.maxBodyBytes() * 8));
    this.outbox = new Outbox();
    long now = System.currentTimeMillis();
    this.clock = new ManualClock(now);
    metrics.gauge("loupe_journal_bytes", journal::bytes);
    metrics.gauge("loupe_outbox_windows", outbox::size);
    recover();
    long tick = Math.max(100, Math.min(1000, windowMillis / 10));
    rotator = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loupe-rotation");
      t.setDaemon(true);
      return t;
    });
    rotator.scheduleWithFixedDelay(this::tickQuietly, tick, tick, TimeUnit.MILLISECONDS);
  }

  // ---- start-up ----

  private void recover() throws IOException {
    Checkpoint ck = Checkpoint.read(checkpointFile);
    long afterSeq = 0;
    if (ck != null) {
      afterSeq = ck.seq;
      clock.set(ck.clockMillis);
      windowMillis = ck.windowMillis;
      latenessMillis = ck.latenessMillis;
    } else {
      windowMillis = config.window().toMillis();
      latenessMillis = config.lateness().toMillis();
    }
    logger = newLogger(windowMillis, latenessMillis);
    if (ck != null) {
      for (Checkpoint.Entry e : ck.open) {
        logger.restoreWindow(e.window().datasetId(), e.window().start(), e.view());
        datasets.add(e.window().datasetId());
      }
      for (Checkpoint.Entry e : ck.pending) {
        logger.restorePendingWrite(e.window(), e.view());
      }
      outbox.restore(ck.outbox, ck.nextParts);
      sourcePositions.putAll(ck.positions);
      checkpointedPositions = ck.positions;
      LOG.log(System.Logger.Level.INFO, "restored checkpoint at journal record " + ck.seq + ": " + ck.open.size()
          + " open window(s), " + ck.outbox.size() + " window(s) awaiting their destination");
    }
    // Replay with the checkpoint's clock: every record after it was accepted at that clock or a
    // later one, so it lands in the same window and is not late (docs/server.md).
    long maxSeq = Journal.replay(journal.dirPath(), afterSeq, this::replay);
    long next = Math.max(afterSeq, maxSeq) + 1;
    if (windowMillis != config.window().toMillis() || latenessMillis != config.lateness().toMillis()) {
      // settings changed across the restart: finish the old windows under the old settings
      LOG.log(System.Logger.Level.INFO, "window settings changed (" + Duration.ofMillis(windowMillis) + " -> "
          + config.window() + ", lateness " + Duration.ofMillis(latenessMillis) + " -> " + config.lateness()
          + "): writing the restored windows out under the old settings");
      logger.flushAll();
      logger.close();
      windowMillis = config.window().toMillis();
      latenessMillis = config.lateness().toMillis();
      logger = newLogger(windowMillis, latenessMillis);
    }
    journal.openForAppend(next);
    rotate(false, true); // a checkpoint covering the replay; old segments go, restored windows go out
  }

  private RollingLogger newLogger(long window, long lateness) {
    return RollingLogger.builder()
        .window(Duration.ofMillis(window))
        .lateness(Duration.ofMillis(lateness))
        .clock(clock)
        .tick(null) // the server rotates, under its write lock
        .writer(outbox)
        .build();
  }

  private void replay(Journal.Record r) {
    metrics.replayedRecords.increment();
    datasets.add(r.datasetId());
    try {
      if (r.kind() == Journal.KIND_JSON) {
        LogRequest req = LogRequest.parse(r.body());
        apply(r.datasetId(), r.timestamp(), req::trackInto);
      } else if (r.kind() == Journal.KIND_ARROW) {
        applyArrow(r.datasetId(), r.timestamp(), r.body());
      } else {
        LOG.log(System.Logger.Level.ERROR, "journal record " + r.seq() + " has unknown kind " + r.kind() + "; skipped");
      }
    } catch (RuntimeException | IOException e) {
      // it passed validation when it was accepted, so this is a bug or a damaged disk: say so, go on
      LOG.log(System.Logger.Level.ERROR, "journal record " + r.seq() + " (dataset " + r.datasetId()
          + ") could not be replayed: " + e, e);
    }
  }

  // ---- ingestion ----

  /** Journals and tracks a parsed JSON request; returns once it is durable. */
  int logJson(LogRequest req, byte[] body) throws IOException {
    if (req.rows() == 0) {
      admit(req.datasetId);
      return 0;
    }
    long seq;
    rw.readLock().lock();
    try {
      long ts = admit(req.datasetId, req.timestamp);
      seq = journal.append(Journal.KIND_JSON, ts, req.datasetId, body, 0, body.length);
      apply(req.datasetId, ts, req::trackInto);
    } finally {
      rw.readLock().unlock();
    }
    journal.awaitDurable(seq);
    return req.rows();
  }

  /** Validates an Arrow IPC stream, journals it, tracks it; returns the number of rows. */
  long logArrow(String datasetId, Long timestamp, byte[] body) throws IOException {
    long rows = validateArrow(body);
    if (rows == 0) {
      admit(datasetId);
      return 0;
    }
    long seq;
    rw.readLock().lock();
    try {
      long ts = admit(datasetId, timestamp);
      seq = journal.append(Journal.KIND_ARROW, ts, datasetId, body, 0, body.length);
      applyArrow(datasetId, ts, body);
    } finally {
      rw.readLock().unlock();
    }
    journal.awaitDurable(seq);
    return rows;
  }

  /**
   * Under the read lock: refuses when closed, admits the dataset (cap), and returns the row
   * timestamp to journal: the request's, or now. The clock cannot move while the read lock is
   * held, so the lateness check here is the one the logger makes, and the one replay makes.
   */
  private long admit(String datasetId, Long timestamp) {
    if (closed || journal.failed()) {
      throw new BadRequestException(503, "the server is shutting down or its journal failed; retry elsewhere or later");
    }
    admit(datasetId);
    long logical = clock.millis();
    long now = Math.max(System.currentTimeMillis(), logical);
    if (timestamp == null) {
      return now;
    }
    long ts = timestamp;
    long start = Math.floorDiv(ts, windowMillis) * windowMillis;
    if (start + windowMillis + latenessMillis <= logical) {
      throw new BadRequestException(400, "dataset '" + datasetId + "': timestamp " + Instant.ofEpochMilli(ts)
          + " belongs to the window ending " + Instant.ofEpochMilli(start + windowMillis)
          + ", which has already been written (allowed lateness " + Duration.ofMillis(latenessMillis)
          + "); omit \"timestamp\" to log into the current window, or raise LOUPE_LATENESS");
    }
    if (ts > now + config.maxFuture().toMillis()) {
      throw new BadRequestException(400, "dataset '" + datasetId + "': timestamp " + Instant.ofEpochMilli(ts)
          + " is more than " + config.maxFuture() + " in the future (server time " + Instant.ofEpochMilli(now)
          + "); is it in seconds or microseconds rather than milliseconds?");
    }
    return ts;
  }

  private void admit(String datasetId) {
    if (datasets.contains(datasetId)) {
      return;
    }
    synchronized (datasetAdmission) {
      if (!datasets.contains(datasetId)) {
        if (datasets.size() >= config.maxDatasets()) {
          throw new BadRequestException(429, "dataset '" + datasetId + "' is new, and " + config.maxDatasets()
              + " datasets already have open windows (LOUPE_MAX_DATASETS); new datasets are accepted again when "
              + "windows rotate out, or raise the limit");
        }
        datasets.add(datasetId);
      }
    }
  }

  /** Logs into the window of {@code ts}; the same call for live requests and for replay. */
  private void apply(String datasetId, long ts, Consumer<DatasetProfile> update) {
    try {
      logger.log(datasetId, Instant.ofEpochMilli(ts), update);
    } catch (LateDataException e) {
      // Cannot happen for a record accepted under the same settings (admit made the same check
      // with the same clock). Should it anyway, the rows go to the clock's current window rather
      // than being lost; the counter makes it visible.
      metrics.replayLateRecords.increment();
      LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; logged into the current window instead");
      logger.log(datasetId, Instant.ofEpochMilli(clock.millis()), update);
    }
  }

  private void applyArrow(String datasetId, long ts, byte[] body) throws IOException {
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        if (root.getRowCount() > 0) {
          apply(datasetId, ts, p -> p.trackDataframe(root, reader));
        }
      }
    }
  }

  /** Reads the whole stream once, so that a damaged one is refused before anything is journaled. */
  private long validateArrow(byte[] body) {
    long rows = 0;
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        rows += root.getRowCount();
        for (FieldVector v : root.getFieldVectors()) {
          DictionaryEncoding enc = v.getField().getDictionary();
          if (enc != null && reader.lookup(enc.getId()) == null) {
            throw new BadRequestException(400, "Arrow column '" + v.getName() + "' is dictionary-encoded with id "
                + enc.getId() + " but the stream holds no such dictionary");
          }
        }
      }
      return rows;
    } catch (BadRequestException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new BadRequestException(400, "the body is not a readable Arrow IPC stream (after " + rows + " rows): "
          + e.getMessage() + "; send the bytes of an ArrowStreamWriter (pyarrow: pa.ipc.new_stream)");
    } catch (OutOfMemoryError e) {
      throw new BadRequestException(413, "the Arrow stream needs more memory than the server allows per request");
    }
  }

  // ---- rotation and checkpoints (rotation thread) ----

  private void tickQuietly() {
    try {
      rotate(false, false);
    } catch (Throwable e) {
      LOG.log(System.Logger.Level.ERROR, "rotation failed: " + e, e);
    }
  }

  /** Writes every open window now (POST /writeProfiles); returns the number of windows handed out. */
  int flushAll() throws IOException {
    Future<Integer> f = rotator.submit(() -> rotate(true, true));
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
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
    List<Outbox.Item> covered = null;
    RollingLogger.Sealed sealedOpen = null;
    long seq = 0;
    long checkpointClock = 0;
    List<Checkpoint.Entry> pending = new ArrayList<>();
    List<Checkpoint.Entry> out = new ArrayList<>();
    Map<Checkpoint.PartKey, Integer> parts = null;
    Map<String, Long> positions = null;
    int before = outbox.stagedTotal();
    int staged;
    rw.writeLock().lock();
    try {
      long now = clock.advanceTo(System.currentTimeMillis());
      if (all) {
        logger.flushAll();
      } else {
        logger.flushDue();
      }
      staged = outbox.stagedTotal() - before;
      if (force || outbox.hasUncheckpointed() || now - lastCheckpointMillis >= config.checkpointInterval().toMillis()) {
        // only what is cheap happens while ingestion waits: the open windows are sealed here and
        // merged after the lock is released (RollingLogger.sealOpenWindows)
        seq = journal.lastSeq();
        positions = new HashMap<>(sourcePositions);
        journal.roll();
        sealedOpen = logger.sealOpenWindows();
        for (RollingLogger.WindowState st : logger.pendingWriteStates()) {
          pending.add(new Checkpoint.Entry(st.window(), st.view()));
        }
        covered = outbox.items();
        for (Outbox.Item it : covered) {
          out.add(new Checkpoint.Entry(it.window, it.view));
        }
        parts = outbox.parts(now, windowMillis, latenessMillis);
        datasets.retainAll(logger.openWindows().keySet());
        checkpointClock = now;
      }
    } finally {
      rw.writeLock().unlock();
    }
    if (sealedOpen != null) {
      List<Checkpoint.Entry> open = new ArrayList<>();
      for (RollingLogger.WindowState st : sealedOpen.states()) {
        open.add(new Checkpoint.Entry(st.window(), st.view()));
      }
      ck = new Checkpoint(seq, checkpointClock, windowMillis, latenessMillis, open, pending, out, parts, positions);
    }
    if (ck != null) {
      try {
        journal.awaitDurable(ck.seq);
        ck.write(checkpointFile);
        metrics.checkpoints.increment();
        lastCheckpointMillis = ck.clockMillis;
        outbox.markCheckpointed(covered);
        journal.deleteThrough(ck.seq);
        checkpointedPositions = ck.positions;
        onCheckpoint.accept(ck.positions);
      } catch (IOException e) {
        metrics.checkpointFailures.increment();
        LOG.log(System.Logger.Level.ERROR, "writing checkpoint " + checkpointFile + " failed: " + e
            + "; windows stay in memory and the journal is kept; retrying at the next tick");
        if (force) {
          throw e;
        }
      }
    }
    outbox.deliver();
    return staged;
  }

  // ---- sources that keep their own durable log (Kafka; docs/kafka.md) ----

  /** A batch of a source's rows for one dataset and one window. */
  record SourceRows(String datasetId, long timestamp, Consumer<DatasetProfile> update) {}

  /** The request's admission rule, at the current clock: the effective timestamp, or BadRequestException. */
  long admitFromSource(String datasetId, Long timestamp) {
    rw.readLock().lock();
    try {
      return admit(datasetId, timestamp);
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
          admit(b.datasetId(), b.timestamp());
        } catch (BadRequestException e) {
          if (e.status() == 503) {
            throw e;
          }
          return false;
        }
      }
      for (SourceRows b : batches) {
        apply(b.datasetId(), b.timestamp(), b.update());
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

  // ---- reading ----

  Optional<ProfileView> currentView(String datasetId) {
    return logger.currentView(datasetId);
  }

  boolean healthy() {
    return !closed && !journal.failed();
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
    try {
      rotate(false, true);
    } catch (IOException e) {
      failure = e;
    }
    journal.close();
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

  /**
   * Where the logger's finished windows go first: memory, until a checkpoint holding them has
   * landed; then they are handed to the destinations and dropped once every destination took
   * them. Parts are numbered here, and the numbers are checkpointed, so a window written again
   * after a restart never reuses an earlier part's key (which would replace it).
   */
  private final class Outbox implements Writer {
    final class Item {
      final WindowInfo window;
      final ProfileView view;
      boolean checkpointed;

      Item(WindowInfo window, ProfileView view, boolean checkpointed) {
        this.window = window;
        this.view = view;
        this.checkpointed = checkpointed;
      }
    }

    private final List<Item> items = new ArrayList<>(); // guarded by this
    private final Map<Checkpoint.PartKey, Integer> nextParts = new HashMap<>(); // guarded by this
    private int stagedTotal; // guarded by this

    @Override
    public synchronized void write(ProfileView view, WindowInfo window) {
      Checkpoint.PartKey key = new Checkpoint.PartKey(window.datasetId(), window.start().toEpochMilli());
      int part = nextParts.getOrDefault(key, 0);
      nextParts.put(key, part + 1);
      items.add(new Item(window.withPart(part), view, false));
      stagedTotal++;
      metrics.windowsHandedOut.increment();
    }

    synchronized void restore(List<Checkpoint.Entry> entries, Map<Checkpoint.PartKey, Integer> parts) {
      for (Checkpoint.Entry e : entries) {
        items.add(new Item(e.window(), e.view(), true));
      }
      nextParts.putAll(parts);
    }

    synchronized int stagedTotal() {
      return stagedTotal;
    }

    synchronized long size() {
      return items.size();
    }

    synchronized boolean hasUncheckpointed() {
      for (Item it : items) {
        if (!it.checkpointed) {
          return true;
        }
      }
      return false;
    }

    synchronized List<Item> items() {
      return new ArrayList<>(items);
    }

    synchronized void markCheckpointed(List<Item> covered) {
      covered.forEach(it -> it.checkpointed = true);
    }

    /** The part counters still needed: windows that can still take rows. */
    synchronized Map<Checkpoint.PartKey, Integer> parts(long now, long window, long lateness) {
      nextParts.keySet().removeIf(k -> k.start() + window + lateness <= now && !hasItemFor(k));
      return new HashMap<>(nextParts);
    }

    private boolean hasItemFor(Checkpoint.PartKey k) {
      for (Item it : items) {
        if (it.window.datasetId().equals(k.datasetId()) && it.window.start().toEpochMilli() == k.start()) {
          return true;
        }
      }
      return false;
    }

    /** Hands checkpointed windows to every destination, oldest first; keeps what fails for the next tick. */
    void deliver() {
      List<Item> ready;
      synchronized (this) {
        ready = new ArrayList<>();
        for (Item it : items) {
          if (it.checkpointed) {
            ready.add(it);
          }
        }
      }
      for (Item it : ready) {
        for (Writer w : destinations) {
          try {
            w.write(it.view, it.window);
          } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "handing window " + it.window + " to " + w + " failed: " + e
                + "; it stays in the checkpoint and is retried at the next tick");
            return;
          }
        }
        synchronized (this) {
          for (Iterator<Item> i = items.iterator(); i.hasNext();) {
            if (i.next() == it) {
              i.remove();
              break;
            }
          }
        }
      }
    }
  }
}
