package dev.loupe.core;

import static dev.loupe.core.Generators.PROPERTIES;
import static dev.loupe.core.Generators.SHRINK_CYCLES;
import static dev.loupe.core.Generators.cases;
import static dev.loupe.core.Generators.tables;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import com.google.protobuf.CodedInputStream;
import dev.loupe.core.Generators.Table;
import dev.loupe.core.segments.Segment;
import dev.loupe.core.segments.SegmentFile;
import dev.loupe.core.segments.SegmentedProfile;
import dev.loupe.core.segments.SegmentedView;
import dev.loupe.core.segments.TooManySegmentsException;
import dev.loupe.proto.v1.DatasetProfileHeader;
import dev.loupe.proto.v1.DatasetSegmentHeader;
import dev.loupe.proto.v1.SegmentTag;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;

/**
 * Segmented profiles: routing rows and Arrow batches to segments, the segment cap, the merge laws
 * per segment, and the whylogs segmented file (structure decoded apart from the writer, round trip,
 * directories).
 */
class SegmentsTest {
  static final ProfileProperties PROPS = ProfileProperties.EMPTY
      .withDatasetTimestamp(Instant.parse("2024-05-01T00:00:00Z"))
      .withCreationTimestamp(Instant.parse("2024-05-01T01:00:00Z"));

  static QuickTheory theory() {
    return qt().withExamples(cases()).withShrinkCycles(SHRINK_CYCLES);
  }

  /** Key columns drawn from the generators' name pool: present in some tables, absent (all null) in others. */
  static final List<List<String>> KEYS = List.of(List.of("flag"), List.of("name"), List.of("flag", "empty"));

  record Input(Table table, ProfileProperties props) {
    SegmentedView view(List<String> keys) {
      SegmentedProfile p = SegmentedProfile.builder(keys).properties(props).maxSegments(100_000).build();
      table.rows().forEach(p::track);
      return p.view();
    }

    @Override
    public String toString() {
      return props + "\n" + table;
    }
  }

  static final Gen<Input> INPUTS = tables().zip(PROPERTIES, Input::new);
  static final Gen<List<String>> KEY_GEN = org.quicktheories.generators.Generate.pick(KEYS);

  static void assertSegmentedClose(SegmentedView a, SegmentedView b, String what) {
    assertEquals(a.columns(), b.columns(), what + ": segment columns");
    assertEquals(a.segments().keySet(), b.segments().keySet(), what + ": segments");
    a.segments().forEach((k, v) -> Approx.assertViewsClose(v, b.segments().get(k), what + ", segment " + k));
  }

  // ---- routing ----

  @Test
  void rowsGoToTheSegmentOfTheirKeyValuesAndTheTotalIsTheUnsegmentedProfile() {
    SegmentedProfile p = SegmentedProfile.builder("country").properties(PROPS).build();
    DatasetProfile whole = new DatasetProfile(PROPS);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("country", i % 3 == 0 ? "NZ" : i % 3 == 1 ? "AU" : null);
      row.put("amount", (double) i);
      rows.add(row);
    }
    rows.forEach(p::track);
    rows.forEach(whole::track);
    SegmentedView v = p.view();
    assertEquals(List.of(Segment.of("country", "(null)"), Segment.of("country", "AU"), Segment.of("country", "NZ")),
        new ArrayList<>(v.segments().keySet()));
    assertEquals(100, v.segment(Segment.of("country", "NZ")).orElseThrow().column("amount").orElseThrow().counts().n());
    assertEquals(0.0, v.segment(Segment.of("country", "NZ")).orElseThrow().column("amount").orElseThrow()
        .distribution().orElseThrow().min().getAsDouble());
    assertEquals(100, v.segment(Segment.of("country", "(null)")).orElseThrow().column("country").orElseThrow()
        .counts().nulls());
    Approx.assertViewsClose(whole.view(), v.total(), "total of segments vs unsegmented");
  }

  @Test
  void keyValuesAreWhylogsStrings() {
    SegmentedProfile p = SegmentedProfile.builder("k").nullKey("NULL").build();
    p.track(Map.of("k", 7L));
    p.track(Map.of("k", true));
    p.track(Map.of("k", 2.5));
    p.track(Map.of("other", 1));
    assertEquals(List.of("2.5", "7", "NULL", "True"),
        p.view().segments().keySet().stream().map(s -> s.value("k")).toList());
  }

  @Test
  void arrowBatchesAreGroupedPerSegmentAndMatchTheUnsegmentedProfile() {
    try (BufferAllocator alloc = new RootAllocator();
        VarCharVector country = new VarCharVector("country", alloc);
        VarCharVector device = new VarCharVector("device", alloc);
        Float8Vector amount = new Float8Vector("amount", alloc);
        BigIntVector id = new BigIntVector("id", alloc)) {
      int n = 5000;
      country.allocateNew();
      device.allocateNew();
      amount.allocateNew(n);
      id.allocateNew(n);
      String[] cs = {"NZ", "AU", "FR", "\u540d"};
      for (int i = 0; i < n; i++) {
        if (i % 17 == 0) {
          country.setNull(i);
        } else {
          country.setSafe(i, cs[i % cs.length].getBytes(StandardCharsets.UTF_8));
        }
        device.setSafe(i, (i % 2 == 0 ? "mobile" : "desktop").getBytes(StandardCharsets.UTF_8));
        if (i % 11 == 0) {
          amount.setNull(i);
        } else {
          amount.set(i, i * 0.5);
        }
        id.set(i, i);
      }
      country.setValueCount(n);
      device.setValueCount(n);
      amount.setValueCount(n);
      id.setValueCount(n);
      try (VectorSchemaRoot batch = new VectorSchemaRoot(List.of(country, device, amount, id))) {
        batch.setRowCount(n);
        SegmentedProfile seg = SegmentedProfile.builder("country", "device").properties(PROPS).build();
        seg.trackDataframe(batch);
        seg.trackDataframe(batch); // a second batch lands in the same segments
        DatasetProfile whole = new DatasetProfile(PROPS);
        whole.trackDataframe(batch);
        whole.trackDataframe(batch);
        SegmentedView v = seg.view();
        assertEquals(6, v.segments().size(), v.toString()); // i % 4 picks the country, so each country meets one device; nulls meet both
        Approx.assertViewsClose(whole.view(), v.total(), "Arrow: total of segments vs unsegmented");
        ProfileView nzMobile = v.segment(Segment.of(List.of("country", "device"), List.of("NZ", "mobile"))).orElseThrow();
        long expected = 0;
        for (int i = 0; i < n; i++) {
          if (i % 17 != 0 && i % 4 == 0 && i % 2 == 0) {
            expected++;
          }
        }
        assertEquals(2 * expected, nzMobile.column("id").orElseThrow().counts().n());
        // the row path puts the same values in the same segments
        SegmentedProfile rows = SegmentedProfile.builder("country", "device").properties(PROPS).build();
        for (int rep = 0; rep < 2; rep++) {
          for (int i = 0; i < n; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("country", country.isNull(i) ? null : country.getObject(i).toString());
            row.put("device", device.getObject(i).toString());
            row.put("amount", amount.isNull(i) ? null : amount.get(i));
            row.put("id", id.get(i));
            rows.track(row);
          }
        }
        assertEquals(v.segments().keySet(), rows.view().segments().keySet());
        v.segments().forEach((k, pv) -> assertEquals(pv.column("amount").orElseThrow().counts(),
            rows.view().segment(k).orElseThrow().column("amount").orElseThrow().counts(), k.toString()));
      }
    }
  }

  @Test
  void aBatchWithOneSegmentIsTrackedWhole() {
    try (BufferAllocator alloc = new RootAllocator(); BigIntVector k = new BigIntVector("k", alloc)) {
      k.allocateNew(3);
      for (int i = 0; i < 3; i++) {
        k.set(i, 42);
      }
      k.setValueCount(3);
      try (VectorSchemaRoot batch = new VectorSchemaRoot(List.of(k))) {
        batch.setRowCount(3);
        SegmentedProfile p = SegmentedProfile.builder("k").build();
        p.trackDataframe(batch);
        assertEquals(3, p.view().segment(Segment.of("k", "42")).orElseThrow().column("k").orElseThrow().counts().n());
      }
    }
  }

  @Test
  void aMissingKeyColumnInABatchIsAClearError() {
    try (BufferAllocator alloc = new RootAllocator(); BigIntVector k = new BigIntVector("k", alloc)) {
      k.allocateNew(1);
      k.set(0, 1);
      k.setValueCount(1);
      try (VectorSchemaRoot batch = new VectorSchemaRoot(List.of(k))) {
        batch.setRowCount(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> SegmentedProfile.builder("country").build().trackDataframe(batch));
        assertEquals("segment column 'country' is not in the batch; its columns are [k]", e.getMessage());
      }
    }
  }

  // ---- the cap ----

  @Test
  void exceedingTheCapIsATypedErrorThatNamesTheCapAndHowToRaiseIt() {
    SegmentedProfile p = SegmentedProfile.builder("id").maxSegments(3).build();
    for (int i = 0; i < 3; i++) {
      p.track(Map.of("id", i));
    }
    p.track(Map.of("id", 2)); // an existing segment is fine
    TooManySegmentsException e = assertThrows(TooManySegmentsException.class, () -> p.track(Map.of("id", 99)));
    assertEquals(3, e.cap());
    assertEquals(4, e.wouldHave());
    assertEquals("segmenting on [id] would make 4 segments, more than the cap of 3 (each segment keeps a whole "
        + "profile in memory); raise the cap with SegmentedProfile.builder(...).maxSegments(n), or segment on columns "
        + "with fewer distinct values", e.getMessage());
    assertEquals(3, p.segmentCount());
  }

  @Test
  void aBatchThatWouldExceedTheCapIsRefusedWhole() {
    try (BufferAllocator alloc = new RootAllocator(); BigIntVector k = new BigIntVector("k", alloc)) {
      k.allocateNew(10);
      for (int i = 0; i < 10; i++) {
        k.set(i, i);
      }
      k.setValueCount(10);
      try (VectorSchemaRoot batch = new VectorSchemaRoot(List.of(k))) {
        batch.setRowCount(10);
        SegmentedProfile p = SegmentedProfile.builder("k").maxSegments(5).build();
        p.track(Map.of("k", 0L));
        SegmentedView before = p.view();
        TooManySegmentsException e = assertThrows(TooManySegmentsException.class, () -> p.trackDataframe(batch));
        assertEquals(10, e.wouldHave());
        assertEquals(before, p.view(), "nothing of the refused batch was tracked");
      }
    }
  }

  // ---- merge laws per segment ----

  @Test
  void segmentedMergeIsAssociative() {
    theory().forAll(INPUTS, INPUTS, INPUTS, KEY_GEN).checkAssert((a, b, c, keys) -> {
      SegmentedView va = a.view(keys);
      SegmentedView vb = b.view(keys);
      SegmentedView vc = c.view(keys);
      assertSegmentedClose(va.merge(vb).merge(vc), va.merge(vb.merge(vc)), "(a+b)+c vs a+(b+c)");
    });
  }

  @Test
  void segmentedMergeIsCommutative() {
    theory().forAll(INPUTS, INPUTS, KEY_GEN).checkAssert((a, b, keys) -> {
      SegmentedView va = a.view(keys);
      SegmentedView vb = b.view(keys);
      assertSegmentedClose(va.merge(vb), vb.merge(va), "a+b vs b+a");
    });
  }

  @Test
  void emptySegmentedViewIsAnExactIdentity() {
    theory().forAll(INPUTS, KEY_GEN).checkAssert((a, keys) -> {
      SegmentedView v = a.view(keys);
      assertEquals(v, v.merge(SegmentedView.empty(keys)));
      assertEquals(v, SegmentedView.empty(keys).merge(v));
    });
  }

  @Test
  void segmentedProfileOfConcatenationEqualsMergeOfSegmentedProfiles() {
    theory().forAll(INPUTS, INPUTS, KEY_GEN).checkAssert((a, b, keys) -> {
      Input both = new Input(a.table().concat(b.table()), a.props());
      assertSegmentedClose(both.view(keys), a.view(keys).merge(new Input(b.table(), a.props()).view(keys)),
          "segmented(A++B) vs segmented(A)+segmented(B)");
    });
  }

  @Test
  void mergingViewsSegmentedOnDifferentColumnsIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SegmentedView.empty(List.of("a")).merge(SegmentedView.empty(List.of("b"))));
    assertEquals("cannot merge views segmented on different columns: [a] and [b]", e.getMessage());
  }

  // ---- files ----

  @Test
  void segmentedFilesRoundTrip() {
    theory().forAll(INPUTS, KEY_GEN).checkAssert((a, keys) -> {
      SegmentedView v = a.view(keys);
      v.segments().forEach((k, pv) -> {
        SegmentFile.Contents back;
        try {
          back = SegmentFile.read(SegmentFile.toBytes(k, pv), "seg.bin");
        } catch (ProfileFormatException e) {
          throw new AssertionError(e);
        }
        assertEquals(k, back.segment());
        Approx.assertViewsClose(pv, back.view(), "segment " + k + " read back");
      });
    });
  }

  /** The layout FORMAT.md gives, decoded with the generated protobuf classes rather than SegmentFile. */
  @Test
  void segmentedFileHasWhylogsSegmentHeaderTagsAndMetadata() throws Exception {
    SegmentedProfile p = SegmentedProfile.builder("country").properties(PROPS.withMetadata("run", "7")).build();
    p.track(Map.of("country", "NZ", "amount", 3.5));
    SegmentedView v = p.view();
    Segment nz = Segment.of("country", "NZ");
    byte[] bytes = SegmentFile.toBytes(nz, v.segment(nz).orElseThrow());
    assertArrayEquals("WHY1".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 4));
    CodedInputStream in = CodedInputStream.newInstance(bytes, 4, bytes.length - 4);
    DatasetSegmentHeader seg = DatasetSegmentHeader.parseFrom(in.readBytes());
    assertTrue(seg.getHasSegments());
    assertEquals(1, seg.getSegmentsCount());
    assertEquals(List.of(SegmentTag.newBuilder().setKey("whylogs.tag.country").setValue("NZ").build()),
        seg.getSegments(0).getTagsList());
    assertEquals(Map.of(0, 9L), seg.getOffsetsMap(), "offsets {0: size of delimited {has_segments, offsets {0: 0}}}");
    DatasetSegmentHeader probe = DatasetSegmentHeader.newBuilder().setHasSegments(true).putOffsets(0, 0).build();
    assertEquals(9, 1 + probe.getSerializedSize());
    DatasetProfileHeader header = DatasetProfileHeader.parseFrom(in.readBytes());
    assertEquals("NZ", header.getProperties().getTagsMap().get("whylogs.tag.country"));
    Map<String, String> meta = header.getProperties().getMetadataMap();
    assertEquals("country", meta.get("segp_col"));
    assertEquals("country", meta.get("segp_name"));
    assertEquals(SegmentFile.partitionId(List.of("country")), meta.get("segp_id"));
    assertEquals("7", meta.get("run"));
    assertFalse(meta.containsKey("segp_cols"));
    assertEquals(bytes.length - 4 - in.getTotalBytesRead(), header.getLength(), "the chunk area follows");
    // and any v1 reader that ignores segments still reads the profile, with the segment tags
    ProfileView plain = ProfileView.read(bytes, "seg.bin");
    assertEquals("NZ", plain.properties().tags().get("whylogs.tag.country"));
    assertEquals(1, plain.column("amount").orElseThrow().counts().n());
  }

  @Test
  void severalSegmentColumnsAreWrittenAsSegpCols() throws Exception {
    Segment s = Segment.of(List.of("a", "b"), List.of("1", "x"));
    byte[] bytes = SegmentFile.toBytes(s, ProfileView.empty().withProperties(PROPS));
    CodedInputStream in = CodedInputStream.newInstance(bytes, 4, bytes.length - 4);
    DatasetSegmentHeader seg = DatasetSegmentHeader.parseFrom(in.readBytes());
    assertEquals(List.of("whylogs.tag.a", "whylogs.tag.b"),
        seg.getSegments(0).getTagsList().stream().map(SegmentTag::getKey).toList());
    DatasetProfileHeader header = DatasetProfileHeader.parseFrom(in.readBytes());
    assertEquals("(a)(b)", header.getProperties().getMetadataMap().get("segp_cols"));
    assertFalse(header.getProperties().getMetadataMap().containsKey("segp_col"));
    assertEquals(s, SegmentFile.read(bytes, "x").segment());
  }

  @Test
  void readingAnUnsegmentedFileAsASegmentIsATypedError() {
    byte[] plain = ProfileView.empty().withProperties(PROPS).toBytes();
    ProfileFormatException e = assertThrows(ProfileFormatException.class, () -> SegmentFile.read(plain, "p.bin"));
    assertEquals("p.bin: not a segmented profile (its segment header says has_segments = false); read it with "
        + "ProfileView.read", e.getMessage());
  }

  @Test
  void aSegmentTagThatIsNotAColumnTagIsATypedError() {
    byte[] good = SegmentFile.toBytes(Segment.of("c", "v"), ProfileView.empty());
    DatasetSegmentHeader bad = DatasetSegmentHeader.newBuilder().setHasSegments(true)
        .addSegments(dev.loupe.proto.v1.Segment.newBuilder().addTags(SegmentTag.newBuilder().setKey("custom").setValue("v")))
        .build();
    byte[] bytes = splice(good, bad);
    ProfileFormatException e = assertThrows(ProfileFormatException.class, () -> SegmentFile.read(bytes, "s.bin"));
    assertEquals("s.bin: segment tag key 'custom' is not of the form 'whylogs.tag.<column>'; only column-value "
        + "segments can be read", e.getMessage());
  }

  /** Replaces the segment header of a file. */
  private static byte[] splice(byte[] file, DatasetSegmentHeader header) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(file, 4, file.length - 4);
      in.readBytes();
      int rest = 4 + in.getTotalBytesRead();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      out.write(file, 0, 4);
      header.writeDelimitedTo(out);
      out.write(file, rest, file.length - rest);
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aDirectoryHoldsOneFilePerSegmentWithDeterministicNamesAndReadsBack(@TempDir Path dir) throws Exception {
    SegmentedProfile p = SegmentedProfile.builder("country", "device").properties(PROPS).build();
    p.track(Map.of("country", "NZ", "device", "mobile", "x", 1));
    p.track(Map.of("country", "nz", "device", "mobile", "x", 2));
    p.track(Map.of("country", "a/b ü", "device", "=,", "x", 3));
    SegmentedView v = p.view();
    List<Path> files = v.writeDirectory(dir);
    assertEquals(3, files.size());
    for (Path f : files) {
      assertTrue(f.getFileName().toString().matches("segment-[A-Za-z0-9._%=,-]+\\.bin"), f.toString());
    }
    assertEquals(List.of(files.get(0).getFileName().toString()),
        List.of(SegmentedView.fileName(v.segments().keySet().iterator().next())));
    assertTrue(SegmentedView.fileName(Segment.of(List.of("country", "device"), List.of("a/b \u00fc", "=,")))
        .startsWith("segment-country=a%2Fb%20%C3%BC,device=%3D%2C-"));
    assertFalse(SegmentedView.fileName(Segment.of("c", "NZ")).equalsIgnoreCase(SegmentedView.fileName(Segment.of("c", "nz"))));
    assertEquals(v.writeDirectory(dir.resolve("again")).stream().map(f -> f.getFileName().toString()).toList(),
        files.stream().map(f -> f.getFileName().toString()).toList(), "names do not depend on the run");
    SegmentedView back = SegmentedView.readDirectory(dir);
    assertSegmentedClose(v, back, "directory read back");
    // a second copy of one segment's file merges into that segment
    Files.copy(files.get(0), dir.resolve("copy.bin"));
    SegmentedView twice = SegmentedView.readDirectory(dir);
    Segment first = v.segments().keySet().iterator().next();
    assertEquals(2, twice.segment(first).orElseThrow().column("x").orElseThrow().counts().n());
  }

  @Test
  void directoriesWithoutSegmentsOrWithMixedSegmentationsAreTypedErrors(@TempDir Path dir) throws Exception {
    ProfileFormatException empty = assertThrows(ProfileFormatException.class, () -> SegmentedView.readDirectory(dir));
    assertEquals(dir + ": no .bin files; expected one segmented profile file per segment", empty.getMessage());
    SegmentFile.write(dir.resolve("a.bin"), Segment.of("a", "1"), ProfileView.empty());
    SegmentFile.write(dir.resolve("b.bin"), Segment.of("b", "1"), ProfileView.empty());
    ProfileFormatException mixed = assertThrows(ProfileFormatException.class, () -> SegmentedView.readDirectory(dir));
    assertEquals(dir.resolve("b.bin") + ": segmented on [b] but " + dir.resolve("a.bin") + " is segmented on [a]; a "
        + "directory holds one segmentation", mixed.getMessage());
    Files.delete(dir.resolve("b.bin"));
    ProfileView.empty().write(dir.resolve("plain.bin"));
    ProfileFormatException plain = assertThrows(ProfileFormatException.class, () -> SegmentedView.readDirectory(dir));
    assertEquals(dir.resolve("plain.bin") + ": not a segmented profile (its segment header says has_segments = false); "
        + "read it with ProfileView.read", plain.getMessage());
  }
}
