package dev.loupe.core.segments;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable segmented profile: the segment columns and one {@link ProfileView} per segment.
 * Views merge segment by segment ({@link #merge}), associatively and commutatively, with
 * {@link #empty(List)} as the identity; a segment present on one side only is kept as it is.
 *
 * <p>Files: {@link #writeDirectory(Path)} writes one whylogs segmented file per segment
 * ({@link SegmentFile}) with a deterministic name ({@link #fileName(Segment)});
 * {@link #readDirectory(Path)} reads every {@code .bin} file of a directory back, merging files of
 * the same segment.
 */
public final class SegmentedView {
  private final List<String> columns;
  private final Map<Segment, ProfileView> segments; // sorted

  private SegmentedView(List<String> columns, Map<Segment, ProfileView> segments) {
    this.columns = List.copyOf(columns);
    if (this.columns.isEmpty()) {
      throw new IllegalArgumentException("a segmented view needs at least one segment column");
    }
    for (Segment s : segments.keySet()) {
      if (!s.columns().equals(this.columns)) {
        throw new IllegalArgumentException("segment " + s + " is not keyed on the view's columns " + this.columns);
      }
    }
    this.segments = Collections.unmodifiableMap(new TreeMap<>(segments));
  }

  public static SegmentedView of(List<String> columns, Map<Segment, ProfileView> segments) {
    return new SegmentedView(columns, segments);
  }

  /** No segments: the identity of merge for views on {@code columns}. */
  public static SegmentedView empty(List<String> columns) {
    return new SegmentedView(columns, Map.of());
  }

  public List<String> columns() {
    return columns;
  }

  /** Profiles by segment, sorted by segment values. */
  public Map<Segment, ProfileView> segments() {
    return segments;
  }

  public Optional<ProfileView> segment(Segment key) {
    return Optional.ofNullable(segments.get(key));
  }

  /** The profile of all segments together: what an unsegmented profile of the same data would hold. */
  public ProfileView total() {
    ProfileView out = ProfileView.empty();
    for (ProfileView v : segments.values()) {
      out = out.merge(v);
    }
    return out;
  }

  /** Merges segment by segment; both views must be segmented on the same columns. */
  public SegmentedView merge(SegmentedView other) {
    if (!columns.equals(other.columns)) {
      throw new IllegalArgumentException("cannot merge views segmented on different columns: " + columns + " and "
          + other.columns);
    }
    if (other.segments.isEmpty()) {
      return this;
    }
    if (segments.isEmpty()) {
      return other;
    }
    Map<Segment, ProfileView> out = new TreeMap<>(segments);
    other.segments.forEach((k, v) -> out.merge(k, v, ProfileView::merge));
    return new SegmentedView(columns, out);
  }

  /**
   * The file name of a segment: {@code segment-<column>=<value>[,<column>=<value>...]-<hash>.bin},
   * where characters other than ASCII letters, digits, {@code . _ -} are percent-encoded (UTF-8)
   * and {@code <hash>} is the first 8 hex digits of the SHA-256 of the exact key, so names differ even
   * on case-insensitive file systems. Keys too long for a file name keep only the hash.
   */
  public static String fileName(Segment segment) {
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < segment.columns().size(); i++) {
      if (i > 0) {
        key.append(',');
      }
      key.append(encode(segment.columns().get(i))).append('=').append(encode(segment.values().get(i)));
    }
    String hash = hash(segment);
    if (key.length() > 160) {
      return "segment-" + hash + ".bin";
    }
    return "segment-" + key + "-" + hash.substring(0, 8) + ".bin";
  }

  private static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }

  private static String hash(Segment s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < s.columns().size(); i++) {
        md.update(s.columns().get(i).getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(s.values().get(i).getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * Writes one segmented file per segment into {@code dir} (created if needed), each first to a
   * temporary file and then renamed into place. Returns the files written, in segment order.
   */
  public List<Path> writeDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    for (Map.Entry<Segment, ProfileView> e : segments.entrySet()) {
      Path target = dir.resolve(fileName(e.getKey()));
      Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
      Files.write(tmp, SegmentFile.toBytes(e.getKey(), e.getValue()));
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException ex) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      written.add(target);
    }
    return written;
  }

  /**
   * Reads every {@code *.bin} file of {@code dir} as a segmented profile file. All must be segmented
   * on the same columns; files of the same segment are merged. A directory without {@code .bin}
   * files, an unsegmented file or a file segmented on other columns gives a
   * {@link ProfileFormatException} naming the file.
   */
  public static SegmentedView readDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": not a directory; expected a directory of segmented profile files");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.bin")) {
      ds.forEach(files::add);
    }
    Collections.sort(files);
    if (files.isEmpty()) {
      throw new ProfileFormatException(dir + ": no .bin files; expected one segmented profile file per segment");
    }
    List<String> columns = null;
    Path first = null;
    Map<Segment, ProfileView> out = new TreeMap<>();
    for (Path f : files) {
      SegmentFile.Contents c = SegmentFile.read(f);
      if (columns == null) {
        columns = c.segment().columns();
        first = f;
      } else if (!columns.equals(c.segment().columns())) {
        throw new ProfileFormatException(f + ": segmented on " + c.segment().columns() + " but " + first
            + " is segmented on " + columns + "; a directory holds one segmentation");
      }
      out.merge(c.segment(), c.view(), ProfileView::merge);
    }
    return new SegmentedView(columns, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SegmentedView v && columns.equals(v.columns) && segments.equals(v.segments);
  }

  @Override
  public int hashCode() {
    return columns.hashCode() * 31 + segments.hashCode();
  }

  @Override
  public String toString() {
    return "SegmentedView[on " + columns + ", " + segments.size() + " segments: " + segments.keySet() + "]";
  }
}
