package dev.loupe.core;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.loupe.proto.v1.ChunkHeader;
import dev.loupe.proto.v1.ChunkMessage;
import dev.loupe.proto.v1.ChunkOffsets;
import dev.loupe.proto.v1.DatasetProfileHeader;
import dev.loupe.proto.v1.DatasetProperties;
import dev.loupe.proto.v1.DatasetSegmentHeader;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The whylogs v1 profile file. Layout (all messages varint-length-delimited):
 *
 * <pre>
 * "WHY1"                      4 ASCII bytes
 * DatasetSegmentHeader        empty (the single byte 0x00) for an unsegmented profile
 * DatasetProfileHeader        properties; indexed_metric_paths: every column's component paths,
 *                             sorted, numbered from 0 (one index for the file); column_offsets:
 *                             per column, the offset of its chunk from the first byte after this
 *                             header; length: bytes in the chunk area
 * chunk area                  per column, in column-name order: ChunkHeader{COLUMN, length L}
 *                             then L bytes of ChunkMessage (path index -> component)
 * </pre>
 *
 * A v0 file (no magic: one delimited v0 DatasetProfileMessage) is handed to {@link ProfileFileV0}.
 */
final class ProfileFile {
  static final byte[] MAGIC = "WHY1".getBytes(StandardCharsets.US_ASCII);
  /** No real profile comes near this; larger input is refused before it is parsed. */
  static final int MAX_FILE_BYTES = 1 << 30;

  private ProfileFile() {}

  static byte[] write(ProfileView view) {
    try {
      TreeSet<String> paths = new TreeSet<>();
      Map<String, Map<String, MetricComponentMessage>> byColumn = new TreeMap<>();
      view.columns().forEach((name, col) -> {
        Map<String, MetricComponentMessage> comps = col.toComponents();
        byColumn.put(name, comps);
        paths.addAll(comps.keySet());
      });
      Map<String, Integer> index = new HashMap<>();
      DatasetProfileHeader.Builder header = DatasetProfileHeader.newBuilder();
      int i = 0;
      for (String p : paths) {
        index.put(p, i);
        header.putIndexedMetricPaths(i, p);
        i++;
      }

      ByteArrayOutputStream chunks = new ByteArrayOutputStream();
      for (Map.Entry<String, Map<String, MetricComponentMessage>> col : byColumn.entrySet()) {
        ChunkMessage.Builder chunk = ChunkMessage.newBuilder();
        col.getValue().forEach((path, c) -> chunk.putMetricComponents(index.get(path), c));
        byte[] body = chunk.build().toByteArray();
        header.putColumnOffsets(col.getKey(), ChunkOffsets.newBuilder().addOffsets(chunks.size()).build());
        ChunkHeader.newBuilder().setType(ChunkHeader.ChunkType.COLUMN).setLength(body.length).build()
            .writeDelimitedTo(chunks);
        chunks.write(body);
      }

      ProfileProperties p = view.properties();
      // an unset timestamp is written as 0 and read back as unset
      DatasetProperties.Builder props = DatasetProperties.newBuilder()
          .setSchemaMajorVersion(1)
          .setSchemaMinorVersion(1)
          .setCreationTimestamp(p.creationTimestamp().map(Instant::toEpochMilli).orElse(0L))
          .setDatasetTimestamp(p.datasetTimestamp().map(Instant::toEpochMilli).orElse(0L))
          .putAllTags(p.tags())
          .putAllMetadata(p.metadata());
      header.setProperties(props).setLength(chunks.size());

      ByteArrayOutputStream out = new ByteArrayOutputStream(chunks.size() + 256);
      out.write(MAGIC);
      // unsegmented: the single byte 0x00; a segment's view (segp_* metadata, whylogs.tag.* tags): its segment
      dev.loupe.core.internal.SegmentHeaders.of(p).writeDelimitedTo(out);
      header.build().writeDelimitedTo(out);
      chunks.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
  }


  static ProfileView read(byte[] bytes, String source) throws ProfileFormatException {
    if (bytes.length == 0) {
      throw new ProfileFormatException(source + ": empty file; expected a whylogs profile (starts with 'WHY1')");
    }
    if (!startsWithMagic(bytes)) {
      if (ProfileFileV0.looksLikeV0(bytes)) {
        return ProfileFileV0.read(bytes, source);
      }
      throw new ProfileFormatException(source + ": not a whylogs profile: expected the magic bytes 'WHY1' "
          + "(or a whylogs v0 message) but found " + describeStart(bytes));
    }
    Cursor in = new Cursor(bytes, MAGIC.length, source);
    DatasetSegmentHeader segments = in.delimited(DatasetSegmentHeader.parser(), "segment header");
    DatasetProfileHeader header = in.delimited(DatasetProfileHeader.parser(), "profile header");
    int chunkStart = in.position();
    long declared = header.getLength();
    if (declared > bytes.length - chunkStart) {
      throw new ProfileFormatException(source + ": profile header declares " + declared + " bytes of columns at byte "
          + chunkStart + " but only " + (bytes.length - chunkStart) + " follow; the file is truncated");
    }
    int chunkEnd = (int) (chunkStart + declared);
    Map<Integer, String> paths = header.getIndexedMetricPathsMap();

    Map<String, ColumnView> columns = new TreeMap<>();
    for (Map.Entry<String, ChunkOffsets> e : new TreeMap<>(header.getColumnOffsetsMap()).entrySet()) {
      String column = e.getKey();
      String where = source + ", column '" + column + "'";
      Map<String, MetricComponentMessage> comps = new TreeMap<>();
      for (long offset : e.getValue().getOffsetsList()) {
        if (offset < 0 || offset >= declared) {
          throw new ProfileFormatException(where + ": chunk offset " + offset + " is outside the " + declared
              + "-byte chunk area; the file is corrupt");
        }
        Cursor c = new Cursor(bytes, (int) (chunkStart + offset), source, chunkEnd);
        ChunkHeader ch = c.delimited(ChunkHeader.parser(), "chunk header of column '" + column + "'");
        if (ch.getType() != ChunkHeader.ChunkType.COLUMN) {
          throw new ProfileFormatException(where + ": chunk at byte " + (chunkStart + offset) + " has type "
              + ch.getType() + ", expected COLUMN; the file is corrupt");
        }
        ChunkMessage chunk = c.fixed(ChunkMessage.parser(), Integer.toUnsignedLong(ch.getLength()),
            "chunk of column '" + column + "'");
        for (Map.Entry<Integer, MetricComponentMessage> mc : chunk.getMetricComponentsMap().entrySet()) {
          String path = paths.get(mc.getKey());
          if (path == null) {
            throw new ProfileFormatException(where + ": metric index " + mc.getKey()
                + " is not in the header's path index (" + paths.size() + " paths); the file is corrupt");
          }
          comps.put(path, mc.getValue());
        }
      }
      columns.put(column, ColumnView.fromComponents(comps, where));
    }
    return ProfileView.of(properties(header.getProperties(), segments), columns);
  }

  private static ProfileProperties properties(DatasetProperties p, DatasetSegmentHeader segments) {
    return ProfileProperties.of(
        p.getDatasetTimestamp() == 0 ? null : Instant.ofEpochMilli(p.getDatasetTimestamp()),
        p.getCreationTimestamp() == 0 ? null : Instant.ofEpochMilli(p.getCreationTimestamp()),
        p.getTagsMap(), p.getMetadataMap());
  }

  private static boolean startsWithMagic(byte[] b) {
    if (b.length < MAGIC.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (b[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  private static String describeStart(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, b.length); i++) {
      int c = b[i] & 0xff;
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
    }
    return "'" + sb + "'" + (b.length < 4 ? " (only " + b.length + " bytes)" : "");
  }

  /** Reads delimited and fixed-length messages from a byte range, with errors that give byte offsets. */
  private static final class Cursor {
    private final byte[] bytes;
    private final String source;
    private final int end;
    private int pos;

    Cursor(byte[] bytes, int pos, String source) {
      this(bytes, pos, source, bytes.length);
    }

    Cursor(byte[] bytes, int pos, String source, int end) {
      this.bytes = bytes;
      this.pos = pos;
      this.source = source;
      this.end = end;
    }

    int position() {
      return pos;
    }

    <T extends MessageLite> T delimited(Parser<T> parser, String what) throws ProfileFormatException {
      if (pos >= end) {
        throw new ProfileFormatException(source + ": the " + what + " at byte " + pos
            + " is missing: the file ends there; it is truncated");
      }
      int start = pos;
      int length;
      try {
        CodedInputStream cis = CodedInputStream.newInstance(bytes, pos, end - pos);
        length = cis.readRawVarint32();
        pos += cis.getTotalBytesRead();
      } catch (IOException e) {
        throw new ProfileFormatException(source + ": bad length prefix of the " + what + " at byte " + start
            + "; the file is corrupt or truncated", e);
      }
      if (length < 0) {
        throw new ProfileFormatException(source + ": negative length " + length + " for the " + what
            + " at byte " + start + "; the file is corrupt");
      }
      return fixed(parser, length, what);
    }

    <T extends MessageLite> T fixed(Parser<T> parser, long length, String what) throws ProfileFormatException {
      if (length < 0 || length > end - pos) {
        throw new ProfileFormatException(source + ": the " + what + " at byte " + pos + " declares " + length
            + " bytes but only " + (end - pos) + " remain; the file is truncated or corrupt");
      }
      try {
        T msg = parser.parseFrom(bytes, pos, (int) length);
        pos += (int) length;
        return msg;
      } catch (InvalidProtocolBufferException e) {
        throw new ProfileFormatException(source + ": the " + what + " at byte " + pos + " is not valid protobuf ("
            + e.getMessage() + "); the file is corrupt", e);
      }
    }
  }


}
