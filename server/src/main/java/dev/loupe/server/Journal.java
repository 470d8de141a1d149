package dev.loupe.server;

import dev.loupe.core.logging.internal.DurableFiles;
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
 *      0     4  magic 0x4C4A524B ("LJRK"; 0x4C4A524E, "LJRN", in journals written before the key, below)
 *      4     4  body length B
 *      8     8  sequence number (from 1, increasing by one across segments)
 *     16     1  kind (1 = whylogs JSON request, 2 = Arrow IPC stream, 0 = pad: filler, see append)
 *     17     8  effective timestamp, epoch millis (the request's, or the receive time)
 *     25     2  dataset id length D (UTF-8 bytes, at most 1024: a longer one is not a record)
 *     27     D  dataset id
 *   27+D     4  header check of bytes 4 .. 27+D (length, sequence, kind, timestamp, dataset id): the
 *                first 4 bytes of their HMAC-SHA256 under the journal's key; in "LJRN" records, their CRC32C
 *   31+D     4  CRC32C of the body
 *   35+D     B  body: the request body as received
 * </pre>
 *
 * <p>The key is 16 random bytes in {@code journal.key}, made once per journal directory (fsynced
 * before the first record that uses it) and never sent anywhere: a record's body holds a client's
 * bytes, which can hold what looks like a whole record, and after a crash reading may search those
 * bytes for the next record (below). A record whose header checksum a client could compute could
 * put rows into any dataset; keyed, a forged header checks out by chance only (one in 2^32 per
 * forged header). The check is a MAC, not a keyed CRC: CRC is affine, so one keyed header seen
 * outside the server (a quarantined stretch shared in a bug report) would let anyone compute the
 * check of any other header with a dataset id of the same length. {@code journal.key} also holds
 * the first sequence number written with the key: "LJRN" records (from a server before the key)
 * are read only below it, so a forger cannot fall back on the old format either. Records with the key
 * and a missing key file stop start-up, with what to do. A client can still write an "LJRN" record
 * below that number into a body; in a segment written with the key it is never one of the segment's
 * records, and the search after damage looks past it (taken for a recycled file's older life, it
 * would end the search and drop every record after the damaged one).
 *
 * <p>Segment files are recycled: a segment the checkpoints no longer need is renamed
 * {@code spare-<n>.log} and becomes the next new segment, overwritten from its start, instead of
 * being deleted and a new file allocated. On ext4 (and most journaling file systems) allocating
 * blocks for a growing file and freeing a deleted one's (discarding them, on SSDs) both go through
 * the file system's own journal, and each such commit makes every concurrent fsync wait: appending
 * to fresh files and deleting 2 GB of old segments at each checkpoint put 50-400 ms stalls into
 * the group commit at 60 MB/s, where overwriting recycled files stayed under 11 ms
 * (docs/benchmarks.md, "Server ingest"). A recycled file holds its previous life's records after
 * the new ones (until {@link #close} cuts the last segment to its records' length); those old
 * records have sequence numbers below the segment's first (its name), so reading stops at the
 * first such record. Spares outnumber what the segments take when the ingest rate falls; then
 * one spare is deleted per checkpoint, not all at once: deleting gigabytes at once stalled the
 * group commit for a second (half-peak Arrow after peak, 130 MB/s). So the journal's disk use stays
 * at its peak (two checkpoint intervals of requests at the highest rate, plus spares) and shrinks
 * by one segment per checkpoint. Stale bytes are never searched for records where a segment's
 * records are known to be complete (the next segment's first sequence number is reached), and a
 * record found after a damaged stretch counts only when the numbers missing before it fit in the
 * stretch and below the next segment's first: older bodies are client bytes and can hold forged
 * records. At start, after replay, every segment is cut to the end of the records read in it, so
 * that no record this run did not count (see {@link #replay(long, RecordConsumer, DamageConsumer)})
 * survives into a recycled file's next life with a number this run hands out again.
 *
 * <p>A crash can leave only the tail of the segment being written torn (the server starts a new
 * segment at every start), and a torn record was never acknowledged. In a recycled segment a
 * crash can also leave the previous life's bytes after the last record; they are not damage. So
 * the end of a segment is reported as damage only when a record of its own was cut short there
 * (its header, carrying the next sequence number, checks out) or when the next segment shows
 * records missing; damage that destroys the header of the very last acknowledged record of the
 * last segment looks like the end of its records, and is not reported. Damage elsewhere (a flipped
 * byte on disk) costs only the records it hits: reading resynchronizes on the next offset where a
 * marker, a header checksum and a body checksum all check out, and sequence numbers (consecutive
 * across segments) say how many records the damaged stretch held.
 */
final class Journal implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Journal.class.getName());
  /** A record whose header checksum includes the journal's key. */
  static final int MAGIC = 0x4C4A524B;
  /** A record from a journal written before the key: read only below the key's first sequence number. */
  static final int LEGACY_MAGIC = 0x4C4A524E;
  static final String KEY_FILE = "journal.key";
  private static final int KEY_MAGIC = 0x4C4A4B59; // "LJKY"
  private static final int KEY_BYTES = 16;
  /**
   * Filler that aligns a large record to the file system's blocks (see {@link #append}): a record like
   * any other (marker, sequence number, checks), empty dataset id, zero body; never handed to a reader.
   */
  static final byte KIND_PAD = 0;
  static final byte KIND_JSON = 1;
  static final byte KIND_ARROW = 2;
  static final int FIXED_HEADER = 35;
  /**
   * The longest dataset id a record holds, in UTF-8 bytes (the server takes 128 ASCII characters): a
   * header claiming more is not a record, so that a client's bytes cannot make each candidate offset
   * of the search after damage read and checksum 64 KiB.
   */
  static final int MAX_DATASET_ID_BYTES = 1024;
  /** Bodies from this size up are written with direct I/O (see {@link #append}). */
  static final int DIRECT_MIN_BYTES = 256 << 10;
  /** Bodies above this size are written through the page cache: a direct write needs them whole in one buffer. */
  static final int DIRECT_MAX_BYTES = 4 << 20;
  /** Aligned buffers kept for direct writes (a request's append takes one; at most this many are kept). */
  private static final int DIRECT_BUFFERS_KEPT = 4;

  /** One journaled request. */
  record Record(long seq, byte kind, long timestamp, String datasetId, byte[] body) {}

  private final Path dir;
  private final long segmentBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition synced = lock.newCondition();
  private final AtomicLong totalBytes = new AtomicLong();
  private final List<FileChannel> toSyncAndClose = new ArrayList<>(); // guarded by lock
  private final java.util.ArrayDeque<Path> spares = new java.util.ArrayDeque<>(); // guarded by lock
  private long nextSpare; // guarded by lock: the number in the next spare's name
  private Ready ready; // guarded by lock: a spare the sync thread opened ahead for the next roll
  private final List<Path[]> renames = new ArrayList<>(); // guarded by lock: {spare, segment} for the sync thread
  private FileChannel current; // guarded by lock
  private FileChannel currentDirect; // guarded by lock: the current segment opened for direct I/O, or null
  private final int block; // the file system's block size for direct I/O; 0: direct I/O is not used
  private volatile boolean directFailed; // opening a segment for direct I/O failed once: not tried again
  private long directWrites; // guarded by lock
  private final java.util.TreeSet<Long> inFlight = new java.util.TreeSet<>(); // guarded by lock: direct writes' numbers
  private final java.util.Map<FileChannel, Integer> inFlightByChannel = new java.util.HashMap<>(); // guarded by lock
  private final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> alignedBuffers =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private long currentFirstSeq; // guarded by lock
  private long currentSize; // guarded by lock
  private boolean newSegment; // guarded by lock: the directory needs an fsync
  private long nextSeq; // guarded by lock
  private long lastWritten; // guarded by lock
  private long durable; // guarded by lock
  private IOException failure; // guarded by lock
  private volatile boolean failed; // set with failure: read on every request without the lock
  private boolean closed; // guarded by lock
  private long syncs; // guarded by lock: group fsyncs completed
  private Thread syncer;
  private final java.util.Map<Path, Long> recordsEnd = new java.util.HashMap<>(); // start-up: see replay
  private Key key; // guarded by lock once appending; made by openForAppend when the directory has none

  /**
   * The journal's secret, which keys every record's header check so that no client can forge a
   * record, and the first sequence number written with it ("LJRN" records are read only below it).
   */
  static final class Key {
    private final byte[] secret;
    private final long keyedFrom;
    /** An HMAC-SHA256 keyed with the secret, per thread (a Mac is not thread-safe). */
    private final ThreadLocal<javax.crypto.Mac> macs;

    Key(byte[] secret, long keyedFrom) {
      this.secret = secret.clone();
      this.keyedFrom = keyedFrom;
      this.macs = ThreadLocal.withInitial(() -> {
        try {
          javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacSHA256");
          m.init(new javax.crypto.spec.SecretKeySpec(this.secret, "HmacSHA256"));
          return m;
        } catch (java.security.GeneralSecurityException e) {
          // HmacSHA256 is a provider every Java SE runtime must have, and a 16-byte key is valid for it
          throw new IllegalStateException("HmacSHA256 is not available in this Java runtime", e);
        }
      });
    }

    long keyedFrom() {
      return keyedFrom;
    }

    boolean allowsLegacy(long seq) {
      return seq < keyedFrom;
    }

    /** The first 4 bytes (big-endian) of the HMAC-SHA256 of {@code a[aOff..+aLen]} then {@code b[bOff..+bLen]}. */
    int check(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
      javax.crypto.Mac m = macs.get();
      m.update(a, aOff, aLen);
      m.update(b, bOff, bLen);
      return ByteBuffer.wrap(m.doFinal()).getInt();
    }
  }

  /**
   * The key of the journal in {@code dir}, or null when it has none (a new journal, or one written
   * before keys). A key file that does not check out stops start-up: without it, no record written
   * with it can be told from a forged one.
   */
  static Key key(Path dir) throws IOException {
    Path f = dir.resolve(KEY_FILE);
    if (!Files.exists(f)) {
      return null;
    }
    byte[] b = Files.readAllBytes(f);
    ByteBuffer buf = ByteBuffer.wrap(b);
    CRC32C c = new CRC32C();
    c.update(b, 0, Math.max(0, b.length - 4));
    if (b.length != 4 + KEY_BYTES + 8 + 4 || buf.getInt(0) != KEY_MAGIC || buf.getInt(b.length - 4) != (int) c.getValue()) {
      throw new IOException(f + " is damaged (" + b.length + " bytes; its checksum does not match): the journal's "
          + "records cannot be told from forged ones without it. Restore it from a backup of the data directory; or, "
          + "to start with an empty journal and lose the rows acknowledged since the last checkpoint, move "
          + dir + " away");
    }
    return new Key(java.util.Arrays.copyOfRange(b, 4, 4 + KEY_BYTES), buf.getLong(4 + KEY_BYTES));
  }

  /** Makes the key file of a journal whose first keyed record will be {@code keyedFrom}. */
  private static Key makeKey(Path dir, long keyedFrom) throws IOException {
    byte[] secret = new byte[KEY_BYTES];
    new java.security.SecureRandom().nextBytes(secret);
    ByteBuffer b = ByteBuffer.allocate(4 + KEY_BYTES + 8 + 4);
    b.putInt(KEY_MAGIC).put(secret).putLong(keyedFrom);
    CRC32C c = new CRC32C();
    c.update(b.array(), 0, b.position());
    b.putInt((int) c.getValue());
    DurableFiles.writeAtomically(dir.resolve(KEY_FILE), b.array());
    return new Key(secret, keyedFrom);
  }

  Journal(Path dir, long segmentBytes) throws IOException {
    this(dir, segmentBytes, true);
  }

  /** A journal in {@code dir}; {@code direct}: write large records with direct I/O where the file system can. */
  Journal(Path dir, long segmentBytes, boolean direct) throws IOException {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    Files.createDirectories(dir);
    this.block = direct ? directBlock(dir) : 0;
    this.key = key(dir);
    for (Path p : segments(dir)) {
      totalBytes.addAndGet(Files.size(p));
    }
    // spares left by an earlier run are deleted, not reused: one taken by a roll whose rename a crash
    // lost holds records that were never acknowledged, with sequence numbers this run hands out again
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> spareNumber(p) >= 0).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A spare segment file opened ahead (outside the lock) by the sync thread, and for direct I/O (or null). */
  private record Ready(Path spare, FileChannel channel, FileChannel direct) {}

  /** The number in a spare segment file's name ({@code spare-<20 digits>.log}), or -1. */
  static long spareNumber(Path p) {
    return numberIn(p, "spare-");
  }

  /** The number in a file named {@code <prefix><20 digits>.log}, or -1. */
  private static long numberIn(Path p, String prefix) {
    String n = p.getFileName().toString();
    if (!n.startsWith(prefix) || !n.endsWith(".log") || n.length() != prefix.length() + 20 + 4) {
      return -1;
    }
    try {
      return Long.parseLong(n.substring(prefix.length(), prefix.length() + 20));
    } catch (NumberFormatException e) {
      return -1;
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
    return numberIn(p, "journal-");
  }

  /** Visits what a record consumer does with each record. */
  interface RecordConsumer {
    void accept(Record r) throws IOException;
  }

  /** Told about every stretch of a segment that holds no intact record (see {@link #replay}). */
  interface DamageConsumer {
    void damaged(Damage d) throws IOException;
  }

  /**
   * A stretch of a segment that held no intact record: bytes [from, to) of {@code segment}.
   * {@code lostRecords} is how many sequence numbers fall in the gap (known when an intact record
   * or the next segment follows; -1 at the tail of the last segment, where a torn write of a
   * record that was never acknowledged looks the same), {@code datasetId} the dataset of the first
   * damaged record when its header was still intact, else null.
   */
  record Damage(Path segment, long from, long to, long firstLostSeq, long lostRecords, String datasetId,
      boolean tail, byte[] bytes) {}

  /**
   * Reads every intact record with a sequence number above {@code afterSeq}, segment by segment,
   * and returns the highest sequence number found in the journal (0 if none). A damaged record
   * (bad marker, header or body checksum, impossible length) does not end the segment: reading
   * resynchronizes on the next offset where a whole record checks out, and the damaged stretch
   * goes to {@code damage} with the sequence numbers it must have held.
   */
  static long replay(Path dir, long afterSeq, RecordConsumer consumer) throws IOException {
    return replay(dir, afterSeq, consumer, d -> LOG.log(System.Logger.Level.WARNING, describe(d)));
  }

  static long replay(Path dir, long afterSeq, RecordConsumer consumer, DamageConsumer damage) throws IOException {
    return replay(dir, afterSeq, consumer, damage, (seg, end) -> { });
  }

  /** Told where reading stopped in each segment: the end of the last record read there. */
  interface SegmentEnd {
    void end(Path segment, long recordsEnd);
  }

  /**
   * Replays this journal's directory as {@link #replay(Path, long, RecordConsumer, DamageConsumer)}
   * does, before {@link #openForAppend}, which then cuts every segment to the end of the records
   * read in it. Bytes a segment holds past them are an older life's, a torn write's, or records a
   * crash left behind an unwritten page (never acknowledged, and not counted in the highest
   * sequence number, so this run hands their numbers out again): left in the file, they would sit
   * after the records of its next life once it is recycled, and could be read as that life's.
   * Damaged bytes went to {@code damage} first.
   */
  long replay(long afterSeq, RecordConsumer consumer, DamageConsumer damage) throws IOException {
    recordsEnd.clear();
    return replay(dir, afterSeq, consumer, damage, recordsEnd::put);
  }

  static long replay(Path dir, long afterSeq, RecordConsumer consumer, DamageConsumer damage, SegmentEnd ends)
      throws IOException {
    long maxSeq = 0;
    List<Path> segs = segments(dir);
    Key key = key(dir);
    if (key == null) {
      for (Path seg : segs) {
        // a segment that does not start with an "LJRN" record was written with the key when its first
        // record's marker is damaged and keyed markers follow: read without the key, it would look torn
        int first = firstInt(seg);
        if (first == MAGIC || (first != LEGACY_MAGIC && holdsKeyedMarker(seg))) {
          throw new IOException(dir.resolve(KEY_FILE) + " is missing, but " + seg + " holds records written with it: "
              + "they cannot be told from forged ones without it. Restore the file from a backup of the data "
              + "directory; or, to start with an empty journal and lose the rows acknowledged since the last "
              + "checkpoint, move " + dir + " away");
        }
      }
    }
    for (int i = 0; i < segs.size(); i++) {
      Path seg = segs.get(i);
      long nextSegmentFirst = i + 1 < segs.size() ? firstSeqOf(segs.get(i + 1)) : -1;
      long expected = firstSeqOf(seg); // the sequence number the next record should carry
      // written with the key: an "LJRN" record here is an older life's from before the key, or one a client
      // forged in a body (it needs no key), never one of this segment's
      boolean keyed = key != null && !key.allowsLegacy(expected);
      Window window = new Window();
      try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
        long size = ch.size();
        long pos = 0;
        while (pos < size) {
          if (expected == nextSegmentFirst) {
            // every record this segment holds has been read: what follows is a recycled file's older
            // life, not to be searched (its bodies are client bytes, and can hold what looks like a record)
            break;
          }
          Parsed p = parseAt(ch, pos, size, key, keyed);
          if (p != null && p.record.seq() < expected) {
            break; // a record of the file's life before it was recycled: this segment's records ended
          }
          if (p != null && !isOurs(p.record.seq(), expected, 0, nextSegmentFirst)) {
            p = null; // where record `expected` must start, a record that cannot be ours: not a record here
          }
          if (p != null) {
            maxSeq = Math.max(maxSeq, p.record.seq());
            expected = p.record.seq() + 1;
            if (p.record.seq() > afterSeq && p.record.kind() != KIND_PAD) {
              consumer.accept(p.record);
            }
            pos = p.end;
            continue;
          }
          // damaged: find the next offset where a whole record checks out
          String headerDataset = datasetOfHeader(ch, pos, size, key); // non-null: the header survived
          boolean cutShort = headerDataset != null && seqAt(ch, pos) == expected; // a record of ours, cut short
          String firstDataset = cutShort ? headerDataset : null;
          long next = pos + 1;
          Parsed resync = null;
          long staleAt = -1; // where the file's previous life (recycled) shows, if it does
          long legacyAt = -1; // in a keyed segment, the first "LJRN" record the search passed
          while (next + FIXED_HEADER <= size) {
            next = findMagic(ch, next, size, window);
            if (next < 0) {
              break;
            }
            if (keyed && window.intAt(next) == LEGACY_MAGIC) {
              // never a record of this segment, and perhaps a client's forgery inside a body of ours (taken for
              // an older life, it would end the search and drop every record of ours after it): looked past,
              // and where the older life starts only if nothing of ours follows
              if (legacyAt < 0) {
                legacyAt = next;
              }
              next++;
              continue;
            }
            if (!window.mayStartRecord(next, size, key, keyed)) {
              next++;
              continue;
            }
            resync = parseAt(ch, next, size, key, keyed);
            if (resync != null && isOurs(resync.record.seq(), expected, next - pos, nextSegmentFirst)) {
              break;
            }
            if (resync != null) {
              // an older life's record, or one no record of ours can be: the sequence numbers missing
              // before it would not fit in the bytes before it, or belong to the next segment (a
              // recycled file's older bodies are client bytes and can hold a forged record)
              staleAt = next;
              resync = null;
              break;
            }
            resync = null;
            next++;
          }
          if (resync == null && staleAt < 0) {
            staleAt = legacyAt;
          }
          long to = resync != null ? next : staleAt >= 0 ? staleAt : size;
          long lost;
          boolean tail = resync == null;
          if (resync != null) {
            lost = resync.record.seq() - expected;
          } else if (nextSegmentFirst > 0) {
            lost = nextSegmentFirst - expected;
          } else {
            lost = -1;
          }
          if (resync == null && lost <= 0 && !cutShort) {
            // no later record of this segment, none missing before the next segment, and no record of
            // ours cut short here (its header would carry `expected`): these are bytes the file held
            // before it was recycled, not damage
            break;
          }
          byte[] bytes = readRange(ch, pos, (int) Math.min(to - pos, 64L << 20));
          damage.damaged(new Damage(seg, pos, to, expected, lost, firstDataset, tail, bytes));
          if (resync == null) {
            break;
          }
          expected = resync.record.seq(); // the records before it were lost: reading goes on with it
          pos = next;
        }
        ends.end(seg, Math.min(pos, size));
      }
    }
    return maxSeq;
  }

  /**
   * Whether an intact record with sequence number {@code seq}, found {@code gap} bytes after the
   * damaged place where record {@code expected} should start, can be one of this segment's: the
   * records before it are missing, and each took at least {@link #FIXED_HEADER} bytes of the gap;
   * in a segment that is not the last, its number is below the next segment's first.
   */
  static boolean isOurs(long seq, long expected, long gap, long nextSegmentFirst) {
    if (seq < expected || seq - expected > gap / FIXED_HEADER) {
      return false;
    }
    return nextSegmentFirst < 0 || expected >= nextSegmentFirst || seq < nextSegmentFirst;
  }

  /** A log line naming what a damaged stretch held. */
  static String describe(Damage d) {
    String where = d.segment() + " bytes " + d.from() + ".." + d.to();
    if (d.lostRecords() < 0) {
      return where + ": the end of the last segment holds no intact record: a write torn by a crash (that record "
          + "was never acknowledged), or damage to the last record(s) from sequence " + d.firstLostSeq()
          + (d.datasetId() == null ? "" : " (dataset " + d.datasetId() + ")");
    }
    if (d.lostRecords() == 0) {
      return where + ": unreadable bytes that held no record (sequence numbers continue); skipped";
    }
    return where + ": DAMAGED journal record(s) " + d.firstLostSeq() + ".." + (d.firstLostSeq() + d.lostRecords() - 1)
        + (d.datasetId() == null ? "" : " (first one of dataset " + d.datasetId() + ")")
        + " could not be read and were skipped; their rows are lost; reading went on with the next intact record";
  }

  private record Parsed(Record record, long end) {}

  /** {@code seg}'s first four bytes (0 when it is shorter). */
  private static int firstInt(Path seg) throws IOException {
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
      if (ch.size() < 4) {
        return 0;
      }
      ByteBuffer b = ByteBuffer.allocate(4);
      readFully(ch, b, 0);
      return b.getInt(0);
    }
  }

  /** Whether {@code seg} holds the keyed marker anywhere (start-up without a key file only). */
  private static boolean holdsKeyedMarker(Path seg) throws IOException {
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
      long size = ch.size();
      Window w = new Window();
      for (long at = 0; (at = findMagic(ch, at, size, w)) >= 0; at++) {
        if (w.intAt(at) == MAGIC) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * The header check a record with marker {@code magic} must carry (see the table above), over the
   * header's bytes 4..27 at {@code h[hOff]} and the dataset id at {@code ds[dsOff]}, or null when no
   * record of this journal can carry that marker and number: a keyed one without a key, or an "LJRN"
   * one at or above the key's first sequence number.
   */
  private static Integer headerCheck(int magic, Key key, long seq, byte[] h, int hOff, byte[] ds, int dsOff,
      int dsLen) {
    if (magic == MAGIC) {
      return key == null ? null : key.check(h, hOff + 4, 23, ds, dsOff, dsLen);
    } else if (magic != LEGACY_MAGIC || (key != null && !key.allowsLegacy(seq))) {
      return null;
    }
    CRC32C c = new CRC32C();
    c.update(h, hOff + 4, 23);
    c.update(ds, dsOff, dsLen);
    return (int) c.getValue();
  }

  /** Whether a record can carry {@code magic}: "LJRK", or "LJRN" outside segments written with the key. */
  private static boolean markerFits(int magic, boolean keyed) {
    return magic == MAGIC || (magic == LEGACY_MAGIC && !keyed);
  }

  /** Whether a record at {@code pos} with these lengths fits in a file of {@code size} bytes. */
  private static boolean lengthsFit(long pos, int bodyLen, int dsLen, long size) {
    return bodyLen >= 0 && dsLen <= MAX_DATASET_ID_BYTES && pos + FIXED_HEADER + dsLen + bodyLen <= size;
  }

  /**
   * The record starting at {@code pos} if all of it is there and checks out, else null; in a segment
   * written with the key ({@code keyed}), never an "LJRN" one.
   */
  private static Parsed parseAt(FileChannel ch, long pos, long size, Key key, boolean keyed) throws IOException {
    if (pos + FIXED_HEADER > size) {
      return null;
    }
    ByteBuffer h = ByteBuffer.allocate(27);
    readFully(ch, h, pos);
    h.flip();
    int magic = h.getInt();
    if (!markerFits(magic, keyed)) {
      return null;
    }
    int bodyLen = h.getInt();
    long seq = h.getLong();
    byte kind = h.get();
    long ts = h.getLong();
    int dsLen = Short.toUnsignedInt(h.getShort());
    long bodyStart = pos + FIXED_HEADER + dsLen;
    // lengths are checked against the file before anything is allocated from them
    if (!lengthsFit(pos, bodyLen, dsLen, size)) {
      return null;
    }
    ByteBuffer rest = ByteBuffer.allocate(dsLen + 8);
    readFully(ch, rest, pos + 27);
    byte[] ds = new byte[dsLen];
    rest.flip();
    rest.get(ds);
    int headCrc = rest.getInt();
    int bodyCrc = rest.getInt();
    Integer want = headerCheck(magic, key, seq, h.array(), 0, ds, 0, dsLen);
    if (want == null || want != headCrc) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(bodyLen);
    readFully(ch, body, bodyStart);
    CRC32C c = new CRC32C();
    c.update(body.array(), 0, bodyLen);
    if ((int) c.getValue() != bodyCrc) {
      return null;
    }
    return new Parsed(new Record(seq, kind, ts, new String(ds, StandardCharsets.UTF_8), body.array()),
        bodyStart + bodyLen);
  }

  /** The dataset id of a record whose header (not body) is intact at {@code pos}, else null. */
  private static String datasetOfHeader(FileChannel ch, long pos, long size, Key key) throws IOException {
    if (pos + FIXED_HEADER > size) {
      return null;
    }
    ByteBuffer h = ByteBuffer.allocate(27);
    readFully(ch, h, pos);
    h.flip();
    int magic = h.getInt();
    long seq = h.getLong(8);
    h.position(25);
    int dsLen = Short.toUnsignedInt(h.getShort());
    if (dsLen > MAX_DATASET_ID_BYTES || pos + FIXED_HEADER + dsLen > size) {
      return null;
    }
    ByteBuffer rest = ByteBuffer.allocate(dsLen + 4);
    readFully(ch, rest, pos + 27);
    Integer want = headerCheck(magic, key, seq, h.array(), 0, rest.array(), 0, dsLen);
    if (want == null || want != rest.getInt(dsLen)) {
      return null;
    }
    return new String(rest.array(), 0, dsLen, StandardCharsets.UTF_8);
  }

  /** The sequence number field of the record header at {@code pos} (check the header first). */
  private static long seqAt(FileChannel ch, long pos) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(8);
    readFully(ch, h, pos + 8);
    return h.getLong(0);
  }

  /**
   * A window of a segment's bytes for the search after damage, kept from one candidate offset to the
   * next: a body full of markers (a client's bytes) costs one read per window, not one per marker.
   */
  private static final class Window {
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    private long base = -1;
    private int n;

    /** The four bytes at {@code at}, which the last search found in this window. */
    int intAt(long at) {
      return buf.getInt((int) (at - base));
    }

    /**
     * False when the header at {@code at} (the last search's find) is in this window and cannot start
     * a record: lengths that do not fit in the file, or a header checksum that does not check out. A
     * body full of would-be headers (a client's bytes) then costs no file read per candidate.
     */
    boolean mayStartRecord(long at, long size, Key key, boolean keyed) {
      int i = (int) (at - base);
      if (i + 27 > n) {
        return true; // not all here: parseAt reads it
      }
      int magic = buf.getInt(i);
      int bodyLen = buf.getInt(i + 4);
      int dsLen = Short.toUnsignedInt(buf.getShort(i + 25));
      if (!markerFits(magic, keyed) || !lengthsFit(at, bodyLen, dsLen, size)) {
        return false;
      }
      if (i + 27 + dsLen + 4 > n) {
        return true;
      }
      Integer want = headerCheck(magic, key, buf.getLong(i + 8), buf.array(), i, buf.array(), i + 27, dsLen);
      return want != null && want == buf.getInt(i + 27 + dsLen);
    }
  }

  /** The first offset at or after {@code from} where a record marker (either) starts, or -1. */
  private static long findMagic(FileChannel ch, long from, long size, Window w) throws IOException {
    long at = from;
    while (at + 4 <= size) {
      if (w.base < 0 || at < w.base || at + 4 > w.base + w.n) {
        w.buf.clear();
        int n = ch.read(w.buf, at);
        if (n < 4) {
          return -1;
        }
        w.base = at;
        w.n = n;
      }
      for (int i = (int) (at - w.base); i + 4 <= w.n; i++) {
        int m = w.buf.getInt(i);
        if (m == MAGIC || m == LEGACY_MAGIC) {
          return w.base + i;
        }
      }
      at = w.base + w.n - 3;
    }
    return -1;
  }

  private static byte[] readRange(FileChannel ch, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    readFully(ch, b, pos);
    return b.array();
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + b.position());
      if (n < 0) {
        throw new EOFException("unexpected end of " + ch);
      }
    }
  }

  // ---- writing ----

  /**
   * Starts appending with {@code nextSeq} in a fresh segment, and the group-commit thread. A journal
   * without a key (new, or written before keys) gets one here, before its first keyed record.
   */
  void openForAppend(long firstSeq) throws IOException {
    lock.lock();
    try {
      if (key == null) {
        key = makeKey(dir, firstSeq);
      }
      this.nextSeq = firstSeq;
      this.lastWritten = firstSeq - 1;
      this.durable = firstSeq - 1;
      cutToRecords();
      Path p = segmentPath(firstSeq);
      if (Files.exists(p)) {
        totalBytes.addAndGet(-Files.size(p)); // held no intact record (see replay), else firstSeq would be higher
      }
      openSegment(firstSeq);
    } finally {
      lock.unlock();
    }
    syncer = new Thread(this::syncLoop, "loupe-journal-sync");
    syncer.setDaemon(true);
    syncer.start();
  }

  /** Cuts each segment replayed by this journal to the end of its records (see {@link #replay(long, RecordConsumer, DamageConsumer)}). */
  private void cutToRecords() throws IOException {
    for (java.util.Map.Entry<Path, Long> e : recordsEnd.entrySet()) {
      long size = Files.size(e.getKey());
      if (size > e.getValue()) {
        try (FileChannel ch = FileChannel.open(e.getKey(), StandardOpenOption.WRITE)) {
          ch.truncate(e.getValue());
          ch.force(true);
        }
        totalBytes.addAndGet(e.getValue() - size);
      }
    }
    recordsEnd.clear();
  }

  private Path segmentPath(long firstSeq) {
    return dir.resolve(String.format("journal-%020d.log", firstSeq));
  }

  /**
   * Makes the segment starting at {@code firstSeq} current, under the lock. A spare the sync thread
   * opened ahead costs no file system call here: it is written under its spare name, and the sync
   * thread renames it (and fsyncs the directory) before any of its records counts as durable; a
   * crash before that leaves a spare, deleted at the next start. File system calls here would hold
   * every appending request: a rename or create waits for the file system's own journal commit,
   * which an fsync elsewhere can hold up for tens of milliseconds.
   */
  private void openSegment(long firstSeq) throws IOException {
    Path p = segmentPath(firstSeq);
    if (ready != null) {
      current = ready.channel();
      currentDirect = ready.direct();
      renames.add(new Path[] {ready.spare(), p});
      ready = null;
      currentFirstSeq = firstSeq;
      currentSize = 0;
      newSegment = true;
      return;
    }
    current = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    currentDirect = openDirect(p);
    currentFirstSeq = firstSeq;
    currentSize = 0;
    newSegment = true;
  }

  /**
   * Appends a record and returns its sequence number; it is durable once {@link #awaitDurable}
   * returns for it. Callers append under the server's ingestion (read) lock, so a checkpoint
   * (write lock) sees every appended record applied.
   *
   * <p>A body of {@link #DIRECT_MIN_BYTES} to {@link #DIRECT_MAX_BYTES} is written with direct I/O
   * where the file system allows it: from an aligned buffer straight to the device, without a copy
   * into the page cache. At the server's Arrow peak (240 MB/s of bodies) the kernel's copy into the
   * page cache, and its work on each 4 KiB page, took over a third of the server's CPU on the
   * benchmark machine (docs/benchmarks.md). Such a record starts on a block boundary and its last
   * block is filled: the space before and after it holds {@link #KIND_PAD} records, so the file is a
   * sequence of records as before, and the group commit's fsync makes both kinds of write durable.
   * The device write (about a millisecond for 1 MB) is made outside the journal's lock, so appends
   * and group commits go on meanwhile; until it ends, no group commit counts its number (or any
   * later one) as durable.
   */
  long append(byte kind, long timestamp, String datasetId, byte[] body, int off, int len) throws IOException {
    byte[] ds = datasetId.getBytes(StandardCharsets.UTF_8);
    if (ds.length > MAX_DATASET_ID_BYTES) {
      throw new IllegalArgumentException("a dataset id of " + ds.length + " UTF-8 bytes cannot be journaled: at most "
          + MAX_DATASET_ID_BYTES);
    }
    CRC32C c = new CRC32C();
    c.update(body, off, len);
    int bodyCrc = (int) c.getValue();
    ByteBuffer bodyBuf = ByteBuffer.wrap(body, off, len);
    int headLen = FIXED_HEADER + ds.length;
    ByteBuffer aligned = null;
    if (block > 0 && len >= DIRECT_MIN_BYTES && len <= DIRECT_MAX_BYTES) {
      aligned = alignedBuffer();
      aligned.clear();
      aligned.put(headLen, body, off, len); // the copy is made before the lock; the header goes in under it
    }
    try {
      Reserved r;
      lock.lock();
      try {
        if (failure != null) {
          throw new IOException("the journal failed earlier and accepts no more records: " + failure.getMessage(),
              failure);
        }
        if (closed) {
          throw new IOException("the journal is closed");
        }
        try {
          if (aligned == null || currentDirect == null) {
            return appendBuffered(kind, timestamp, ds, bodyBuf, bodyCrc);
          }
          r = reserveDirect(kind, timestamp, ds, len, bodyCrc, aligned);
        } catch (IOException e) {
          fail(e);
          throw e;
        }
      } finally {
        lock.unlock();
      }
      // the device write, outside the lock: other appends (and the group commit) go on meanwhile
      IOException error = null;
      try {
        long at = r.start();
        while (aligned.hasRemaining()) {
          at += r.channel().write(aligned, at);
        }
      } catch (IOException e) {
        error = e;
      }
      lock.lock();
      try {
        finishDirect(r, error);
      } finally {
        lock.unlock();
      }
      if (error != null) {
        throw error;
      }
      return r.seq();
    } finally {
      if (aligned != null && alignedBuffers.size() < DIRECT_BUFFERS_KEPT) {
        alignedBuffers.offer(aligned);
      }
    }
  }

  /** Under the lock: the record through the page cache, as one gathering write. */
  private long appendBuffered(byte kind, long timestamp, byte[] ds, ByteBuffer bodyBuf, int bodyCrc)
      throws IOException {
    long seq = nextSeq;
    ByteBuffer head = header(key, seq, kind, timestamp, ds, bodyBuf.remaining(), bodyCrc);
    ByteBuffer[] bufs = {head, bodyBuf};
    long n = 0;
    while (head.hasRemaining() || bodyBuf.hasRemaining()) {
      n += current.write(bufs);
    }
    nextSeq = seq + 1;
    advanceWritten();
    currentSize += n;
    totalBytes.addAndGet(n);
    if (currentSize >= segmentBytes) {
      rollLocked();
    }
    work.signal();
    return seq;
  }

  /** A direct write reserved under the lock and made outside it: its place, its numbers, its channel. */
  private record Reserved(long seq, long start, FileChannel channel) {}

  /**
   * Under the lock: a pad record up to the next block boundary (through the page cache), then room
   * for the record (its body already at {@code aligned[headLen..]}, its header put here) and a pad
   * to the end of its last block, to be written in one direct write outside the lock. Until that
   * write ends, its first number holds {@code lastWritten} (and so every group commit) below it.
   */
  private Reserved reserveDirect(byte kind, long timestamp, byte[] ds, int len, int bodyCrc, ByteBuffer aligned)
      throws IOException {
    long from = currentSize;
    long start = padEnd(from);
    if (start > from) {
      ByteBuffer pad = pad(nextSeq++, (int) (start - from));
      while (pad.hasRemaining()) {
        current.write(pad);
      }
      advanceWritten();
    }
    long seq = nextSeq++;
    ByteBuffer head = header(key, seq, kind, timestamp, ds, len, bodyCrc);
    int headLen = head.remaining();
    aligned.put(0, head, 0, headLen);
    long end = start + headLen + len;
    long stop = padEnd(end);
    if (stop > end) {
      ByteBuffer pad = pad(nextSeq++, (int) (stop - end));
      aligned.put(headLen + len, pad, 0, pad.remaining());
    }
    aligned.limit((int) (stop - start)).position(0);
    current.position(stop); // the page-cache channel appends after it
    currentSize = stop;
    totalBytes.addAndGet(stop - from);
    Reserved r = new Reserved(seq, start, currentDirect);
    inFlight.add(seq);
    inFlightByChannel.merge(currentDirect, 1, Integer::sum);
    directWrites++;
    if (currentSize >= segmentBytes) {
      rollLocked();
    }
    return r;
  }

  /**
   * Under the lock: a direct write ended ({@code error}: it failed, and so does the journal). A
   * segment rolled while it was in flight gets its direct channel fsynced and closed by the sync
   * thread once its last write ended (its page-cache channel may have been fsynced before).
   */
  private void finishDirect(Reserved r, IOException error) {
    inFlight.remove(r.seq());
    int left = inFlightByChannel.merge(r.channel(), -1, Integer::sum);
    if (left == 0) {
      inFlightByChannel.remove(r.channel());
      if (r.channel() != currentDirect) {
        toSyncAndClose.add(r.channel());
      }
    }
    if (error != null) {
      fail(error);
      return;
    }
    advanceWritten();
    work.signal();
  }

  /** Under the lock: {@code lastWritten} up to the last number below every direct write in flight. */
  private void advanceWritten() {
    lastWritten = inFlight.isEmpty() ? nextSeq - 1 : inFlight.first() - 1;
  }

  private void fail(IOException e) {
    failure = e;
    failed = true;
    synced.signalAll();
  }

  /** The next block boundary at or after {@code pos} that leaves room for a pad record (or {@code pos} itself). */
  private long padEnd(long pos) {
    long b = block;
    long next = (pos + b - 1) / b * b;
    if (next > pos && next - pos < FIXED_HEADER) {
      next += b;
    }
    return next;
  }

  /** A {@link #KIND_PAD} record of exactly {@code bytes} bytes (at least {@link #FIXED_HEADER}). */
  private ByteBuffer pad(long seq, int bytes) {
    int bodyLen = bytes - FIXED_HEADER;
    CRC32C c = new CRC32C();
    c.update(new byte[bodyLen]);
    ByteBuffer head = header(key, seq, KIND_PAD, 0L, new byte[0], bodyLen, (int) c.getValue());
    ByteBuffer all = ByteBuffer.allocate(bytes);
    all.put(head);
    all.position(0);
    return all;
  }

  /** An aligned buffer for a direct write of a record of up to {@link #DIRECT_MAX_BYTES} and its pads. */
  private ByteBuffer alignedBuffer() {
    ByteBuffer b = alignedBuffers.poll();
    if (b != null) {
      return b;
    }
    int capacity = FIXED_HEADER + MAX_DATASET_ID_BYTES + DIRECT_MAX_BYTES + 2 * block;
    return ByteBuffer.allocateDirect(capacity + block).alignedSlice(block);
  }

  /** Records written with direct I/O so far (for tests). */
  long directWrites() {
    lock.lock();
    try {
      return directWrites;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The block size direct I/O needs in {@code dir}'s file system, or 0 when it cannot be used there
   * (a file system without direct I/O is found when the first segment is opened).
   */
  private static int directBlock(Path dir) {
    try {
      long b = Files.getFileStore(dir).getBlockSize();
      // at least a page, so that no page holds both a direct write and page-cache bytes
      return b >= 512 && b <= (64 << 10) && Long.bitCount(b) == 1 ? (int) Math.max(b, 4096) : 0;
    } catch (IOException | UnsupportedOperationException e) {
      return 0;
    }
  }

  /** {@code p} opened for direct I/O, or null when direct I/O is off or the file system refuses it. */
  private FileChannel openDirect(Path p) {
    if (block == 0 || directFailed) {
      return null;
    }
    try {
      return FileChannel.open(p, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      directFailed = true;
      LOG.log(System.Logger.Level.INFO, "the journal in " + dir + " is written through the page cache: its file "
          + "system does not take direct I/O (" + e + ")");
      return null;
    }
  }

  /**
   * A record's header (everything before the body), laid out as in the table above: keyed with
   * {@code key}, or an "LJRN" header when it is null (tests write journals from before keys).
   */
  private static ByteBuffer header(Key key, long seq, byte kind, long timestamp, byte[] ds, int bodyLen, int bodyCrc) {
    int magic = key != null ? MAGIC : LEGACY_MAGIC;
    ByteBuffer head = ByteBuffer.allocate(FIXED_HEADER + ds.length);
    head.putInt(magic).putInt(bodyLen).putLong(seq).put(kind).putLong(timestamp).putShort((short) ds.length).put(ds);
    head.putInt(headerCheck(magic, key, seq, head.array(), 0, ds, 0, ds.length)).putInt(bodyCrc).flip();
    return head;
  }

  /**
   * The bytes of one record as {@link #append} writes it with {@code key}, or as a journal from before
   * keys held it when {@code key} is null (or as a forger, who has no key, would write it).
   */
  static byte[] encode(Record r, Key key) {
    byte[] ds = r.datasetId().getBytes(StandardCharsets.UTF_8);
    CRC32C c = new CRC32C();
    c.update(r.body());
    ByteBuffer head = header(key, r.seq(), r.kind(), r.timestamp(), ds, r.body().length, (int) c.getValue());
    ByteBuffer all = ByteBuffer.allocate(head.remaining() + r.body().length);
    all.put(head).put(r.body());
    return all.array();
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
    if (currentDirect != null && !inFlightByChannel.containsKey(currentDirect)) {
      currentDirect.close(); // its writes are on the device; the sync thread's fsync of `current` covers the file
    }
    currentDirect = null; // one still being written to is closed by the sync thread (finishDirect)
    toSyncAndClose.add(current);
    openSegment(nextSeq);
    work.signal();
  }

  /** Group fsyncs completed so far (each covers every record written before it started). */
  long syncCount() {
    lock.lock();
    try {
      return syncs;
    } finally {
      lock.unlock();
    }
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
      List<Path[]> toRename;
      boolean dirSync;
      lock.lock();
      try {
        while (lastWritten == durable && toSyncAndClose.isEmpty() && renames.isEmpty() && !closed) {
          work.awaitUninterruptibly();
        }
        if (closed && lastWritten == durable && toSyncAndClose.isEmpty() && renames.isEmpty()) {
          return;
        }
        target = lastWritten;
        ch = current;
        olds = new ArrayList<>(toSyncAndClose);
        toSyncAndClose.clear();
        toRename = new ArrayList<>(renames);
        renames.clear();
        dirSync = newSegment;
        newSegment = false;
      } finally {
        lock.unlock();
      }
      try {
        for (Path[] r : toRename) {
          Files.move(r[0], r[1], java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        for (FileChannel old : olds) {
          // not cut to its records' length: that is a metadata change, and its file system commit
          // would make this group commit wait; reading stops at the older records anyway
          old.force(false);
          old.close();
        }
        ch.force(false);
        if (dirSync) {
          DurableFiles.fsyncDirectory(dir);
        }
        boolean wantSpare;
        lock.lock();
        try {
          durable = Math.max(durable, target);
          syncs++;
          synced.signalAll();
          wantSpare = ready == null && !spares.isEmpty();
        } finally {
          lock.unlock();
        }
        if (wantSpare) {
          prepareSpare();
        }
      } catch (IOException e) {
        LOG.log(System.Logger.Level.ERROR, "journal fsync in " + dir + " failed: " + e
            + "; the server stops accepting requests (disk full or failing?)");
        lock.lock();
        try {
          failure = e;
          failed = true;
          synced.signalAll();
        } finally {
          lock.unlock();
        }
        return;
      }
    }
  }

  /** Opens a spare for the next roll, if there is one and none is open yet (sync thread, outside the lock). */
  private void prepareSpare() {
    Path spare;
    lock.lock();
    try {
      if (ready != null || closed || spares.isEmpty()) {
        return;
      }
      // left in the list while it is opened: spareCount sees it, and deleteThrough may still take it
      spare = spares.peek();
    } finally {
      lock.unlock();
    }
    FileChannel ch;
    FileChannel direct;
    try {
      ch = FileChannel.open(spare, StandardOpenOption.WRITE);
      direct = openDirect(spare);
    } catch (IOException e) {
      lock.lock();
      try {
        spares.remove(spare);
      } finally {
        lock.unlock();
      }
      LOG.log(System.Logger.Level.WARNING, "could not open journal spare " + spare + " (" + e
          + "); the next segment is a new file");
      return;
    }
    lock.lock();
    try {
      if (!closed && spares.remove(spare)) { // else deleteThrough took it meanwhile (and deletes it)
        ready = new Ready(spare, ch, direct);
        return;
      }
    } finally {
      lock.unlock();
    }
    try {
      ch.close();
      if (direct != null) {
        direct.close();
      }
    } catch (IOException e) {
      // closing a file nothing was written to; the spare is deleted at the next start
    }
  }

  /**
   * Retires every segment whose records all have sequence numbers at most {@code seq}: each becomes
   * a spare for the next new segments (see the class comment); one spare the segments have not
   * taken since the last call is deleted, if there is one.
   */
  void deleteThrough(long seq) throws IOException {
    long currentFirst;
    Path surplus;
    lock.lock();
    try {
      currentFirst = currentFirstSeq;
      surplus = spares.poll(); // the oldest spare, untaken since the last call (null: none)
    } finally {
      lock.unlock();
    }
    List<Path> recycled = new ArrayList<>();
    try {
      List<Path> segs = segments(dir);
      for (int i = 0; i + 1 < segs.size(); i++) {
        long nextFirst = firstSeqOf(segs.get(i + 1));
        if (firstSeqOf(segs.get(i)) >= currentFirst) {
          break;
        }
        if (nextFirst - 1 <= seq) {
          Path seg = segs.get(i);
          long size = Files.size(seg);
          Path spare;
          lock.lock();
          try {
            spare = dir.resolve(String.format("spare-%020d.log", nextSpare++));
          } finally {
            lock.unlock();
          }
          // a rename lost in a crash brings the segment back: its records are all in the checkpoint,
          // so replay skips them
          Files.move(seg, spare, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          totalBytes.addAndGet(-size);
          recycled.add(spare);
        }
      }
    } finally {
      lock.lock();
      try {
        spares.addAll(recycled);
      } finally {
        lock.unlock();
      }
      if (surplus != null) {
        Files.deleteIfExists(surplus);
      }
    }
  }

  /** Spare segment files waiting to be reused (one of them perhaps opened ahead for the next roll). */
  int spareCount() {
    lock.lock();
    try {
      return spares.size() + (ready != null ? 1 : 0);
    } finally {
      lock.unlock();
    }
  }

  Path dirPath() {
    return dir;
  }

  /** Bytes in all segment files. */
  long bytes() {
    return totalBytes.get();
  }

  /**
   * True once a write or an fsync failed. A volatile read, not the lock: every request asks, and the
   * lock is held while a record's bytes are written.
   */
  boolean failed() {
    return failed;
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
      if (ready != null) {
        ready.channel().close(); // an unused spare: deleted at the next start
        if (ready.direct() != null) {
          ready.direct().close();
        }
        ready = null;
      }
      if (currentDirect != null) {
        currentDirect.close();
        currentDirect = null;
      }
      if (current != null) {
        current.truncate(currentSize); // a recycled file's older records after ours go
        current.force(false);
        current.close();
      }
    } finally {
      lock.unlock();
    }
  }
}
