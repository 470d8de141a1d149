package dev.loupe.examples;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileView;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Profiling Arrow batches: Arrow's {@link VectorSchemaRoot} is the JVM's dataframe, and
 * {@link DatasetProfile#trackDataframe(VectorSchemaRoot, DictionaryProvider)} profiles every
 * column of a batch in a tight loop over its buffers.
 *
 * <p>Shows each common column type and what Loupe makes of it:
 * <ul>
 *   <li>{@code id} BigIntVector: integral (distribution, ints, cardinality, frequent items);</li>
 *   <li>{@code price} Float8Vector with nulls and a NaN: fractional (distribution, cardinality);
 *       NaN counts in counts/null and counts/nan;</li>
 *   <li>{@code sku} VarCharVector: string (cardinality, frequent items);</li>
 *   <li>{@code color} dictionary-encoded strings: the indices are decoded through the
 *       {@link DictionaryProvider} and profiled as the strings they stand for;</li>
 *   <li>{@code in_stock} BitVector: boolean (counts/true, types/boolean);</li>
 *   <li>{@code updated_at} TimeStampMilliTZVector: an object column (counts and types only).</li>
 * </ul>
 * One batch (the same {@code VectorSchemaRoot}) is refilled and tracked several times, as a reader
 * would hand batches over. All Arrow memory is freed at the end; the allocator's close checks it.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED dev.loupe.examples.ArrowBatches [batches] [rowsPerBatch]
 * </pre>
 *
 * Prints the profile's summary JSON (the shape {@code loupe show --json} prints).
 */
public final class ArrowBatches {
  static final String[] COLORS = {"red", "green", "blue"};
  static final Instant START = Instant.parse("2024-05-01T00:00:00Z");

  private ArrowBatches() {}

  public static void main(String[] args) {
    int batches = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rowsPerBatch = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;

    DatasetProfile profile = new DatasetProfile()
        .datasetTimestamp(START)
        .tag("source", "ArrowBatches example");

    try (BufferAllocator allocator = new RootAllocator();
        DictionaryProvider.MapDictionaryProvider dictionaries = new DictionaryProvider.MapDictionaryProvider()) {
      // the dictionary of the color column: index i stands for COLORS[i]
      DictionaryEncoding colorEncoding = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));
      VarCharVector colorValues = new VarCharVector("color-dictionary", allocator);
      for (int i = 0; i < COLORS.length; i++) {
        colorValues.setSafe(i, COLORS[i].getBytes(StandardCharsets.UTF_8));
      }
      colorValues.setValueCount(COLORS.length);
      dictionaries.put(new Dictionary(colorValues, colorEncoding)); // the provider now owns (and closes) it

      Schema schema = new Schema(List.of(
          Field.nullable("id", new ArrowType.Int(64, true)),
          Field.nullable("price", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
          Field.nullable("sku", ArrowType.Utf8.INSTANCE),
          new Field("color", new FieldType(true, new ArrowType.Int(32, true), colorEncoding), null),
          Field.nullable("in_stock", ArrowType.Bool.INSTANCE),
          Field.nullable("updated_at", new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"))));

      try (VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator)) {
        for (int b = 0; b < batches; b++) {
          fill(batch, (long) b * rowsPerBatch, rowsPerBatch);
          profile.trackDataframe(batch, dictionaries);
        }
      }
    } // closing the allocator throws if any buffer was not released

    ProfileView view = profile.view();
    System.out.println(view.toJson());
  }

  /** Fills {@code batch} with rows [first, first + n). */
  static void fill(VectorSchemaRoot batch, long first, int n) {
    BigIntVector id = (BigIntVector) batch.getVector("id");
    Float8Vector price = (Float8Vector) batch.getVector("price");
    VarCharVector sku = (VarCharVector) batch.getVector("sku");
    IntVector color = (IntVector) batch.getVector("color"); // holds dictionary indices
    BitVector inStock = (BitVector) batch.getVector("in_stock");
    TimeStampMilliTZVector updatedAt = (TimeStampMilliTZVector) batch.getVector("updated_at");

    batch.allocateNew();
    for (int i = 0; i < n; i++) {
      long row = first + i;
      id.setSafe(i, row);
      if (row % 10 == 9) {
        price.setNull(i);
      } else if (row == 3) {
        price.setSafe(i, Double.NaN);
      } else {
        price.setSafe(i, 1.0 + (row % 100));
      }
      sku.setSafe(i, ("SKU-" + (row % 50)).getBytes(StandardCharsets.UTF_8));
      color.setSafe(i, colorOf(row));
      inStock.setSafe(i, row % 4 == 0 ? 0 : 1);
      updatedAt.setSafe(i, START.toEpochMilli() + row * 1000);
    }
    batch.setRowCount(n);
  }

  /** The dictionary index of a row's color: red for half the rows, then green, then blue. */
  static int colorOf(long row) {
    int r = (int) (row % 6);
    return r < 3 ? 0 : r < 5 ? 1 : 2;
  }
}
