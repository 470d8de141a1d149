package dev.loupe.server;

import dev.loupe.core.ProfileView;
import dev.loupe.core.logging.internal.DurableFiles;
import dev.loupe.core.logging.WindowInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The logger's whole state at one journal position, written atomically (fsynced temporary file,
 * rename): the journal sequence number it covers, the clock it was taken at, the window settings,
 * every open window's view, every window handed out but not yet confirmed by its destination
 * (the outbox), the next part number of recently written windows, and the positions of sources
 * that keep their own log (Kafka: topic/partition -> next offset; their rows are not journaled).
 *
 * <pre>
 * "LOUPECK1"                               8-byte magic
 * int    version (2; 1 had no positions)
 * long   seq, clockMillis, windowMillis, latenessMillis
 * int    n open windows;    each: window, view
 * int    n pending writes;  each: window, view
 * int    n outbox entries;  each: window, view
 * int    n part counters;   each: UTF datasetId, long start, int nextPart
 * int    n source positions; each: UTF source, long position      (version 2)
 * int    CRC32C of everything before it
 * window = UTF datasetId, long start, long end, int part, int nTags, (UTF key, UTF value)*
 * view   = int length, whylogs v1 profile bytes
 * </pre>
 */
final class Checkpoint {
  private static final byte[] MAGIC = "LOUPECK1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  record Entry(WindowInfo window, ProfileView view) {}

  record PartKey(String datasetId, long start) {}

  final long seq;
  final long clockMillis;
  final long windowMillis;
  final long latenessMillis;
  final List<Entry> open;
  final List<Entry> pending;
  final List<Entry> outbox;
  final Map<PartKey, Integer> nextParts;
  /** Sources with their own log (Kafka): where to read on from, exactly after the rows this checkpoint holds. */
  final Map<String, Long> positions;

  Checkpoint(long seq, long clockMillis, long windowMillis, long latenessMillis, List<Entry> open,
      List<Entry> pending, List<Entry> outbox, Map<PartKey, Integer> nextParts) {
    this(seq, clockMillis, windowMillis, latenessMillis, open, pending, outbox, nextParts, Map.of());
  }

  Checkpoint(long seq, long clockMillis, long windowMillis, long latenessMillis, List<Entry> open,
      List<Entry> pending, List<Entry> outbox, Map<PartKey, Integer> nextParts, Map<String, Long> positions) {
    this.seq = seq;
    this.clockMillis = clockMillis;
    this.windowMillis = windowMillis;
    this.latenessMillis = latenessMillis;
    this.open = List.copyOf(open);
    this.pending = List.copyOf(pending);
    this.outbox = List.copyOf(outbox);
    this.nextParts = Map.copyOf(nextParts);
    this.positions = Map.copyOf(positions);
  }

  byte[] toBytes() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeInt(2);
    out.writeLong(seq);
    out.writeLong(clockMillis);
    out.writeLong(windowMillis);
    out.writeLong(latenessMillis);
    for (List<Entry> list : List.of(open, pending, outbox)) {
      out.writeInt(list.size());
      for (Entry e : list) {
        writeWindow(out, e.window());
        byte[] v = e.view().toBytes();
        out.writeInt(v.length);
        out.write(v);
      }
    }
    out.writeInt(nextParts.size());
    List<Map.Entry<PartKey, Integer>> parts = new ArrayList<>(nextParts.entrySet());
    parts.sort(Comparator.comparing((Map.Entry<PartKey, Integer> e) -> e.getKey().datasetId())
        .thenComparingLong(e -> e.getKey().start()));
    for (Map.Entry<PartKey, Integer> e : parts) {
      out.writeUTF(e.getKey().datasetId());
      out.writeLong(e.getKey().start());
      out.writeInt(e.getValue());
    }
    out.writeInt(positions.size());
    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(positions).entrySet()) {
      out.writeUTF(e.getKey());
      out.writeLong(e.getValue());
    }
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  /**
   * Writes a checkpoint's bytes ({@link #toBytes}) atomically, keeping the one it replaces as {@code checkpoint.prev.bin}.
   * The server keeps the journal back to the previous checkpoint, so a damaged checkpoint costs
   * nothing: start-up falls back to the previous one and replays more ({@link #readOrPrevious}).
   */
  static void write(Path file, byte[] bytes) throws IOException {
    if (Files.exists(file)) {
      Files.move(file, previous(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    DurableFiles.writeAtomically(file, bytes);
  }

  static Path previous(Path file) {
    return file.resolveSibling(file.getFileName().toString().replace(".bin", "") + ".prev.bin");
  }

  /**
   * The newest intact checkpoint: {@code file}, or, when it is missing or damaged, the previous one
   * beside it (the journal reaches back to it). A damaged file is kept, renamed with a
   * {@code .damaged-<millis>} suffix, for inspection. Null when there is none at all.
   */
  static Checkpoint readOrPrevious(Path file) throws IOException {
    Path prev = previous(file);
    IOException damage;
    try {
      Checkpoint ck = read(file);
      if (ck != null || !Files.exists(prev)) {
        return ck;
      }
      damage = null; // missing (a crash between the two renames of write): the previous one is current
    } catch (IOException e) {
      damage = e;
    }
    Checkpoint fallback;
    try {
      fallback = read(prev);
    } catch (IOException e) {
      if (damage == null) {
        throw e;
      }
      damage.addSuppressed(e);
      fallback = null;
    }
    if (fallback == null) {
      throw new IOException(damage.getMessage() + "; the previous checkpoint " + prev + " is missing or damaged too, "
          + "so the rows of the windows it held cannot be rebuilt from the journal alone. Nothing has been "
          + "changed: copy the whole data directory aside (a step that loses nothing) and report it; starting "
          + "without the checkpoint would lose those rows", damage);
    }
    if (damage != null) {
      Path kept = file.resolveSibling(file.getFileName() + ".damaged-" + System.currentTimeMillis());
      Files.move(file, kept);
      System.getLogger(Checkpoint.class.getName()).log(System.Logger.Level.ERROR, damage.getMessage()
          + "; started from the previous checkpoint " + prev + " and the journal after it instead, which loses "
          + "nothing; the damaged file was kept as " + kept);
    }
    return fallback;
  }

  /** The checkpoint in {@code file}, or null if there is none; a damaged one is an error naming the file. */
  static Checkpoint read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    byte[] all = Files.readAllBytes(file);
    String what = file + ": not a Loupe server checkpoint or damaged";
    if (all.length < MAGIC.length + 4 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
      throw new IOException(what + " (bad magic)");
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 4);
    int stored = ((all[all.length - 4] & 0xff) << 24) | ((all[all.length - 3] & 0xff) << 16)
        | ((all[all.length - 2] & 0xff) << 8) | (all[all.length - 1] & 0xff);
    if ((int) crc.getValue() != stored) {
      throw new IOException(what + " (checksum mismatch); it was written atomically, so the disk is suspect");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, MAGIC.length, all.length - 4))) {
      int version = in.readInt();
      if (version != 1 && version != 2) {
        throw new IOException(file + ": checkpoint version " + version + " is newer than this server reads (2)");
      }
      long seq = in.readLong();
      long clock = in.readLong();
      long window = in.readLong();
      long lateness = in.readLong();
      List<List<Entry>> lists = new ArrayList<>();
      for (int l = 0; l < 3; l++) {
        int n = in.readInt();
        List<Entry> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          WindowInfo w = readWindow(in);
          byte[] v = new byte[in.readInt()];
          in.readFully(v);
          list.add(new Entry(w, ProfileView.read(v, file + " (window " + w.datasetId() + " " + w.start() + ")")));
        }
        lists.add(list);
      }
      int n = in.readInt();
      Map<PartKey, Integer> parts = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        parts.put(new PartKey(in.readUTF(), in.readLong()), in.readInt());
      }
      Map<String, Long> positions = new LinkedHashMap<>();
      int np = version >= 2 ? in.readInt() : 0;
      for (int i = 0; i < np; i++) {
        positions.put(in.readUTF(), in.readLong());
      }
      return new Checkpoint(seq, clock, window, lateness, lists.get(0), lists.get(1), lists.get(2), parts, positions);
    }
  }

  private static void writeWindow(DataOutputStream out, WindowInfo w) throws IOException {
    out.writeUTF(w.datasetId());
    out.writeLong(w.start().toEpochMilli());
    out.writeLong(w.end().toEpochMilli());
    out.writeInt(w.part());
    out.writeInt(w.tags().size());
    for (Map.Entry<String, String> t : w.tags().entrySet()) {
      out.writeUTF(t.getKey());
      out.writeUTF(t.getValue());
    }
  }

  private static WindowInfo readWindow(DataInputStream in) throws IOException {
    String ds = in.readUTF();
    long start = in.readLong();
    long end = in.readLong();
    int part = in.readInt();
    int nTags = in.readInt();
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < nTags; i++) {
      tags.put(in.readUTF(), in.readUTF());
    }
    return new WindowInfo(ds, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), part, tags);
  }
}
