package dev.loupe.core;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.loupe.proto.v1.ChunkHeader;
import dev.loupe.proto.v1.ChunkMessage;
import dev.loupe.proto.v1.ChunkOffsets;
import dev.loupe.proto.v1.DatasetProfileHeader;
import dev.loupe.proto.v1.FrequentItemsSketchMessage;
import dev.loupe.proto.v1.HllSketchMessage;
import dev.loupe.proto.v1.KllSketchMessage;
import dev.loupe.proto.v1.MetricComponentMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Garbage in, typed error out: truncated, bit-flipped, byte-replaced, structurally corrupted and
 * random inputs either read as a view or throw {@link ProfileFormatException} whose message names
 * the source ("fuzz"); never another exception, an OutOfMemoryError or a hang. Every failure is
 * collected with a reproducer (hex bytes, or the seed and mutation for large inputs) and reported
 * together. The random counts scale with {@code loupe.props.cases} (default 300: about 3000
 * inputs plus every prefix of the small seed files); the seed is {@code loupe.fuzz.seed}.
 */
class ProfileFuzzTest {
  static final long SEED = Long.getLong("loupe.fuzz.seed", 0x10_0DE_F022L);
  static final Duration HANG_GUARD = Duration.ofSeconds(120);

  static byte[] small;
  static byte[] whylogs;
  static byte[] large;

  @BeforeAll
  static void seeds() throws IOException {
    DatasetProfile p = new DatasetProfile(ProfileProperties.of(Instant.ofEpochMilli(1), Instant.ofEpochMilli(2),
        Map.of("t", "v"), Map.of()));
    p.track(Map.of("i", 1L, "d", 2.5, "s", "a", "b", true));
    p.track(Map.of("i", 2L, "d", 3.5, "s", "b", "b", false));
    small = p.view().toBytes();
    whylogs = Files.readAllBytes(WhylogsInteropTest.testdata("v1_ints_doubles.bin"));
    DatasetProfile big = new DatasetProfile(ProfileProperties.of(Instant.ofEpochMilli(3), Instant.ofEpochMilli(4),
        Map.of(), Map.of("m", "x")));
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 5000; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("ints", r.nextLong(-100_000, 100_000));
      row.put("doubles", r.nextDouble() * 1e6);
      row.put("strings", "s" + r.nextInt(2000));
      row.put("few", "f" + r.nextInt(5));
      big.track(row);
    }
    large = big.view().toBytes();
  }

  // ---- the oracle ----

  /** Collected failures, one per distinct (exception type, throwing frame), with the first reproducer. */
  static final class Findings {
    final Map<String, String> bySignature = new LinkedHashMap<>();
    int inputs;
    int views;
    int typed;

    void check(byte[] input, Supplier<String> description) {
      inputs++;
      try {
        ProfileView v = ProfileView.read(input, "fuzz");
        if (v == null) {
          record("null view", input, description, null);
        }
        views++;
      } catch (ProfileFormatException e) {
        typed++;
        String m = e.getMessage();
        if (m == null || m.isBlank() || !m.contains("fuzz")) {
          record("ProfileFormatException without the source name: " + m, input, description, e);
        }
      } catch (Throwable t) { // everything else is a finding: RuntimeException, OutOfMemoryError, StackOverflowError
        record(t.getClass().getName(), input, description, t);
      }
    }

    private void record(String kind, byte[] input, Supplier<String> description, Throwable t) {
      String frame = "";
      if (t != null) {
        for (StackTraceElement el : t.getStackTrace()) {
          if (el.getClassName().startsWith("dev.loupe.core")) {
            frame = " at " + el;
            break;
          }
        }
      }
      String sig = kind + frame;
      if (bySignature.containsKey(sig)) {
        return;
      }
      StringBuilder sb = new StringBuilder();
      sb.append(sig).append("\n  input: ").append(description.get()).append(" (").append(input.length).append(" bytes)");
      if (input.length <= 4096) {
        sb.append("\n  hex: ").append(HexFormat.of().formatHex(input));
      }
      if (t != null) {
        sb.append("\n  ").append(t);
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(st.length, 14); i++) {
          sb.append("\n    at ").append(st[i]);
        }
        if (t.getCause() != null) {
          sb.append("\n  caused by ").append(t.getCause());
        }
      }
      bySignature.put(sig, sb.toString());
    }

    void assertClean(String what) {
      System.out.println(what + ": " + inputs + " inputs, " + views + " read as views, " + typed
          + " typed errors, " + bySignature.size() + " distinct untyped failures");
      if (!bySignature.isEmpty()) {
        fail(what + ": " + bySignature.size() + " kind(s) of garbage escaped as something other than "
            + "ProfileFormatException (reproducers below)\n\n" + String.join("\n\n", bySignature.values()));
      }
      assertTrue(inputs > 0);
    }
  }

  static int cases() {
    return Generators.cases();
  }

  static void guarded(String what, java.util.function.Consumer<Findings> body) {
    Findings f = new Findings();
    assertTimeoutPreemptively(HANG_GUARD, () -> body.accept(f), what + ": reading garbage hung");
    f.assertClean(what);
  }

  // ---- byte-level mutations ----

  @Test
  void everyPrefixOfSmallFilesIsReadOrRejectedWithATypedError() {
    guarded("prefixes", f -> {
      for (byte[] seed : List.of(small, whylogs)) {
        for (int len = 0; len < seed.length; len++) {
          int l = len;
          f.check(Arrays.copyOf(seed, len), () -> "prefix of " + l + " bytes of a " + seed.length + "-byte seed file");
        }
      }
      SplittableRandom r = new SplittableRandom(SEED);
      for (int i = 0; i < cases(); i++) {
        int len = r.nextInt(large.length);
        f.check(Arrays.copyOf(large, len), () -> "prefix of " + len + " bytes of the large seed (" + large.length + " bytes)");
      }
    });
  }

  @Test
  void bitFlipsAndByteReplacementsGiveAViewOrATypedError() {
    guarded("bit flips and byte replacements", f -> {
      SplittableRandom r = new SplittableRandom(SEED + 1);
      byte[][] seeds = {small, whylogs, large};
      String[] names = {"small", "whylogs", "large"};
      int[] interesting = {0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x0a, 0x12};
      for (int i = 0; i < cases() * 5; i++) {
        int s = i % 3;
        byte[] b = seeds[s].clone();
        StringBuilder what = new StringBuilder(names[s] + " seed");
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
          int pos = r.nextInt(b.length);
          switch (r.nextInt(3)) {
            case 0 -> {
              int bit = r.nextInt(8);
              b[pos] ^= (byte) (1 << bit);
              what.append(", flip bit ").append(bit).append(" of byte ").append(pos);
            }
            case 1 -> {
              int v = interesting[r.nextInt(interesting.length)];
              b[pos] = (byte) v;
              what.append(", byte ").append(pos).append(" := 0x").append(Integer.toHexString(v));
            }
            default -> {
              int v = r.nextInt(256);
              b[pos] = (byte) v;
              what.append(", byte ").append(pos).append(" := 0x").append(Integer.toHexString(v));
            }
          }
        }
        f.check(b, what::toString);
      }
    });
  }

  @Test
  void insertedDeletedAndRandomBytesGiveAViewOrATypedError() {
    guarded("insertions, deletions and random garbage", f -> {
      SplittableRandom r = new SplittableRandom(SEED + 2);
      byte[][] seeds = {small, whylogs, large};
      for (int i = 0; i < cases() * 2; i++) {
        byte[] seed = seeds[i % 3];
        int pos = r.nextInt(seed.length);
        int n = 1 + r.nextInt(16);
        byte[] b;
        String what;
        if (r.nextBoolean()) {
          byte[] ins = new byte[n];
          r.nextBytes(ins);
          b = new byte[seed.length + n];
          System.arraycopy(seed, 0, b, 0, pos);
          System.arraycopy(ins, 0, b, pos, n);
          System.arraycopy(seed, pos, b, pos + n, seed.length - pos);
          what = "seed " + (i % 3) + " with " + n + " random bytes inserted at " + pos;
        } else {
          int m = Math.min(n, seed.length - pos);
          b = new byte[seed.length - m];
          System.arraycopy(seed, 0, b, 0, pos);
          System.arraycopy(seed, pos + m, b, pos, seed.length - pos - m);
          what = "seed " + (i % 3) + " with " + m + " bytes deleted at " + pos;
        }
        f.check(b, () -> what);
      }
      for (int i = 0; i < cases(); i++) {
        byte[] b = new byte[r.nextInt(2048)];
        r.nextBytes(b);
        int kind = i % 4;
        if (kind >= 1 && b.length >= 4) {
          System.arraycopy("WHY1".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 4); // get past the magic
        }
        if (kind >= 2 && b.length >= 5) {
          b[4] = 0; // and past the segment header
        }
        f.check(b, () -> "random bytes (kind " + kind + ")");
      }
      f.check(new byte[0], () -> "empty input");
      f.check("WHY1".getBytes(StandardCharsets.US_ASCII), () -> "magic only");
    });
  }

  // ---- structure-aware mutations: valid framing, corrupt content ----

  /** A file's parts, decoded with the generated classes, to rebuild with changes. */
  record Parts(DatasetProfileHeader header, Map<String, Map<Integer, MetricComponentMessage>> chunks) {}

  static Parts parts(byte[] bytes) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes, 4, bytes.length - 4);
      in.readBytes(); // segment header
      DatasetProfileHeader header = DatasetProfileHeader.parseFrom(in.readBytes());
      int start = 4 + in.getTotalBytesRead();
      Map<String, Map<Integer, MetricComponentMessage>> chunks = new TreeMap<>();
      header.getColumnOffsetsMap().forEach((col, off) -> {
        try {
          int o = start + (int) off.getOffsets(0);
          CodedInputStream c = CodedInputStream.newInstance(bytes, o, bytes.length - o);
          ChunkHeader ch = ChunkHeader.parseFrom(c.readBytes());
          int body = o + c.getTotalBytesRead();
          chunks.put(col, new TreeMap<>(ChunkMessage.parseFrom(Arrays.copyOfRange(bytes, body, body + ch.getLength()))
              .getMetricComponentsMap()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      return new Parts(header, chunks);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a file with correct framing; chunkLength/headerLength/offsets overrides when not null. */
  static byte[] write(DatasetProfileHeader header, Map<String, Map<Integer, MetricComponentMessage>> chunks,
      Long headerLength, Integer chunkLength, Long offset, ChunkHeader.ChunkType type) {
    try {
      ByteArrayOutputStream area = new ByteArrayOutputStream();
      DatasetProfileHeader.Builder h = header.toBuilder().clearColumnOffsets();
      for (Map.Entry<String, Map<Integer, MetricComponentMessage>> e : chunks.entrySet()) {
        byte[] body = ChunkMessage.newBuilder().putAllMetricComponents(e.getValue()).build().toByteArray();
        h.putColumnOffsets(e.getKey(), ChunkOffsets.newBuilder().addOffsets(offset != null ? offset : area.size()).build());
        ChunkHeader.newBuilder().setType(type).setLength(chunkLength != null ? chunkLength : body.length).build()
            .writeDelimitedTo(area);
        area.write(body);
      }
      h.setLength(headerLength != null ? headerLength : area.size());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write("WHY1".getBytes(StandardCharsets.US_ASCII));
      out.write(0);
      h.build().writeDelimitedTo(out);
      area.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] mutateSketch(byte[] b, SplittableRandom r, StringBuilder what) {
    byte[] out = b.clone();
    switch (r.nextInt(6)) {
      case 0 -> {
        int len = b.length == 0 ? 0 : r.nextInt(b.length);
        what.append(" truncated to ").append(len);
        return Arrays.copyOf(b, len);
      }
      case 1 -> {
        int extra = 1 + r.nextInt(64);
        what.append(" extended by ").append(extra).append(" random bytes");
        out = Arrays.copyOf(b, b.length + extra);
        for (int i = b.length; i < out.length; i++) {
          out[i] = (byte) r.nextInt(256);
        }
        return out;
      }
      case 2 -> {
        // the preamble is where sizes live: hit the first 32 bytes hard
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n && out.length > 0; i++) {
          int pos = r.nextInt(Math.min(32, out.length));
          int v = r.nextInt(256);
          out[pos] = (byte) v;
          what.append(" preamble byte ").append(pos).append(" := ").append(v);
        }
        return out;
      }
      case 3 -> {
        what.append(" replaced by random bytes");
        out = new byte[r.nextInt(64)];
        r.nextBytes(out);
        return out;
      }
      default -> {
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n && out.length > 0; i++) {
          int pos = r.nextInt(out.length);
          int bit = r.nextInt(8);
          out[pos] ^= (byte) (1 << bit);
          what.append(" flip bit ").append(bit).append(" of byte ").append(pos);
        }
        return out;
      }
    }
  }

  static MetricComponentMessage mutateComponent(MetricComponentMessage m, SplittableRandom r, StringBuilder what) {
    if (r.nextInt(5) == 0) {
      // change the value kind: a sketch where a number is expected, a number where a sketch is, ...
      MetricComponentMessage.Builder b = MetricComponentMessage.newBuilder().setTypeId(m.getTypeId());
      switch (r.nextInt(5)) {
        case 0 -> b.setN(r.nextLong());
        case 1 -> b.setD(r.nextDouble());
        case 2 -> b.setKll(KllSketchMessage.newBuilder().setSketch(ByteString.copyFrom(new byte[] {2, 1, 15, 0, 0, 4, 8, 0})));
        case 3 -> b.setHll(HllSketchMessage.getDefaultInstance());
        default -> b.setSerializedBytes(ByteString.copyFromUtf8("x"));
      }
      what.append(" replaced by ").append(b.getValueCase());
      return b.build();
    }
    return switch (m.getValueCase()) {
      case KLL -> m.toBuilder().setKll(KllSketchMessage.newBuilder().setSketch(ByteString.copyFrom(
          mutateSketch(m.getKll().getSketch().toByteArray(), r, what)))).build();
      case HLL -> m.toBuilder().setHll(HllSketchMessage.newBuilder().setSketch(ByteString.copyFrom(
          mutateSketch(m.getHll().getSketch().toByteArray(), r, what)))).build();
      case FREQUENT_ITEMS -> m.toBuilder().setFrequentItems(FrequentItemsSketchMessage.newBuilder().setSketch(
          ByteString.copyFrom(mutateSketch(m.getFrequentItems().getSketch().toByteArray(), r, what)))).build();
      case N -> {
        long v = switch (r.nextInt(4)) {
          case 0 -> Long.MIN_VALUE;
          case 1 -> Long.MAX_VALUE;
          case 2 -> -1;
          default -> r.nextLong();
        };
        what.append(" n := ").append(v);
        yield m.toBuilder().setN(v).setTypeId(r.nextInt(4) == 0 ? r.nextInt(4) : m.getTypeId()).build();
      }
      default -> {
        double v = List.of(Double.NaN, Double.POSITIVE_INFINITY, -1.0, Double.MAX_VALUE).get(r.nextInt(4));
        what.append(" d := ").append(v);
        yield m.toBuilder().setD(v).build();
      }
    };
  }

  @Test
  void corruptSketchesAndComponentsInsideValidFramingGiveAViewOrATypedError() {
    guarded("corrupt components", f -> {
      SplittableRandom r = new SplittableRandom(SEED + 3);
      List<Parts> seeds = List.of(parts(small), parts(whylogs), parts(large));
      for (int i = 0; i < cases() * 2; i++) {
        Parts p = seeds.get(i % 3);
        Map<String, Map<Integer, MetricComponentMessage>> chunks = new TreeMap<>();
        p.chunks().forEach((c, m) -> chunks.put(c, new TreeMap<>(m)));
        StringBuilder what = new StringBuilder("seed " + (i % 3));
        int edits = 1 + r.nextInt(2);
        for (int e = 0; e < edits; e++) {
          List<String> cols = new ArrayList<>(chunks.keySet());
          String col = cols.get(r.nextInt(cols.size()));
          List<Integer> idx = new ArrayList<>(chunks.get(col).keySet());
          int k = idx.get(r.nextInt(idx.size()));
          what.append(", column '").append(col).append("' path ").append(p.header().getIndexedMetricPathsOrDefault(k, "?"));
          chunks.get(col).put(k, mutateComponent(chunks.get(col).get(k), r, what));
        }
        f.check(write(p.header(), chunks, null, null, null, ChunkHeader.ChunkType.COLUMN), what::toString);
      }
    });
  }

  @Test
  void corruptHeadersWithValidFramingGiveAViewOrATypedError() {
    guarded("corrupt headers", f -> {
      SplittableRandom r = new SplittableRandom(SEED + 4);
      List<Parts> seeds = List.of(parts(small), parts(whylogs), parts(large));
      long[] lengths = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xFFFFFFFFL, 1L << 31, (1L << 31) - 1};
      int[] chunkLengths = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x7FFFFFF0};
      for (int i = 0; i < cases() * 2; i++) {
        Parts p = seeds.get(i % 3);
        Long headerLength = null;
        Integer chunkLength = null;
        Long offset = null;
        ChunkHeader.ChunkType type = ChunkHeader.ChunkType.COLUMN;
        DatasetProfileHeader header = p.header();
        String what;
        switch (r.nextInt(6)) {
          case 0 -> {
            headerLength = r.nextBoolean() ? lengths[r.nextInt(lengths.length)] : r.nextLong();
            what = "header.length := " + Long.toUnsignedString(headerLength);
          }
          case 1 -> {
            chunkLength = r.nextBoolean() ? chunkLengths[r.nextInt(chunkLengths.length)] : r.nextInt();
            what = "every chunk length := " + Integer.toUnsignedString(chunkLength);
          }
          case 2 -> {
            offset = r.nextBoolean() ? lengths[r.nextInt(lengths.length)] : (long) r.nextInt(64);
            what = "every column offset := " + Long.toUnsignedString(offset);
          }
          case 3 -> {
            type = ChunkHeader.ChunkType.DATASET;
            what = "chunk type DATASET";
          }
          case 4 -> {
            int k = r.nextInt(Math.max(1, header.getIndexedMetricPathsCount()));
            String newPath = List.of("", "/", "counts", "counts/", "/n", "ints/min", "distribution/kll",
                "x/y/z").get(r.nextInt(8));
            header = header.toBuilder().putIndexedMetricPaths(k, newPath).build();
            what = "indexed path " + k + " := '" + newPath + "'";
          }
          default -> {
            header = header.toBuilder().setProperties(header.getProperties().toBuilder()
                .setDatasetTimestamp(r.nextLong()).setCreationTimestamp(-1).putTags("", "")).build();
            what = "timestamps := random / -1 and an empty tag";
          }
        }
        String w = "seed " + (i % 3) + ", " + what;
        f.check(write(header, p.chunks(), headerLength, chunkLength, offset, type), () -> w);
      }
    });
  }

  /**
   * The smallest reproducer: one column 'c' whose ChunkHeader declares length 0xFFFFFFFF (uint32),
   * which Java reads as -1. Bytes: magic, empty segment header, DatasetProfileHeader
   * {column_offsets {c: [0]}, length 9}, then the delimited ChunkHeader {type COLUMN, length 0xFFFFFFFF}.
   */
  @Test
  void minimalFileWithChunkLengthAllOnesIsATypedError() {
    byte[] b = HexFormat.of().parseHex("5748593100" + "0c" + "12080a0163" + "12030a0100" + "2009" + "08" + "0802" + "18ffffffff0f");
    Findings f = new Findings();
    f.check(b, () -> "hand-made file, chunk length 0xFFFFFFFF");
    f.assertClean("minimal chunk length 0xFFFFFFFF");
  }

  /** A chunk length with the high bit set parses as a negative int (uint32 in the file). */
  @Test
  void chunkLengthWithTheHighBitSetIsATypedError() {
    Parts p = parts(small);
    for (int len : new int[] {-1, Integer.MIN_VALUE, 0xFFFFFF00}) {
      byte[] b = write(p.header(), p.chunks(), null, len, null, ChunkHeader.ChunkType.COLUMN);
      Findings f = new Findings();
      f.check(b, () -> "small seed, every chunk length := " + Integer.toUnsignedString(len));
      f.assertClean("chunk length " + Integer.toUnsignedString(len));
    }
  }
}
