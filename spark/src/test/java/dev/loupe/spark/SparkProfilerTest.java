package dev.loupe.spark;

import dev.loupe.core.Approx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ColumnView;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import dev.loupe.core.segments.Segment;
import dev.loupe.core.segments.SegmentFile;
import dev.loupe.core.logging.LocalDirectoryWriter;
import dev.loupe.core.logging.RollingLogger;
import dev.loupe.core.logging.WindowInfo;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark on local[2], bound to 127.0.0.1: one session for every test, few and small jobs. */
class SparkProfilerTest {
  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder()
        .master("local[2]")
        .appName("loupe-spark-test")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  // ---- data ----

  static final StructType MIXED = new StructType(new StructField[] {
      field("id", DataTypes.LongType),
      field("small", DataTypes.IntegerType),
      field("tiny", DataTypes.ShortType),
      field("octet", DataTypes.ByteType),
      field("amount", DataTypes.DoubleType),
      field("ratio", DataTypes.FloatType),
      field("price", DataTypes.createDecimalType(10, 2)),
      field("name", DataTypes.StringType),
      field("flag", DataTypes.BooleanType),
      field("ts", DataTypes.TimestampType),
      field("day", DataTypes.DateType),
      field("vec", DataTypes.createArrayType(DataTypes.DoubleType)),
      field("bin", DataTypes.BinaryType),
      field("nothing", DataTypes.NullType),
  });

  static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }

  static final Instant DAY0 = Instant.parse("2026-11-20T00:00:00Z");

  /** Mixed rows: nulls, NaN, infinities, unicode, empty strings; enough distinct values for every sketch to estimate. */
  static List<Row> mixedRows(int n, long seed) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Object amount = r.nextInt(50) == 0 ? null : r.nextInt(200) == 0 ? Double.NaN : r.nextGaussian() * 100;
      if (i == 7) {
        amount = Double.POSITIVE_INFINITY;
      }
      String name = r.nextInt(20) == 0 ? null : r.nextInt(10) == 0 ? "名前 " + r.nextInt(300)
          : r.nextInt(50) == 0 ? "" : "user" + (int) Math.abs(r.nextGaussian() * 2000);
      rows.add(RowFactory.create(
          (long) Math.abs(r.nextGaussian() * 4000), // skewed: see the note on frequent items in docs/spark.md
          r.nextInt(20) == 0 ? null : r.nextInt(50) - 10,
          (short) r.nextInt(1000),
          (byte) r.nextInt(100),
          amount,
          r.nextInt(30) == 0 ? null : r.nextFloat(),
          r.nextInt(25) == 0 ? null : BigDecimal.valueOf(r.nextInt(1_000_000), 2),
          name,
          r.nextInt(10) == 0 ? null : r.nextBoolean(),
          r.nextInt(40) == 0 ? null : Timestamp.from(DAY0.plusSeconds(r.nextInt(3 * 86_400))),
          new Date(DAY0.toEpochMilli() + 86_400_000L * r.nextInt(10)),
          r.nextInt(10) == 0 ? null : new double[] {r.nextDouble(), r.nextDouble()},
          r.nextInt(10) == 0 ? null : new byte[] {(byte) i},
          null));
    }
    return rows;
  }

  static Map<String, Object> asMap(Row row, StructType schema) {
    Map<String, Object> m = new HashMap<>();
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      m.put(fields[i].name(), row.get(i));
    }
    return m;
  }

  /** The core profile of the same rows, through core's row path (an independent oracle of the Arrow path). */
  static ProfileView coreProfile(List<Row> rows, StructType schema) {
    DatasetProfile p = new DatasetProfile();
    for (Row row : rows) {
      Map<String, Object> m = new HashMap<>();
      for (int i = 0; i < schema.fields().length; i++) {
        m.put(schema.fields()[i].name(), row.get(i));
      }
      p.track(m);
    }
    return p.view();
  }

  static Dataset<Row> frame(List<Row> rows, StructType schema, int partitions) {
    return spark.createDataFrame(jsc.parallelize(rows, partitions), schema);
  }

  // ---- tests ----

  @Test
  void sparkProfileEqualsTheCoreProfileOfTheSameRowsByTheMergeLaws() {
    List<Row> rows = mixedRows(30_000, 42);
    ProfileView spark = SparkProfiler.builder().tag("job", "test").build().profile(frame(rows, MIXED, 7));
    ProfileView core = coreProfile(rows, MIXED);
    assertEquals(core.columns().keySet(), spark.columns().keySet());

    Approx.assertColumnsOfViewsClose(core, spark, "spark vs core");
    assertEquals(Map.of("job", "test"), spark.properties().tags());
    ColumnView id = spark.column("id").orElseThrow();
    assertEquals(30_000, id.counts().n());
    assertTrue(id.distribution().orElseThrow().sketchCopy().isEstimationMode(), "KLL bounds exercised");
    assertTrue(id.frequentItems().orElseThrow().maximumError() > 0, "frequent-items bounds exercised");
    assertEquals("tensor", spark.column("vec").orElseThrow().inferredType());
    assertEquals(30_000, spark.column("nothing").orElseThrow().counts().nulls());
    // dates and timestamps are time, as through every other door
    assertTrue(spark.isTime("ts") && spark.isTime("day"), spark.properties().metadata().toString());
    assertEquals("time", spark.summary().get("day").get("type"));
  }

  /** The cross-door table (core's DoorTables, also profiled from every file format and by the server) through Spark. */
  @Test
  void theCrossDoorTableProfilesAsItsRowsDo() {
    List<Object[]> t = dev.loupe.core.DoorTables.table(4, 600);
    List<StructField> fields = new ArrayList<>();
    for (dev.loupe.core.DoorTables.Col c : dev.loupe.core.DoorTables.COLS) {
      fields.add(field(c.name(), switch (c.kind()) {
        case LONG -> DataTypes.LongType;
        case DOUBLE -> DataTypes.DoubleType;
        case STRING -> DataTypes.StringType;
        case BOOL -> DataTypes.BooleanType;
        case DECIMAL -> DataTypes.createDecimalType(38, 6);
        case TIME -> DataTypes.TimestampType;
        case TENSOR -> DataTypes.createArrayType(DataTypes.DoubleType);
      }));
    }
    StructType schema = new StructType(fields.toArray(new StructField[0])); // "a" twice
    List<Row> rows = new ArrayList<>();
    for (Object[] r : t) {
      Object[] v = r.clone();
      for (int i = 0; i < v.length; i++) {
        if (v[i] instanceof Instant inst) {
          v[i] = Timestamp.from(inst);
        }
      }
      rows.add(RowFactory.create(v));
    }
    ProfileView spark = SparkProfiler.builder().build().profile(frame(rows, schema, 3));
    ProfileView expected = dev.loupe.core.DoorTables.rows(t);
    Approx.assertColumnsOfViewsClose(expected, spark, "Spark vs rows");
    assertTrue(spark.isTime("t"));
  }

  @Test
  void groupsLandUnderTheRollingLoggersNamesWithTheirRows(@TempDir Path dir) throws IOException {
    List<Row> rows = mixedRows(6_000, 7);
    StructType schema = MIXED;
    Dataset<Row> df = frame(rows, schema, 5);

    // the batch job
    Path batchDir = dir.resolve("batch");
    SparkProfiler daily = SparkProfiler.builder().datasetId("trips").timeColumn("ts", Duration.ofDays(1)).build();
    WriteSummary summary = daily.write(df, new LocalDirectoryWriter(batchDir));

    // the same rows through the streaming logger, with a clock at the first window
    Path streamDir = dir.resolve("stream");
    try (RollingLogger logger = RollingLogger.builder().window(Duration.ofDays(1)).tick(null)
        .clock(Clock.fixed(DAY0, ZoneOffset.UTC)).writer(new LocalDirectoryWriter(streamDir)).build()) {
      for (Row row : rows) {
        if (row.get(9) != null) {
          logger.log("trips", ((Timestamp) row.get(9)).toInstant(), asMap(row, schema));
        }
      }
    }

    Set<String> expectedNames = Set.of("trips/2026/11/20/trips-20261120T000000Z-local.bin",
        "trips/2026/11/21/trips-20261121T000000Z-local.bin", "trips/2026/11/22/trips-20261122T000000Z-local.bin");
    assertEquals(expectedNames, binFiles(batchDir));
    assertEquals(binFiles(streamDir), binFiles(batchDir), "batch and streaming outputs line up");

    long withoutTime = rows.stream().filter(r -> r.get(9) == null).count();
    assertTrue(withoutTime > 0);
    assertEquals(withoutTime, summary.rowsWithoutTime());
    assertEquals(3, summary.windows().size());
    for (int d = 0; d < 3; d++) {
      Instant start = DAY0.plus(Duration.ofDays(d));
      List<Row> inDay = rows.stream().filter(r -> r.get(9) != null && !((Timestamp) r.get(9)).toInstant().isBefore(start)
          && ((Timestamp) r.get(9)).toInstant().isBefore(start.plus(Duration.ofDays(1)))).toList();
      String name = "trips/2026/11/2" + d + "/trips-2026112" + d + "T000000Z-local.bin";
      ProfileView batch = ProfileView.read(batchDir.resolve(name));
      ProfileView stream = ProfileView.read(streamDir.resolve(name));
      assertEquals(inDay.size(), ProfileGroup.rowsOf(batch), name);
      assertEquals(start, batch.properties().datasetTimestamp().orElseThrow(), name + ": dataset timestamp");
      assertEquals(start, summary.windows().get(d).start());
      Approx.assertColumnsOfViewsClose(coreProfile(inDay, schema), batch, "spark vs core");
      Approx.assertColumnsOfViewsClose(stream, batch, "rolling logger vs spark batch");
    }
  }

  @Test
  void segmentsWithinWindowsAreProfiledAndNamedApart(@TempDir Path dir) throws IOException {
    StructType schema = new StructType(new StructField[] {
        field("when", DataTypes.TimestampType), field("country", DataTypes.StringType), field("v", DataTypes.LongType)});
    String[] countries = {"NZ", "Åland Islands", null};
    List<Row> rows = new ArrayList<>();
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 0; i < 3_000; i++) {
      Instant t = DAY0.plusSeconds(i * 97L % (2 * 86_400));
      String c = countries[i % 3];
      rows.add(RowFactory.create(Timestamp.from(t), c, (long) i));
      String id = SparkProfiler.segmentDatasetId("sales", java.util.Collections.singletonMap("country", c));
      expected.merge(id + "@" + t.truncatedTo(java.time.temporal.ChronoUnit.DAYS), 1L, Long::sum);
    }
    SparkProfiler p = SparkProfiler.builder().datasetId("sales").timeColumn("when", Duration.ofDays(1))
        .segmentColumns("country").build();

    List<ProfileGroup> groups = p.profileGroups(frame(rows, schema, 4));
    Map<String, Long> actual = new TreeMap<>();
    for (ProfileGroup g : groups) {
      WindowInfo w = g.window().orElseThrow();
      actual.put(w.datasetId() + "@" + w.start(), g.rows());
      // core's segment model: the null key, whylogs.tag.* and segp_* metadata
      assertEquals(Segment.valueOf(g.segment().get("country"), Segment.DEFAULT_NULL_KEY),
          g.view().properties().tags().get("whylogs.tag.country"));
      assertEquals("country", g.view().properties().metadata().get("segp_col"));
    }
    assertEquals(expected, actual);
    assertTrue(actual.containsKey("sales.country=%C3%85land%20Islands@2026-11-20T00:00:00Z"), actual.keySet().toString());
    assertTrue(actual.containsKey("sales.country=~@2026-11-21T00:00:00Z"), actual.keySet().toString());

    LocalDirectoryWriter writer = new LocalDirectoryWriter(dir);
    WriteSummary summary = p.write(frame(rows, schema, 4), writer);
    assertEquals(6, summary.windows().size());
    for (WindowInfo w : summary.windows()) {
      Path file = writer.pathFor(w);
      assertTrue(Files.exists(file), file.toString());
      assertEquals(expected.get(w.datasetId() + "@" + w.start()), ProfileGroup.rowsOf(ProfileView.read(file)));
      // written as a whylogs segmented file, as core's SegmentedView writes them
      SegmentFile.Contents seg = SegmentFile.read(file);
      assertEquals(List.of("country"), seg.segment().columns());
      assertEquals(w.tags().get("whylogs.tag.country"), seg.segment().values().get(0));
    }
  }

  @Test
  void aThousandColumnsProfileInOnePass() {
    List<Column> cols = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      Column base = functions.col("id").plus(i);
      Column c = switch (i % 3) {
        case 0 -> base;
        case 1 -> base.cast(DataTypes.DoubleType);
        default -> functions.concat(functions.lit("s"), base.cast(DataTypes.StringType));
      };
      cols.add(c.as("c" + i));
    }
    Dataset<Row> wide = spark.range(0, 2_000, 1, 3).select(cols.toArray(new Column[0]));

    ProfileView view = SparkProfiler.builder().build().profile(wide);

    assertEquals(1_200, view.columns().size());
    for (int i = 0; i < 1_200; i++) {
      ColumnView c = view.column("c" + i).orElseThrow();
      assertEquals(2_000, c.counts().n(), "c" + i);
    }
    assertEquals(OptionalLong.of(999), view.column("c999").orElseThrow().ints().orElseThrow().min());
    assertEquals(OptionalLong.of(2_998), view.column("c999").orElseThrow().ints().orElseThrow().max());
    assertEquals("fractional", view.column("c1000").orElseThrow().inferredType());
    assertEquals("string", view.column("c1001").orElseThrow().inferredType());
  }

  @Test
  void columnNamesWithDotsSpacesBackticksAndUnicodeWork(@TempDir Path dir) throws IOException {
    String[] names = {"a.b", "with space", "ünï cødé 列", "back`tick", "x.y.z", "seg ment.ü"};
    StructType schema = new StructType(new StructField[] {
        field(names[0], DataTypes.LongType), field(names[1], DataTypes.StringType),
        field(names[2], DataTypes.DoubleType), field(names[3], DataTypes.BooleanType),
        field(names[4], DataTypes.DateType), field(names[5], DataTypes.StringType)});
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(RowFactory.create((long) i, "s" + (i % 7), i / 3.0, i % 2 == 0,
          new Date(DAY0.toEpochMilli() + 86_400_000L * (i % 2)), i % 2 == 0 ? "é.é" : "a/b"));
    }
    Dataset<Row> df = frame(rows, schema, 3);

    ProfileView view = SparkProfiler.builder().build().profile(df);
    assertEquals(new TreeSet<>(Arrays.asList(names)), view.columns().keySet());
    Approx.assertColumnsOfViewsClose(coreProfile(rows, schema), view, "spark vs core");

    SparkProfiler p = SparkProfiler.builder().datasetId("weird").timeColumn("x.y.z", Duration.ofDays(1))
        .segmentColumns("seg ment.ü").build();
    LocalDirectoryWriter writer = new LocalDirectoryWriter(dir);
    WriteSummary summary = p.write(df, writer);
    assertEquals(Set.of("weird.seg%20ment%2E%C3%BC=%C3%A9%2E%C3%A9", "weird.seg%20ment%2E%C3%BC=a%2Fb"),
        summary.windows().stream().map(WindowInfo::datasetId).collect(Collectors.toSet()));
    for (WindowInfo w : summary.windows()) {
      ProfileView v = ProfileView.read(writer.pathFor(w));
      assertEquals(250, ProfileGroup.rowsOf(v));
      assertEquals(new TreeSet<>(Arrays.asList(names)), v.columns().keySet());
    }
  }

  @Test
  void anEmptyDataFrameProfilesToItsColumnsWithNoRows() {
    ProfileView view = SparkProfiler.builder().build().profile(frame(List.of(), MIXED, 2).filter("id < 0"));
    assertEquals(MIXED.fields().length, view.columns().size());
    view.columns().values().forEach(c -> assertEquals(0, c.counts().n()));
  }

  @Test
  void mistakesAreReportedBeforeAnyJobRuns() {
    // a repeated name (after a join) is renamed as by every door (ColumnNames): x and x.1
    StructType dup = new StructType(new StructField[] {field("x", DataTypes.LongType), field("x", DataTypes.StringType)});
    ProfileView dupView = SparkProfiler.builder().build().profile(
        frame(List.of(RowFactory.create(1L, "a"), RowFactory.create(2L, null)), dup, 1));
    assertEquals(Set.of("x", "x.1"), dupView.columns().keySet());
    assertEquals(2, dupView.column("x").orElseThrow().types().integral());
    assertEquals(1, dupView.column("x.1").orElseThrow().types().string());

    Dataset<Row> df = frame(List.of(), MIXED, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkProfiler.builder().datasetId("d")
        .timeColumn("name", Duration.ofHours(1)).build().profileGroups(df));
    assertTrue(e.getMessage().contains("time column 'name' is string"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> SparkProfiler.builder().datasetId("d")
        .segmentColumns("nope").build().profileGroups(df));
    assertTrue(e.getMessage().contains("segment column 'nope' is not in the DataFrame; its columns are [id, small"),
        e.getMessage());

    IllegalStateException s = assertThrows(IllegalStateException.class,
        () -> SparkProfiler.builder().datasetId("d").build().write(df, new LocalDirectoryWriter(Path.of("unused"))));
    assertTrue(s.getMessage().contains("timeColumn"), s.getMessage());
  }

  static Set<String> binFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(".bin")).map(p -> root.relativize(p).toString().replace('\\', '/'))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
