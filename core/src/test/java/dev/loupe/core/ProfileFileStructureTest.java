package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import dev.loupe.core.metrics.IntsMetric;
import dev.loupe.proto.v1.ChunkHeader;
import dev.loupe.proto.v1.ChunkMessage;
import dev.loupe.proto.v1.ChunkOffsets;
import dev.loupe.proto.v1.DatasetProfileHeader;
import dev.loupe.proto.v1.DatasetSegmentHeader;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.junit.jupiter.api.Test;

/**
 * Decodes written files with the generated protobuf classes and DataSketches directly, never
 * through ProfileFile, and checks the layout FORMAT.md describes byte by byte.
 */
class ProfileFileStructureTest {

  /** A file taken apart: the messages, where the chunk area starts, and each column's components by path. */
  record Decoded(byte[] bytes, DatasetSegmentHeader segments, DatasetProfileHeader header, int chunkStart,
      Map<String, Map<String, MetricComponentMessage>> columns) {}

  /** Decodes and checks every structural rule that holds for any unsegmented v1 file. */
  static Decoded decode(byte[] bytes) throws IOException {
    assertArrayEquals("WHY1".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 4), "magic");
    assertEquals(0x00, bytes[4], "the segment header of an unsegmented profile is the single byte 0x00");
    CodedInputStream in = CodedInputStream.newInstance(bytes, 4, bytes.length - 4);
    DatasetSegmentHeader seg = DatasetSegmentHeader.parseFrom(in.readBytes());
    assertEquals(DatasetSegmentHeader.getDefaultInstance(), seg);
    DatasetProfileHeader header = DatasetProfileHeader.parseFrom(in.readBytes());
    int chunkStart = 4 + in.getTotalBytesRead();
    assertEquals(bytes.length - chunkStart, header.getLength(), "header.length is the size of the chunk area");

    // indexed_metric_paths: 0..n-1, in lexicographic order of the paths
    Map<Integer, String> index = new TreeMap<>(header.getIndexedMetricPathsMap());
    List<String> paths = new ArrayList<>(index.values());
    for (int i = 0; i < index.size(); i++) {
      assertTrue(index.containsKey(i), "path indices are numbered from 0 without gaps: missing " + i);
    }
    List<String> sorted = new ArrayList<>(new TreeSet<>(paths));
    assertEquals(sorted, paths, "paths are numbered in lexicographic order, each once");

    // chunks: one per column, in column-name order, back to back, each a COLUMN chunk of the stated length
    Map<String, Map<String, MetricComponentMessage>> columns = new TreeMap<>();
    TreeSet<String> usedPaths = new TreeSet<>();
    long expectedOffset = 0;
    for (Map.Entry<String, ChunkOffsets> e : new TreeMap<>(header.getColumnOffsetsMap()).entrySet()) {
      assertEquals(1, e.getValue().getOffsetsCount(), e.getKey() + ": one chunk per column");
      long offset = e.getValue().getOffsets(0);
      assertEquals(expectedOffset, offset, e.getKey() + ": chunks follow each other in column-name order");
      CodedInputStream c = CodedInputStream.newInstance(bytes, chunkStart + (int) offset, bytes.length - chunkStart - (int) offset);
      ChunkHeader ch = ChunkHeader.parseFrom(c.readBytes());
      assertEquals(ChunkHeader.ChunkType.COLUMN, ch.getType(), e.getKey());
      int bodyStart = chunkStart + (int) offset + c.getTotalBytesRead();
      ChunkMessage chunk = ChunkMessage.parseFrom(Arrays.copyOfRange(bytes, bodyStart, bodyStart + ch.getLength()));
      Map<String, MetricComponentMessage> comps = new TreeMap<>();
      chunk.getMetricComponentsMap().forEach((i, m) -> {
        assertTrue(index.containsKey(i), e.getKey() + ": index " + i + " is not in the header");
        comps.put(index.get(i), m);
      });
      usedPaths.addAll(comps.keySet());
      columns.put(e.getKey(), comps);
      expectedOffset = bodyStart + ch.getLength() - chunkStart;
    }
    assertEquals(header.getLength(), expectedOffset, "the last chunk ends the file");
    assertEquals(new TreeSet<>(paths), usedPaths, "the index holds exactly the paths the columns use");
    return new Decoded(bytes, seg, header, chunkStart, columns);
  }

  static byte[] kll(Map<String, MetricComponentMessage> col) {
    return col.get("distribution/kll").getKll().getSketch().toByteArray();
  }

  /** whylogs layout back to DataSketches Java's: drop bytes 20..23, preamble 6 becomes 5. */
  static byte[] whylogsKllToJava(byte[] b) {
    byte[] out = new byte[b.length - 4];
    System.arraycopy(b, 0, out, 0, 20);
    System.arraycopy(b, 24, out, 20, b.length - 24);
    out[0] = 5;
    return out;
  }

  static ProfileView sampleView() {
    DatasetProfile p = new DatasetProfile(ProfileProperties.of(Instant.ofEpochMilli(1_700_000_000_123L),
        Instant.ofEpochMilli(1_700_000_000_456L), Map.of("env", "test"), Map.of("run", "7")));
    for (int i = 0; i < 3000; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("ints", (long) (i % 1500) - 700);
      row.put("doubles", i * 0.25);
      row.put("strings", "s" + (i % 37));
      row.put("single", i == 0 ? 42L : null);
      p.track(row);
    }
    return p.view();
  }

  @Test
  void writtenFileHasTheWhylogsV1Layout() throws IOException {
    ProfileView v = sampleView();
    Decoded d = decode(v.toBytes());
    assertEquals(v.columns().keySet(), d.columns().keySet());
    assertEquals(1_700_000_000_123L, d.header().getProperties().getDatasetTimestamp());
    assertEquals(1_700_000_000_456L, d.header().getProperties().getCreationTimestamp());
    assertEquals(Map.of("env", "test"), d.header().getProperties().getTagsMap());
    assertEquals(Map.of("run", "7"), d.header().getProperties().getMetadataMap());
    assertEquals(1, d.header().getProperties().getSchemaMajorVersion());
    // every column's components are exactly those the view writes
    v.columns().forEach((name, col) -> assertEquals(col.toComponents(), d.columns().get(name), name));
    Map<String, MetricComponentMessage> ints = d.columns().get("ints");
    assertEquals(3000, ints.get("counts/n").getN());
    assertEquals(3000, ints.get("types/integral").getN());
    assertEquals(0, ints.get("counts/n").getTypeId());
  }

  @Test
  void kllWithTwoOrMoreValuesUsesPreambleSixWithFourZeroBytesAtTwenty() throws IOException {
    ProfileView v = sampleView();
    Decoded d = decode(v.toBytes());
    for (String col : List.of("ints", "doubles")) {
      byte[] b = kll(d.columns().get(col));
      assertEquals(6, b[0], col + ": preamble ints");
      assertArrayEquals(new byte[4], Arrays.copyOfRange(b, 20, 24), col + ": bytes 20..23");
      KllDoublesSketch s = KllDoublesSketch.heapify(Memory.wrap(whylogsKllToJava(b)));
      var dist = v.column(col).orElseThrow().distribution().orElseThrow();
      assertEquals(3000, s.getN(), col);
      assertEquals(1024, s.getK(), col);
      assertEquals(dist.min().getAsDouble(), s.getMinItem(), col);
      assertEquals(dist.max().getAsDouble(), s.getMaxItem(), col);
      assertTrue(s.isEstimationMode(), col + ": 3000 values compact a k=1024 sketch");
      assertEquals(s.getSerializedSizeBytes(), b.length - 4, col + ": no trailing bytes");
    }
    assertEquals(-700.0, v.column("ints").orElseThrow().distribution().orElseThrow().min().getAsDouble());
  }

  @Test
  void kllWithOneValueOrNoneKeepsTheStandardLayout() throws IOException {
    Decoded d = decode(sampleView().toBytes());
    byte[] single = kll(d.columns().get("single"));
    assertEquals(2, single[0], "single-item sketch: preamble ints 2");
    KllDoublesSketch s = KllDoublesSketch.heapify(Memory.wrap(single));
    assertEquals(1, s.getN());
    assertEquals(42.0, s.getMinItem());
    byte[] empty = kll(d.columns().get("strings"));
    assertEquals(8, empty.length, "empty sketch: 8 bytes");
    assertEquals(2, empty[0], "empty sketch: preamble ints 2");
    assertTrue(KllDoublesSketch.heapify(Memory.wrap(empty)).isEmpty());
    MetricComponentMessage mean = d.columns().get("strings").get("distribution/mean");
    assertEquals(MetricComponentMessage.ValueCase.D, mean.getValueCase());
  }

  @Test
  void hllAndFrequentItemsAreStandardDataSketchesBytes() throws IOException {
    ProfileView v = sampleView();
    Decoded d = decode(v.toBytes());
    for (String col : List.of("ints", "doubles", "strings", "single")) {
      HllSketch h = HllSketch.heapify(Memory.wrap(d.columns().get(col).get("cardinality/hll").getHll().getSketch().toByteArray()));
      assertEquals(12, h.getLgConfigK(), col);
      assertEquals(TgtHllType.HLL_4, h.getTgtHllType(), col);
      assertEquals(v.column(col).orElseThrow().cardinality().orElseThrow().estimate(), h.getEstimate(), 1e-9, col);
    }
    ItemsSketch<String> fi = ItemsSketch.getInstance(Memory.wrap(
        d.columns().get("strings").get("frequent_items/frequent_strings").getFrequentItems().getSketch().toByteArray()),
        new ArrayOfStringsSerDe());
    assertEquals(3000, fi.getStreamLength());
    assertEquals(82, fi.getEstimate("s0")); // i % 37 == 0 for 82 of 0..2999
    assertEquals(768, fi.getMaximumMapCapacity(), "lgMaxMapSize 10: capacity 0.75 * 1024");
    ItemsSketch<String> ints = ItemsSketch.getInstance(Memory.wrap(
        d.columns().get("ints").get("frequent_items/frequent_strings").getFrequentItems().getSketch().toByteArray()),
        new ArrayOfStringsSerDe());
    assertEquals(3000, ints.getStreamLength());
    assertTrue(ints.getMaximumError() > 0, "1500 distinct integers overflow the 768-item map");
    assertTrue(ints.getLowerBound("-700") <= 2 && ints.getUpperBound("-700") >= 2, "integers are decimal strings");
  }

  @Test
  void intsUseTypeIdsOneAndTwoAndWhylogsEmptySentinels() throws IOException {
    Decoded d = decode(sampleView().toBytes());
    MetricComponentMessage max = d.columns().get("ints").get("ints/max");
    MetricComponentMessage min = d.columns().get("ints").get("ints/min");
    assertEquals(2, max.getTypeId());
    assertEquals(1, min.getTypeId());
    assertEquals(799, max.getN());
    assertEquals(-700, min.getN());

    ProfileView empty = ProfileView.of(ProfileProperties.EMPTY.withCreationTimestamp(Instant.ofEpochMilli(1)),
        Map.of("e", ColumnView.of(List.of(IntsMetric.EMPTY))));
    Map<String, MetricComponentMessage> e = decode(empty.toBytes()).columns().get("e");
    assertEquals(-Long.MAX_VALUE, e.get("ints/max").getN(), "empty max = -(2^63-1)");
    assertEquals(Long.MAX_VALUE, e.get("ints/min").getN(), "empty min = 2^63-1");
    assertEquals(2, e.get("ints/max").getTypeId());
    assertEquals(1, e.get("ints/min").getTypeId());
  }

  /** An Arrow integer column whose values are all null declares ints but holds none: written as the sentinels. */
  @Test
  void allNullArrowIntegerColumnWritesEmptyIntsSentinels() throws IOException {
    try (RootAllocator alloc = new RootAllocator(); BigIntVector v = new BigIntVector("n", alloc)) {
      v.allocateNew(3);
      for (int i = 0; i < 3; i++) {
        v.setNull(i);
      }
      v.setValueCount(3);
      try (VectorSchemaRoot root = VectorSchemaRoot.of(v)) {
        ProfileView view = new DatasetProfile().trackDataframe(root).view();
        Map<String, MetricComponentMessage> c = decode(view.toBytes()).columns().get("n");
        assertEquals(-Long.MAX_VALUE, c.get("ints/max").getN());
        assertEquals(Long.MAX_VALUE, c.get("ints/min").getN());
        assertEquals(3, c.get("counts/null").getN());
        assertEquals(8, kll(c).length);
      }
    }
  }

  @Test
  void emptyProfileIsMagicSegmentHeaderAndAnEmptyChunkArea() throws IOException {
    ProfileView v = ProfileView.of(ProfileProperties.EMPTY.withDatasetTimestamp(Instant.ofEpochMilli(9))
        .withCreationTimestamp(Instant.ofEpochMilli(9)), Map.of());
    Decoded d = decode(v.toBytes());
    assertTrue(d.columns().isEmpty());
    assertEquals(0, d.header().getLength());
    assertEquals(d.chunkStart(), d.bytes().length);
    assertTrue(d.header().getIndexedMetricPathsMap().isEmpty());
  }

  /** The structural decoder agrees with a file written by whylogs itself (so it checks the real format). */
  @Test
  void whylogsWrittenFilePassesTheSameStructuralChecks() throws IOException {
    Path p = WhylogsInteropTest.testdata("v1_ints_doubles.bin");
    byte[] bytes = Files.readAllBytes(p);
    Decoded d = decode(bytes);
    assertEquals(17, d.header().getIndexedMetricPathsCount());
    byte[] k = kll(d.columns().get("doubles"));
    assertEquals(6, k[0]);
    assertEquals(60, k.length);
    assertArrayEquals(new byte[4], Arrays.copyOfRange(k, 20, 24));
    KllDoublesSketch s = KllDoublesSketch.heapify(Memory.wrap(whylogsKllToJava(k)));
    assertEquals(2, s.getN());
    assertEquals(1.0, s.getMinItem());
    assertEquals(2.0, s.getMaxItem());
    // and Loupe writes the same paths for the same kind of column
    ProfileView loupe = ProfileView.read(bytes, "whylogs");
    Decoded rewritten = decode(loupe.toBytes());
    assertTrue(rewritten.columns().get("ints").keySet().containsAll(d.columns().get("ints").keySet()),
        "Loupe writes every path whylogs wrote (and counts/true, which newer whylogs writes too)");
    assertFalse(rewritten.columns().get("ints").isEmpty());
  }
}
