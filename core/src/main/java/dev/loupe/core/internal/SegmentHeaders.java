package dev.loupe.core.internal;

import com.google.protobuf.CodedOutputStream;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.segments.Segment;
import dev.loupe.core.segments.SegmentFile;
import dev.loupe.proto.v1.DatasetSegmentHeader;
import dev.loupe.proto.v1.SegmentTag;

/**
 * The segment header a whylogs v1 file starts with (generated protobuf type, so not API): empty for a profile
 * without a segment, else whylogs' {@code has_segments} header naming the segment's tags. The layout is described
 * in {@link SegmentFile}.
 */
public final class SegmentHeaders {
  private SegmentHeaders() {}

  /** The segment header a file of a profile with these properties starts with (empty for no segment). */
  public static DatasetSegmentHeader of(ProfileProperties p) {
    return SegmentFile.segmentOf(p).map(SegmentHeaders::header).orElse(DatasetSegmentHeader.getDefaultInstance());
  }

  static DatasetSegmentHeader header(Segment segment) {
    dev.loupe.proto.v1.Segment.Builder seg = dev.loupe.proto.v1.Segment.newBuilder();
    for (int i = 0; i < segment.columns().size(); i++) {
      seg.addTags(SegmentTag.newBuilder().setKey(SegmentFile.TAG_PREFIX + segment.columns().get(i))
          .setValue(segment.values().get(i)));
    }
    return DatasetSegmentHeader.newBuilder()
        .setHasSegments(true)
        .addSegments(seg)
        .putOffsets(0, firstSegmentOffset())
        .build();
  }

  /** The size of the delimited {@code {has_segments: true, offsets: {0: 0}}}: whylogs' value of offsets[0]. */
  static long firstSegmentOffset() {
    DatasetSegmentHeader h = DatasetSegmentHeader.newBuilder().setHasSegments(true).putOffsets(0, 0).build();
    int size = h.getSerializedSize();
    return CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }
}
