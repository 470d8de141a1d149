package dev.loupe.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/** Arrow IPC streams for the tests: {@code batches} batches of {@code rows} rows (id, score, city). */
final class ArrowStreams {
  private ArrowStreams() {}

  static byte[] stream(int batches, int rows) {
    try (BufferAllocator alloc = new RootAllocator();
        BigIntVector id = new BigIntVector("id", alloc);
        Float8Vector score = new Float8Vector("score", alloc);
        VarCharVector city = new VarCharVector("city", alloc)) {
      String[] cities = {"Wellington", "Auckland", "Christchurch", "Dunedin"};
      byte[][] cityBytes = new byte[cities.length][];
      for (int i = 0; i < cities.length; i++) {
        cityBytes[i] = cities[i].getBytes(StandardCharsets.UTF_8);
      }
      id.allocateNew(rows);
      score.allocateNew(rows);
      city.allocateNew((long) rows * 12, rows);
      for (int i = 0; i < rows; i++) {
        id.set(i, i);
        score.set(i, i * 0.5);
        city.setSafe(i, cityBytes[i % cityBytes.length]);
      }
      id.setValueCount(rows);
      score.setValueCount(rows);
      city.setValueCount(rows);
      List<FieldVector> vs = List.of(id, score, city);
      try (VectorSchemaRoot root = new VectorSchemaRoot(vs);
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          ArrowStreamWriter w = new ArrowStreamWriter(root, null, out)) {
        root.setRowCount(rows);
        w.start();
        for (int b = 0; b < batches; b++) {
          w.writeBatch();
        }
        w.end();
        return out.toByteArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One batch of {@code rows} rows in 10 columns: 4 int64, 4 float64, 2 utf8 (low and high cardinality). */
  static byte[] wide(int rows, long seed) {
    java.util.Random random = new java.util.Random(seed);
    try (BufferAllocator alloc = new RootAllocator()) {
      List<FieldVector> vs = new java.util.ArrayList<>();
      for (int c = 0; c < 4; c++) {
        BigIntVector v = new BigIntVector("i" + c, alloc);
        v.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          v.set(i, random.nextInt(1000 * (c + 1)));
        }
        v.setValueCount(rows);
        vs.add(v);
      }
      for (int c = 0; c < 4; c++) {
        Float8Vector v = new Float8Vector("f" + c, alloc);
        v.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          v.set(i, random.nextGaussian() * (c + 1));
        }
        v.setValueCount(rows);
        vs.add(v);
      }
      for (int c = 0; c < 2; c++) {
        VarCharVector v = new VarCharVector("s" + c, alloc);
        v.allocateNew((long) rows * 10, rows);
        int card = c == 0 ? 20 : 100_000;
        for (int i = 0; i < rows; i++) {
          v.setSafe(i, ("v" + random.nextInt(card)).getBytes(StandardCharsets.UTF_8));
        }
        v.setValueCount(rows);
        vs.add(v);
      }
      try (VectorSchemaRoot root = new VectorSchemaRoot(vs);
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          ArrowStreamWriter w = new ArrowStreamWriter(root, null, out)) {
        root.setRowCount(rows);
        w.start();
        w.writeBatch();
        w.end();
        return out.toByteArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
