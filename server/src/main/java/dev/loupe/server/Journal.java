package dev.loupe.server;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The write-ahead journal: every accepted request, appended to a segment file and made durable
 * by group commit (one fsync covers every record written before it started) before the request
 * is answered.
 *
 * <p>Segments are named {@code journal-<first sequence number, 20 digits>.log}. A record:
 *
 * <pre>
 * offset  size  field
 *      0     4  magic 0x4C4A524E ("LJRN")
 *      4     4  body length B
 *      8     8  sequence number (from 1, increasing by one across segments)
 *     16     1  kind (1 = whylogs JSON request, 2 = Arrow IPC stream)
 *     17     8  effective timestamp, epoch millis (the request's, or the receive time)
 *     25     2  dataset id length D (UTF-8 bytes)
 *     27     D  dataset id
 *   27+D     4  CRC32C of bytes 4 .. 27+D (length, sequence, kind, timestamp, dataset id)
 *   31+D     4  CRC32C of the body
 *   35+D     B  body: the request body as received
 * </pre>
 *
 * A crash can leave only the tail of the segment being written torn (the server starts a new
 * segment at every start), and a torn record was never acknowledged: reading stops at the first
 * record that is incomplete or fails its checksums.
 */
final class Journal implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Journal.class.getName());
  static final int MAGIC = 0x4C4A524E;
  static final byte KIND_JSON = 1;
  static final byte KIND_ARROW = 2;
  private static final int FIXED_HEADER = 35;

  /** One journaled request. */
  record Record(long seq, byte kind, long timestamp, String datasetId, byte[] body) {}

  private final Path dir;
  private final long segmentBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition synced = lock.newCondition();
  private final AtomicLong totalBytes = new AtomicLong();
  private final List<FileChannel> toSyncAndClose = new ArrayList<>(); // guarded by lock
  private FileChannel current; // guarded by lock
  private long currentFirstSeq; // guarded by lock
  private long currentSize; // guarded by lock
  private boolean newSegment; // guarded by lock: the directory needs an fsync
  private long nextSeq; // guarded by lock
  private long lastWritten; // guarded by lock
  private long durable; // guarded by lock
  private IOException failure; // guarded by lock
  private boolean closed; // guarded by lock
  private Thread syncer;

  Journal(Path dir, long segmentBytes) throws IOException {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    Files.createDirectories(dir);
    for (Path p : segments(dir)) {
      totalBytes.addAndGet(Files.size(p));
    }
  }

  // ---- reading (start-up) ----

  static List<Path> segments(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> firstSeqOf(p) >= 0).sorted((a, b) -> Long.compare(firstSeqOf(a), firstSeqOf(b))).toList();
    }
  }

  static long firstSeqOf(Path p) {
    String n = p.getFileName().toString();
    if (!n.startsWith("journal-") || !n.endsWith(".log") || n.length() != "journal-".length() + 20 + 4) {
      return -1;
    }
    try {
      return Long.parseLong(n.substring(8, 28));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Visits what a record consumer does with each record. */
  interface RecordConsumer {
    void accept(Record r) throws IOException;
  }

  /**
   * Reads every intact record with a sequence number above {@code afterSeq}, segment by segment,
   * and returns the highest sequence number found in the journal (0 if none).
   */
  static long replay(Path dir, long afterSeq, RecordConsumer consumer) throws IOException {
    long maxSeq = 0;
    for (Path seg : segments(dir)) {
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(seg), 1 << 16))) {
        long records = 0;
        while (true) {
          Record r;
          try {
            r = readRecord(in, seg);
          } catch (EOFException e) {
            if (e.getMessage() != null) {
              LOG.log(System.Logger.Level.WARNING, seg + ": torn record after " + records
                  + " intact record(s) (" + e.getMessage() + "); it was never acknowledged and is ignored");
            }
            break;
          }
          records++;
          maxSeq = Math.max(maxSeq, r.seq());
          if (r.seq() > afterSeq) {
            consumer.accept(r);
          }
        }
      }
    }
    return maxSeq;
  }

  /** The next record; EOFException with no message at a clean end, with a message for a torn record. */
  private static Record readRecord(DataInputStream in, Path seg) throws IOException {
    byte[] head = new byte[27];
    int first = in.read();
    if (first < 0) {
      throw new EOFException();
    }
    head[0] = (byte) first;
    try {
      in.readFully(head, 1, 26);
      ByteBuffer h = ByteBuffer.wrap(head);
      if (h.getInt() != MAGIC) {
        throw new EOFException("bad record marker");
      }
      int bodyLen = h.getInt();
      long seq = h.getLong();
      byte kind = h.get();
      long ts = h.getLong();
      int dsLen = Short.toUnsignedInt(h.getShort());
      if (bodyLen < 0) {
        throw new EOFException("negative body length");
      }
      byte[] ds = new byte[dsLen];
      in.readFully(ds);
      int headCrc = in.readInt();
      int bodyCrc = in.readInt();
      CRC32C c = new CRC32C();
      c.update(head, 4, 23);
      c.update(ds);
      if ((int) c.getValue() != headCrc) {
        throw new EOFException("header checksum mismatch");
      }
      byte[] body = in.readNBytes(bodyLen);
      if (body.length != bodyLen) {
        throw new EOFException("body cut short");
      }
      c.reset();
      c.update(body);
      if ((int) c.getValue() != bodyCrc) {
        throw new EOFException("body checksum mismatch");
      }
      return new Record(seq, kind, ts, new String(ds, StandardCharsets.UTF_8), body);
    } catch (EOFException e) {
      throw e.getMessage() == null ? new EOFException("record cut short") : e;
    }
  }

  // ---- writing ----

  /** Starts appending with {@code nextSeq} in a fresh segment, and the group-commit thread. */
  void openForAppend(long firstSeq) throws IOException {
    lock.lock();
    try {
      this.nextSeq = firstSeq;
      this.lastWritten = firstSeq - 1;
      this.durable = firstSeq - 1;
      openSegment(firstSeq);
    } finally {
      lock.unlock();
    }
    syncer = new Thread(this::syncLoop, "loupe-journal-sync");
    syncer.setDaemon(true);
    syncer.start();
  }

  private void openSegment(long firstSeq) throws IOException {
    Path p = dir.resolve(String.format("journal-%020d.log", firstSeq));
    if (Files.exists(p)) {
      totalBytes.addAndGet(-Files.size(p)); // held no intact record (see replay), else firstSeq would be higher
    }
    current = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    currentFirstSeq = firstSeq;
    currentSize = 0;
    newSegment = true;
  }

  /**
   * Appends a record and returns its sequence number; it is durable once {@link #awaitDurable}
   * returns for it. Callers append under the server's ingestion (read) lock, so a checkpoint
   * (write lock) sees every appended record applied.
   */
  long append(byte kind, long timestamp, String datasetId, byte[] body, int off, int len) throws IOException {
    byte[] ds = datasetId.getBytes(StandardCharsets.UTF_8);
    CRC32C c = new CRC32C();
    c.update(body, off, len);
    int bodyCrc = (int) c.getValue();
    ByteBuffer head = ByteBuffer.allocate(FIXED_HEADER + ds.length);
    ByteBuffer bodyBuf = ByteBuffer.wrap(body, off, len);
    lock.lock();
    try {
      if (failure != null) {
        throw new IOException("the journal failed earlier and accepts no more records: " + failure.getMessage(), failure);
      }
      if (closed) {
        throw new IOException("the journal is closed");
      }
      long seq = nextSeq;
      head.putInt(MAGIC).putInt(len).putLong(seq).put(kind).putLong(timestamp).putShort((short) ds.length).put(ds);
      c.reset();
      c.update(head.array(), 4, 23 + ds.length);
      head.putInt((int) c.getValue()).putInt(bodyCrc).flip();
      ByteBuffer[] bufs = {head, bodyBuf};
      long n = 0;
      try {
        while (head.hasRemaining() || bodyBuf.hasRemaining()) {
          n += current.write(bufs);
        }
      } catch (IOException e) {
        failure = e;
        synced.signalAll();
        throw e;
      }
      nextSeq = seq + 1;
      lastWritten = seq;
      currentSize += n;
      totalBytes.addAndGet(n);
      if (currentSize >= segmentBytes) {
        rollLocked();
      }
      work.signal();
      return seq;
    } finally {
      lock.unlock();
    }
  }

  /** Starts a new segment if the current one holds anything (called at checkpoints). */
  void roll() throws IOException {
    lock.lock();
    try {
      if (currentSize > 0 && !closed) {
        rollLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  private void rollLocked() throws IOException {
    toSyncAndClose.add(current);
    openSegment(nextSeq);
    work.signal();
  }

  /** The sequence number of the last appended record (0 if none). */
  long lastSeq() {
    lock.lock();
    try {
      return lastWritten;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until record {@code seq} (and every one before it) is on disk. */
  void awaitDurable(long seq) throws IOException {
    lock.lock();
    try {
      while (durable < seq) {
        if (failure != null) {
          throw new IOException("journal fsync failed: " + failure.getMessage(), failure);
        }
        if (closed && syncer == null) {
          throw new IOException("the journal is closed");
        }
        try {
          synced.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the journal", e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void syncLoop() {
    while (true) {
      long target;
      FileChannel ch;
      List<FileChannel> olds;
      boolean dirSync;
      lock.lock();
      try {
        while (lastWritten == durable && toSyncAndClose.isEmpty() && !closed) {
          work.awaitUninterruptibly();
        }
        if (closed && lastWritten == durable && toSyncAndClose.isEmpty()) {
          return;
        }
        target = lastWritten;
        ch = current;
        olds = new ArrayList<>(toSyncAndClose);
        toSyncAndClose.clear();
        dirSync = newSegment;
        newSegment = false;
      } finally {
        lock.unlock();
      }
      try {
        for (FileChannel old : olds) {
          old.force(false);
          old.close();
        }
        ch.force(false);
        if (dirSync) {
          fsyncDirectory(dir);
        }
        lock.lock();
        try {
          durable = Math.max(durable, target);
          synced.signalAll();
        } finally {
          lock.unlock();
        }
      } catch (IOException e) {
        LOG.log(System.Logger.Level.ERROR, "journal fsync in " + dir + " failed: " + e
            + "; the server stops accepting requests (disk full or failing?)");
        lock.lock();
        try {
          failure = e;
          synced.signalAll();
        } finally {
          lock.unlock();
        }
        return;
      }
    }
  }

  static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // some file systems cannot fsync a directory
    }
  }

  /** Deletes every segment whose records all have sequence numbers at most {@code seq}. */
  void deleteThrough(long seq) throws IOException {
    long currentFirst;
    lock.lock();
    try {
      currentFirst = currentFirstSeq;
    } finally {
      lock.unlock();
    }
    List<Path> segs = segments(dir);
    for (int i = 0; i + 1 < segs.size(); i++) {
      long nextFirst = firstSeqOf(segs.get(i + 1));
      if (firstSeqOf(segs.get(i)) >= currentFirst) {
        break;
      }
      if (nextFirst - 1 <= seq) {
        long size = Files.size(segs.get(i));
        if (Files.deleteIfExists(segs.get(i))) {
          totalBytes.addAndGet(-size);
        }
      }
    }
  }

  Path dirPath() {
    return dir;
  }

  /** Bytes in all segment files. */
  long bytes() {
    return totalBytes.get();
  }

  boolean failed() {
    lock.lock();
    try {
      return failure != null;
    } finally {
      lock.unlock();
    }
  }

  /** Makes everything appended durable, then stops. */
  @Override
  public void close() throws IOException {
    Thread t;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      work.signal();
      t = syncer;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    lock.lock();
    try {
      syncer = null;
      if (current != null) {
        current.force(false);
        current.close();
      }
    } finally {
      lock.unlock();
    }
  }
}
