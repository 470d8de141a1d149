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

  /**
   * {@code body} with every 8-byte little-endian {@code from} replaced by {@code to}: in
   * {@link #stream}'s bytes, a row count of 12,345 appears only as the batches' and field nodes'
   * lengths, so the framing stays sound while the batches claim rows their buffers do not hold.
   */
  static byte[] replaceLong(byte[] body, long from, long to) {
    byte[] out = body.clone();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int hits = 0;
    for (int i = 0; i + 8 <= out.length; i++) {
      if (b.getLong(i) == from) {
        b.putLong(i, to);
        hits++;
      }
    }
    if (hits == 0) {
      throw new IllegalArgumentException(from + " is not in the stream");
    }
    return out;
  }

  /**
   * {@link #stream}'s bytes with the first batch's city offsets broken: the offset after "Auckland"
   * (18, followed by 30) points far past the data.
   */
  static byte[] brokenOffsets(byte[] body) {
    byte[] out = body.clone();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 4; i + 8 <= out.length; i += 4) {
      if (b.getInt(i - 4) == 10 && b.getInt(i) == 18 && b.getInt(i + 4) == 30) {
        b.putInt(i, 0x7FFFFFF0);
        return out;
      }
    }
    throw new IllegalArgumentException("no city offsets found");
  }

  /** A dictionary-encoded column "city" of {@code indices} into a 3-word dictionary (any index, even outside it). */
  static byte[] dictionaryEncoded(int... indices) {
    try (BufferAllocator alloc = new RootAllocator();
        VarCharVector words = new VarCharVector("city-words", alloc);
        org.apache.arrow.vector.IntVector idx = new org.apache.arrow.vector.IntVector("city",
            new org.apache.arrow.vector.types.pojo.FieldType(true, new org.apache.arrow.vector.types.pojo.ArrowType.Int(32,
                true), new org.apache.arrow.vector.types.pojo.DictionaryEncoding(1, false, null)), alloc)) {
      words.allocateNew(3);
      String[] w = {"Wellington", "Auckland", "Dunedin"};
      for (int i = 0; i < w.length; i++) {
        words.setSafe(i, w[i].getBytes(StandardCharsets.UTF_8));
      }
      words.setValueCount(w.length);
      idx.allocateNew(indices.length);
      for (int i = 0; i < indices.length; i++) {
        idx.set(i, indices[i]);
      }
      idx.setValueCount(indices.length);
      org.apache.arrow.vector.dictionary.DictionaryProvider.MapDictionaryProvider provider =
          new org.apache.arrow.vector.dictionary.DictionaryProvider.MapDictionaryProvider();
      provider.put(new org.apache.arrow.vector.dictionary.Dictionary(words,
          new org.apache.arrow.vector.types.pojo.DictionaryEncoding(1, false, null)));
      try (VectorSchemaRoot root = new VectorSchemaRoot(List.of(idx.getField()), List.of(idx), indices.length);
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          ArrowStreamWriter writer = new ArrowStreamWriter(root, provider, out)) {
        writer.start();
        writer.writeBatch();
        writer.end();
        return out.toByteArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
