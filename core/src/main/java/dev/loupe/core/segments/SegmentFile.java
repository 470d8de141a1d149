package dev.loupe.core.segments;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.loupe.core.ProfileFormatException;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import dev.loupe.proto.v1.DatasetSegmentHeader;
import dev.loupe.proto.v1.SegmentTag;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One segment's profile as a whylogs v1 segmented file (one segment per file, as whylogs writes
 * them). The layout is the unsegmented one ({@code docs/file-format.md}) with a non-empty segment
 * header:
 *
 * <pre>
 * "WHY1"                    4 ASCII bytes
 * DatasetSegmentHeader      delimited: has_segments = true;
 *                           segments = [ {tags: [{key: "whylogs.tag.&lt;column&gt;", value}, ...]} ]
 *                                      (one tag per segment column, in column order);
 *                           offsets = {0: X}, X = the size of the delimited message
 *                                      {has_segments: true, offsets: {0: 0}}, which is 9: whylogs
 *                                      computes the first segment's offset that way, and readers
 *                                      do not use it
 * DatasetProfileHeader      as unsegmented, with properties.tags += the same whylogs.tag.* pairs and
 *                           properties.metadata += segp_id, segp_name and segp_col (one column) or
 *                           segp_cols ("(a)(b)", several); the profile's own metadata wins on a
 *                           clash, as in whylogs
 * chunk area                as unsegmented
 * </pre>
 *
 * Reading takes the segment from the segment header (the source of truth) and removes from the
 * view exactly what writing added (the whylogs.tag.* tags of the segment columns, and segp_*
 * metadata whose value is the one Loupe writes), so {@code read(write(s, v))} gives back
 * {@code (s, v)}.
 */
public final class SegmentFile {
  public static final String TAG_PREFIX = "whylogs.tag.";
  static final String PARTITION_ID = "segp_id";
  static final String PARTITION_NAME = "segp_name";
  static final String SEGMENT_ON_COLUMN = "segp_col";
  static final String SEGMENT_ON_COLUMNS = "segp_cols";
  private static final byte[] MAGIC = "WHY1".getBytes(StandardCharsets.US_ASCII);

  private SegmentFile() {}

  /** A segment and its profile, as read from one file. */
  public record Contents(Segment segment, ProfileView view) {}

  /** The file bytes of one segment's profile. */
  public static byte[] toBytes(Segment segment, ProfileView view) {
    return view.withProperties(withSegment(view.properties(), segment)).toBytes(); // the header says it is a segment
  }

  /**
   * The segment a profile's header declares, if any: the partition metadata Loupe and whylogs
   * write ({@code segp_col} or {@code segp_cols}) with a {@code whylogs.tag.<column>} tag for each
   * of its columns. A view that declares a segment is written as a whylogs segmented file (by
   * {@link ProfileView#toBytes()}, so by every writer), one that does not as a plain profile.
   */
  public static Optional<Segment> segmentOf(ProfileProperties p) {
    List<String> columns;
    String one = p.metadata().get(SEGMENT_ON_COLUMN);
    String many = p.metadata().get(SEGMENT_ON_COLUMNS);
    if (one != null) {
      columns = List.of(one);
    } else if (many != null && many.startsWith("(") && many.endsWith(")") && many.length() > 2) {
      columns = List.of(many.substring(1, many.length() - 1).split("\\)\\(", -1));
      if (!columnsForm(columns).equals(many)) {
        return Optional.empty();
      }
    } else {
      return Optional.empty();
    }
    List<String> values = new ArrayList<>();
    for (String c : columns) {
      String v = p.tags().get(TAG_PREFIX + c);
      if (v == null) {
        return Optional.empty();
      }
      values.add(v);
    }
    return Optional.of(Segment.of(columns, values));
  }

  public static void write(Path path, Segment segment, ProfileView view) throws IOException {
    Files.write(path, toBytes(segment, view));
  }

  /** The partition id Loupe writes for these segment columns: a name-based UUID, stable across runs. */
  public static String partitionId(List<String> columns) {
    return UUID.nameUUIDFromBytes(("loupe-segments:" + partitionName(columns)).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The partition name: the column for one column, {@code (a)(b)} for several (whylogs' segp_cols form). */
  static String partitionName(List<String> columns) {
    return columns.size() == 1 ? columns.get(0) : columnsForm(columns);
  }

  private static String columnsForm(List<String> columns) {
    StringBuilder sb = new StringBuilder();
    columns.forEach(c -> sb.append('(').append(c).append(')'));
    return sb.toString();
  }

  private static Map<String, String> segmentMetadata(List<String> columns) {
    Map<String, String> m = new TreeMap<>();
    m.put(PARTITION_ID, partitionId(columns));
    m.put(PARTITION_NAME, partitionName(columns));
    if (columns.size() == 1) {
      m.put(SEGMENT_ON_COLUMN, columns.get(0));
    } else {
      m.put(SEGMENT_ON_COLUMNS, columnsForm(columns));
    }
    return m;
  }

  /** {@code p} with the segment's tags ({@code whylogs.tag.<column>}) and partition metadata ({@code segp_*}). */
  public static ProfileProperties withSegment(ProfileProperties p, Segment segment) {
    Map<String, String> tags = new TreeMap<>(p.tags());
    segment.asMap().forEach((c, v) -> tags.put(TAG_PREFIX + c, v));
    Map<String, String> meta = segmentMetadata(segment.columns());
    meta.putAll(p.metadata());
    return ProfileProperties.of(p.datasetTimestamp().orElse(null), p.creationTimestamp().orElse(null), tags, meta);
  }

  static ProfileProperties withoutSegment(ProfileProperties p, Segment segment) {
    Map<String, String> tags = new TreeMap<>(p.tags());
    segment.asMap().forEach((c, v) -> tags.remove(TAG_PREFIX + c, v));
    Map<String, String> meta = new TreeMap<>(p.metadata());
    segmentMetadata(segment.columns()).forEach(meta::remove);
    return ProfileProperties.of(p.datasetTimestamp().orElse(null), p.creationTimestamp().orElse(null), tags, meta);
  }

  public static Contents read(Path path) throws IOException {
    return read(Files.readAllBytes(path), path.toString());
  }

  /**
   * Reads one segmented profile file. An unsegmented file, a file with no or several segments, or
   * segment tags not of the form {@code whylogs.tag.<column>} give a {@link ProfileFormatException}.
   */
  public static Contents read(byte[] bytes, String source) throws ProfileFormatException {
    ProfileView view = ProfileView.read(bytes, source); // checks the whole file, segment header included
    if (bytes.length < 5 || bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1] || bytes[2] != MAGIC[2] || bytes[3] != MAGIC[3]) {
      throw new ProfileFormatException(source + ": a whylogs v0 profile has no segments; expected a v1 segmented "
          + "profile file (read it with ProfileView.read)");
    }
    DatasetSegmentHeader h;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes, 4, bytes.length - 4);
      h = DatasetSegmentHeader.parseFrom(in.readBytes());
    } catch (InvalidProtocolBufferException e) {
      throw new ProfileFormatException(source + ": the segment header at byte 4 is not valid protobuf; the file is corrupt", e);
    } catch (IOException e) {
      throw new ProfileFormatException(source + ": the segment header at byte 4 cannot be read; the file is corrupt", e);
    }
    if (!h.getHasSegments()) {
      throw new ProfileFormatException(source + ": not a segmented profile (its segment header says has_segments = false); "
          + "read it with ProfileView.read");
    }
    if (h.getSegmentsCount() != 1) {
      throw new ProfileFormatException(source + ": the segment header holds " + h.getSegmentsCount()
          + " segments; Loupe reads files of exactly one segment, as whylogs writes them");
    }
    List<String> columns = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (SegmentTag t : h.getSegments(0).getTagsList()) {
      if (!t.getKey().startsWith(TAG_PREFIX) || t.getKey().length() == TAG_PREFIX.length()) {
        throw new ProfileFormatException(source + ": segment tag key '" + t.getKey() + "' is not of the form '"
            + TAG_PREFIX + "<column>'; only column-value segments can be read");
      }
      String column = t.getKey().substring(TAG_PREFIX.length());
      if (columns.contains(column)) {
        throw new ProfileFormatException(source + ": segment column '" + column + "' appears twice in the segment header");
      }
      columns.add(column);
      values.add(t.getValue());
    }
    if (columns.isEmpty()) {
      throw new ProfileFormatException(source + ": the segment header's segment has no tags; expected one '"
          + TAG_PREFIX + "<column>' tag per segment column");
    }
    Segment segment = Segment.of(columns, values);
    return new Contents(segment, view.withProperties(withoutSegment(view.properties(), segment)));
  }
}
