package dev.loupe.s3;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.logging.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Profiles waiting for upload, one file per window, written atomically (fsynced temporary file,
 * then rename) before any upload is attempted and deleted only after the store confirms.
 *
 * <pre>
 * offset  size  field
 *  0       4    magic "LSP1"
 *  4       4    header length H (int32, big-endian)
 *  8       H    header, UTF-8 JSON: {"bucket": "...", "key": "...", "metadata": {...}}
 *  8+H     ...  the profile, whylogs v1 bytes
 * </pre>
 *
 * File names start with the enqueue time, so a directory listing is oldest first.
 */
final class Spool {
  private static final System.Logger LOG = System.getLogger(Spool.class.getName());
  private static final byte[] MAGIC = "LSP1".getBytes(StandardCharsets.US_ASCII);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String SUFFIX = ".spool";

  record Entry(Path file, String bucket, String key, Map<String, String> metadata, long size) {}

  private final Path dir;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong();

  Spool(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  Path directory() {
    return dir;
  }

  long bytes() {
    return bytes.get();
  }

  /** Entries left by an earlier run, oldest first; stale temporary files are removed. */
  List<Entry> scan() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") && name.contains(".tmp-")) {
          Files.deleteIfExists(p); // a write that never completed: its window was never acknowledged
        } else if (name.endsWith(SUFFIX)) {
          files.add(p);
        }
      }
    }
    files.sort(null);
    List<Entry> out = new ArrayList<>();
    for (Path p : files) {
      try {
        Entry e = readHeader(p);
        out.add(e);
        bytes.addAndGet(e.size());
      } catch (IOException | RuntimeException e) {
        Path corrupt = dir.resolve("corrupt");
        Files.createDirectories(corrupt);
        Files.move(p, corrupt.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        LOG.log(System.Logger.Level.ERROR, "spool file " + p + " is unreadable (" + e + "); moved to " + corrupt
            + " for inspection, not uploaded");
      }
    }
    return out;
  }

  Entry put(String bucket, String key, Map<String, String> metadata, byte[] profile) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("bucket", bucket);
    header.put("key", key);
    header.put("metadata", metadata);
    byte[] h = JSON.writeValueAsBytes(header);
    ByteBuffer buf = ByteBuffer.allocate(8 + h.length + profile.length);
    buf.put(MAGIC).putInt(h.length).put(h).put(profile);
    String name = String.format("%013d-%06d-%s%s", System.currentTimeMillis(), sequence.incrementAndGet() % 1_000_000,
        shortHash(bucket + "/" + key), SUFFIX);
    Path file = dir.resolve(name);
    DurableFiles.writeAtomically(file, buf.array());
    bytes.addAndGet(buf.capacity());
    return new Entry(file, bucket, key, Map.copyOf(metadata), buf.capacity());
  }

  /** The profile bytes of an entry. */
  byte[] profile(Entry e) throws IOException {
    byte[] all = Files.readAllBytes(e.file());
    int h = ByteBuffer.wrap(all, 4, 4).getInt();
    byte[] out = new byte[all.length - 8 - h];
    System.arraycopy(all, 8 + h, out, 0, out.length);
    return out;
  }

  void delete(Entry e) throws IOException {
    if (Files.deleteIfExists(e.file())) {
      bytes.addAndGet(-e.size());
    }
  }

  private static Entry readHeader(Path p) throws IOException {
    byte[] all = Files.readAllBytes(p);
    if (all.length < 8 || !java.util.Arrays.equals(all, 0, 4, MAGIC, 0, 4)) {
      throw new IOException("not a Loupe spool file (bad magic)");
    }
    int h = ByteBuffer.wrap(all, 4, 4).getInt();
    if (h < 2 || h > all.length - 8) {
      throw new IOException("header length " + h + " does not fit in " + all.length + " bytes");
    }
    Map<String, Object> header = JSON.readValue(all, 8, h, new TypeReference<Map<String, Object>>() {});
    @SuppressWarnings("unchecked")
    Map<String, String> meta = (Map<String, String>) header.getOrDefault("metadata", Map.of());
    return new Entry(p, (String) header.get("bucket"), (String) header.get("key"), meta, all.length);
  }

  private static String shortHash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
