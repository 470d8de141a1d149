package dev.loupe.bench;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot path per column type: {@code trackDataframe} on one Arrow batch, beside the floor, the
 * raw DataSketches updates the same column needs (KLL + HLL for numbers, plus frequent items for
 * integers and strings, with the same item strings), in the same run. A UTF-8 column's floor decodes
 * each value into the String the sketches take ({@link #rawSketchesCachedStrings} is the earlier floor
 * that reused the same String objects). Scores are nanoseconds per value.
 *
 * <pre>
 * ./mvnw -q -pl bench -am package -DskipTests
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -jar bench/target/loupe-benchmarks.jar TrackBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx2g"})
public class TrackBench {
  static final int ROWS = 65_536;

  /**
   * One column of each type, or {@code mixed}: the server benchmark's 10 columns (4 integer, 4
   * decimal, 2 string of 20 and 100,000 values, as {@link ServerLoad}'s Arrow bodies), scored
   * per row of 10 values.
   */
  @Param({"double", "long", "string_low_card", "string_high_card", "dictionary_string", "mixed"})
  public String column;

  private BufferAllocator alloc;
  private VectorSchemaRoot root;
  private DictionaryProvider.MapDictionaryProvider dictionaries;
  private VarCharVector dictValues;
  private DatasetProfile profile;

  // the floor's sketches and inputs
  private double[] doubles;
  private long[] longs;
  private String[] strings;
  private byte[][] utf8; // a UTF-8 column's values as the column holds them (the floor decodes them)
  private KllDoublesSketch kll;
  private HllSketch hll;
  private ItemsSketch<String> items;
  private long[][] mixLongs;
  private double[][] mixDoubles;
  private String[][] mixStrings;
  private byte[][][] mixUtf8;
  private KllDoublesSketch[] mixKll;
  private HllSketch[] mixHll;
  private ItemsSketch<String>[] mixItems;

  @Setup(Level.Trial)
  public void data() {
    alloc = new RootAllocator();
    SplittableRandom r = new SplittableRandom(42);
    FieldVector v;
    switch (column) {
      case "double" -> {
        Float8Vector f = new Float8Vector("x", alloc);
        f.allocateNew(ROWS);
        doubles = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
          doubles[i] = r.nextDouble() * 1000;
          f.set(i, doubles[i]);
        }
        v = f;
      }
      case "long" -> {
        BigIntVector b = new BigIntVector("x", alloc);
        b.allocateNew(ROWS);
        longs = new long[ROWS];
        for (int i = 0; i < ROWS; i++) {
          longs[i] = r.nextInt(1000);
          b.set(i, longs[i]);
        }
        v = b;
      }
      case "string_low_card", "string_high_card" -> {
        int card = column.equals("string_low_card") ? 50 : 1_000_000;
        VarCharVector s = new VarCharVector("x", alloc);
        s.allocateNew();
        strings = new String[ROWS];
        utf8 = new byte[ROWS][];
        for (int i = 0; i < ROWS; i++) {
          strings[i] = "value-" + r.nextInt(card);
          utf8[i] = strings[i].getBytes(StandardCharsets.UTF_8);
          s.setSafe(i, utf8[i]);
        }
        v = s;
      }
      case "dictionary_string" -> {
        dictValues = new VarCharVector("dict", alloc);
        dictValues.allocateNew();
        for (int k = 0; k < 50; k++) {
          dictValues.setSafe(k, ("value-" + k).getBytes(StandardCharsets.UTF_8));
        }
        dictValues.setValueCount(50);
        Dictionary dict = new Dictionary(dictValues, new DictionaryEncoding(1L, false, new ArrowType.Int(32, true)));
        dictionaries = new DictionaryProvider.MapDictionaryProvider(dict);
        IntVector idx = new IntVector("x", new FieldType(true, new ArrowType.Int(32, true), dict.getEncoding()), alloc);
        idx.allocateNew(ROWS);
        strings = new String[ROWS];
        for (int i = 0; i < ROWS; i++) {
          int k = r.nextInt(50);
          idx.set(i, k);
          strings[i] = "value-" + k;
        }
        v = idx;
      }
      case "mixed" -> {
        mixed(new java.util.Random(42));
        return;
      }
      default -> throw new IllegalArgumentException(column);
    }
    v.setValueCount(ROWS);
    root = VectorSchemaRoot.of(v);
    root.setRowCount(ROWS);
  }

  /** The values of {@link ServerLoad#arrowBody}, as vectors and as the floor's arrays. */
  private void mixed(java.util.Random random) {
    mixLongs = new long[4][ROWS];
    mixDoubles = new double[4][ROWS];
    mixStrings = new String[2][ROWS];
    mixUtf8 = new byte[2][ROWS][];
    java.util.List<FieldVector> vs = new java.util.ArrayList<>();
    for (int c = 0; c < 4; c++) {
      BigIntVector b = new BigIntVector("i" + c, alloc);
      b.allocateNew(ROWS);
      for (int i = 0; i < ROWS; i++) {
        mixLongs[c][i] = random.nextInt(1000 * (c + 1));
        b.set(i, mixLongs[c][i]);
      }
      vs.add(b);
    }
    for (int c = 0; c < 4; c++) {
      Float8Vector f = new Float8Vector("f" + c, alloc);
      f.allocateNew(ROWS);
      for (int i = 0; i < ROWS; i++) {
        mixDoubles[c][i] = Math.round(random.nextGaussian() * (c + 1) * 1000) / 1000.0;
        f.set(i, mixDoubles[c][i]);
      }
      vs.add(f);
    }
    for (int c = 0; c < 2; c++) {
      VarCharVector s = new VarCharVector("s" + c, alloc);
      s.allocateNew((long) ROWS * 10, ROWS);
      int card = c == 0 ? 20 : 100_000;
      for (int i = 0; i < ROWS; i++) {
        mixStrings[c][i] = "v" + random.nextInt(card);
        mixUtf8[c][i] = mixStrings[c][i].getBytes(StandardCharsets.UTF_8);
        s.setSafe(i, mixUtf8[c][i]);
      }
      vs.add(s);
    }
    for (FieldVector v : vs) {
      v.setValueCount(ROWS);
    }
    root = new VectorSchemaRoot(vs);
    root.setRowCount(ROWS);
  }

  @Setup(Level.Iteration)
  public void sketches() {
    profile = new DatasetProfile();
    sinceView = 0;
    kll = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
    hll = new HllSketch(CardinalityMetric.DEFAULT_LG_K, TgtHllType.HLL_8);
    items = new ItemsSketch<>(1 << FrequentItemsMetric.DEFAULT_LG_MAX_MAP_SIZE);
    if (mixLongs != null) {
      mixKll = new KllDoublesSketch[8];
      mixHll = new HllSketch[10];
      @SuppressWarnings("unchecked")
      ItemsSketch<String>[] fi = new ItemsSketch[6];
      mixItems = fi;
      for (int c = 0; c < 10; c++) {
        if (c < 8) {
          mixKll[c] = KllDoublesSketch.newHeapInstance(DistributionMetric.DEFAULT_K);
        }
        mixHll[c] = new HllSketch(CardinalityMetric.DEFAULT_LG_K, TgtHllType.HLL_8);
        if (c < 6) {
          mixItems[c] = new ItemsSketch<>(1 << FrequentItemsMetric.DEFAULT_LG_MAX_MAP_SIZE);
        }
      }
    }
  }

  @TearDown(Level.Trial)
  public void free() {
    root.close();
    if (dictValues != null) {
      dictValues.close();
    }
    alloc.close();
  }

  /** Batches tracked since the last view; see {@link #loupe}. */
  private int sinceView;

  /**
   * Loupe: every metric of the column (counts, types, moments, KLL, HLL, ints, frequent items). Core
   * defers some sketch updates to when the values it counted are drained (a frequent integer's KLL
   * update, for one), at the latest when a view is taken, so every 16th batch also takes the view:
   * the deferred work is measured, spread over the 16 batches (about 1M rows, a server window's worth).
   */
  @Benchmark
  @OperationsPerInvocation(ROWS)
  public Object loupe() {
    profile.trackDataframe(root, dictionaries);
    if (++sinceView == 16) {
      sinceView = 0;
      return profile.view();
    }
    return profile;
  }

  /** The floor: only the raw sketch updates, from a Java array (no Arrow reads, no counts). */
  @Benchmark
  @OperationsPerInvocation(ROWS)
  public Object rawSketches() {
    switch (column) {
      case "double" -> {
        for (double d : doubles) {
          kll.update(d);
          hll.update(d);
        }
      }
      case "long" -> {
        for (long l : longs) {
          kll.update((double) l);
          hll.update(l);
          items.update(Long.toString(l));
        }
      }
      case "mixed" -> {
        rawNumbers();
        for (int c = 0; c < 2; c++) {
          HllSketch h = mixHll[8 + c];
          ItemsSketch<String> fi = mixItems[4 + c];
          for (byte[] b : mixUtf8[c]) {
            String s = new String(b, StandardCharsets.UTF_8);
            h.update(s);
            fi.update(s);
          }
        }
      }
      case "dictionary_string" -> {
        // the dictionary's 50 entries decoded once: each row's String is one of them
        for (String s : strings) {
          hll.update(s);
          items.update(s);
        }
      }
      default -> {
        // a UTF-8 column holds bytes: the sketches take Strings, so each value is decoded
        for (byte[] b : utf8) {
          String s = new String(b, StandardCharsets.UTF_8);
          hll.update(s);
          items.update(s);
        }
      }
    }
    return hll;
  }

  /** The mixed table's 8 number columns, as {@link #rawSketches} updates them. */
  private Object rawNumbers() {
    for (int c = 0; c < 4; c++) {
      KllDoublesSketch k = mixKll[c];
      HllSketch h = mixHll[c];
      ItemsSketch<String> fi = mixItems[c];
      for (long l : mixLongs[c]) {
        k.update((double) l);
        h.update(l);
        fi.update(Long.toString(l));
      }
    }
    for (int c = 0; c < 4; c++) {
      KllDoublesSketch k = mixKll[4 + c];
      HllSketch h = mixHll[4 + c];
      for (double d : mixDoubles[c]) {
        k.update(d);
        h.update(d);
      }
    }
    return mixHll[0];
  }

  /**
   * The floor as first defined, for reference: string columns update from the same String objects
   * every iteration, so their hash codes are cached and the frequent-items table compares them by
   * identity, which no reader of a file or an Arrow column gets (it must decode each value).
   */
  @Benchmark
  @OperationsPerInvocation(ROWS)
  public Object rawSketchesCachedStrings() {
    switch (column) {
      case "string_low_card", "string_high_card" -> {
        for (String s : strings) {
          hll.update(s);
          items.update(s);
        }
        return hll;
      }
      case "mixed" -> {
        for (int c = 0; c < 2; c++) {
          HllSketch h = mixHll[8 + c];
          ItemsSketch<String> fi = mixItems[4 + c];
          for (String s : mixStrings[c]) {
            h.update(s);
            fi.update(s);
          }
        }
        return rawNumbers();
      }
      default -> {
        return rawSketches();
      }
    }
  }

  /** Reading the Arrow buffer alone, to show what the floor leaves out. */
  @Benchmark
  @OperationsPerInvocation(ROWS)
  public long arrowReadOnly() {
    FieldVector v = root.getVector(0);
    long acc = 0;
    if (v instanceof VarCharVector s) {
      // every value's length and first byte: what any string path must at least touch
      ArrowBuf offsets = s.getOffsetBuffer();
      ArrowBuf chars = s.getDataBuffer();
      for (int i = 0; i < ROWS; i++) {
        int start = offsets.getInt((long) i << 2);
        acc += offsets.getInt((long) (i + 1) << 2) - start + chars.getByte(start);
      }
      return acc;
    }
    ArrowBuf data = v.getDataBuffer();
    int width = v instanceof IntVector ? 4 : 8;
    for (int i = 0; i < ROWS; i++) {
      acc += width == 8 ? data.getLong((long) i << 3) : data.getInt((long) i << 2);
    }
    return acc;
  }
}
