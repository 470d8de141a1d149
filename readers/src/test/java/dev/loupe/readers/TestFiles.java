package dev.loupe.readers;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Generated tables and the same rows written as CSV, JSON lines, Parquet and Arrow, with the
 * libraries the readers read them with. Columns: id (long), x (double, nulls), s (string, nulls;
 * few or many distinct values), b (boolean, nulls), n (long, nulls).
 */
final class TestFiles {
  private TestFiles() {}

  static final List<String> NAMES = List.of("id", "x", "s", "b", "n");

  /** Rows of typed values (null is missing). */
  record Table(List<Object[]> rows) {
    @Override
    public String toString() {
      return rows.size() + " rows";
    }
  }

  static Table table(long seed, int rows, int distinctStrings) {
    Random r = new Random(seed);
    List<Object[]> out = new ArrayList<>(rows);
    int nullEvery = 2 + r.nextInt(20);
    for (int i = 0; i < rows; i++) {
      out.add(new Object[] {
          (long) i,
          i % nullEvery == 1 ? null : Math.round(r.nextGaussian() * 1e6) / 1e3,
          i % nullEvery == 2 ? null : "v" + r.nextInt(Math.max(1, distinctStrings)),
          i % nullEvery == 3 ? null : r.nextBoolean(),
          i % nullEvery == 4 ? null : (long) r.nextInt(1000) - 500});
    }
    return new Table(out);
  }

  static Path csv(Path file, Table t) throws IOException {
    StringBuilder b = new StringBuilder(String.join(",", NAMES)).append('\n');
    for (Object[] row : t.rows()) {
      for (int c = 0; c < row.length; c++) {
        if (c > 0) {
          b.append(',');
        }
        if (row[c] != null) {
          b.append(row[c]);
        }
      }
      b.append('\n');
    }
    write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    return file;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  static Path jsonl(Path file, Table t) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Object[] row : t.rows()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int c = 0; c < row.length; c++) {
        if (row[c] != null || c % 2 == 0) { // odd columns leave nulls out, even ones write null
          m.put(NAMES.get(c), row[c]);
        }
      }
      b.append(JSON.writeValueAsString(m)).append('\n');
    }
    write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    return file;
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    if (file.getFileName().toString().endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(bytes);
      }
    } else {
      Files.write(file, bytes);
    }
  }

  static final MessageType PARQUET_SCHEMA = MessageTypeParser.parseMessageType(
      "message t { required int64 id; optional double x; optional binary s (STRING); optional boolean b;"
          + " optional int64 n; }");

  static Path parquet(Path file, Table t, CompressionCodecName codec) throws IOException {
    Files.deleteIfExists(file);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(PARQUET_SCHEMA).withConf(new PlainParquetConfiguration()).withCompressionCodec(codec)
        .withRowGroupSize(8 * 1024L).withPageSize(1024).withDictionaryPageSize(1024).build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(PARQUET_SCHEMA);
      for (Object[] row : t.rows()) {
        Group g = f.newGroup();
        g.append("id", (Long) row[0]);
        if (row[1] != null) {
          g.append("x", (Double) row[1]);
        }
        if (row[2] != null) {
          g.append("s", (String) row[2]);
        }
        if (row[3] != null) {
          g.append("b", (Boolean) row[3]);
        }
        if (row[4] != null) {
          g.append("n", (Long) row[4]);
        }
        w.write(g);
      }
    }
    return file;
  }

  static Path arrowFile(Path file, Table t, int batchRows) throws IOException {
    Schema schema = new Schema(List.of(
        Field.notNullable("id", new ArrowType.Int(64, true)),
        Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        Field.nullable("s", ArrowType.Utf8.INSTANCE),
        Field.nullable("b", ArrowType.Bool.INSTANCE),
        Field.nullable("n", new ArrowType.Int(64, true))));
    try (RootAllocator allocator = new RootAllocator();
         VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
         FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
             StandardOpenOption.TRUNCATE_EXISTING);
         ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
      w.start();
      List<Object[]> rows = t.rows();
      for (int from = 0; from < rows.size(); from += batchRows) {
        int n = Math.min(batchRows, rows.size() - from);
        root.allocateNew();
        for (int i = 0; i < n; i++) {
          Object[] row = rows.get(from + i);
          ((BigIntVector) root.getVector("id")).setSafe(i, (Long) row[0]);
          setOrNull((Float8Vector) root.getVector("x"), i, row[1]);
          if (row[2] == null) {
            ((VarCharVector) root.getVector("s")).setNull(i);
          } else {
            ((VarCharVector) root.getVector("s")).setSafe(i, ((String) row[2]).getBytes(StandardCharsets.UTF_8));
          }
          if (row[3] == null) {
            ((BitVector) root.getVector("b")).setNull(i);
          } else {
            ((BitVector) root.getVector("b")).setSafe(i, (Boolean) row[3] ? 1 : 0);
          }
          if (row[4] == null) {
            ((BigIntVector) root.getVector("n")).setNull(i);
          } else {
            ((BigIntVector) root.getVector("n")).setSafe(i, (Long) row[4]);
          }
        }
        root.setRowCount(n);
        w.writeBatch();
      }
      w.end();
    }
    return file;
  }

  private static void setOrNull(Float8Vector v, int i, Object d) {
    if (d == null) {
      v.setNull(i);
    } else {
      v.setSafe(i, (Double) d);
    }
  }

}
