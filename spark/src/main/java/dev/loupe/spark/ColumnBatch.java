package dev.loupe.spark;

import dev.loupe.core.ColumnAppender;
import dev.loupe.core.ColumnKind;
import dev.loupe.core.DatasetProfile;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One group's rows of the current batch, column by column: each numeric, string and boolean Spark
 * column goes into a typed Arrow vector (read from the row by field index, no boxing, no per-value
 * map), and a full batch is handed to the group's {@link DatasetProfile} through core's columnar
 * Arrow path; times, tensors, objects and nulls are appended straight to the column's
 * {@link ColumnAppender}. Vectors
 * are allocated on first use and grow to at most {@code maxRows} rows; {@link #release()} frees
 * them (a partition with many groups releases idle batches to bound its memory).
 */
final class ColumnBatch implements AutoCloseable {
  private final ColumnSpec[] columns;
  private final BufferAllocator allocator;
  private final int maxRows;
  final DatasetProfile profile;
  private FieldVector[] vectors;
  private final ColumnAppender[] direct;
  private int rows;

  ColumnBatch(ColumnSpec[] columns, BufferAllocator allocator, int maxRows, DatasetProfile profile) {
    this.columns = columns;
    this.allocator = allocator;
    this.maxRows = maxRows;
    this.profile = profile;
    this.direct = new ColumnAppender[columns.length];
    for (int c = 0; c < columns.length; c++) {
      ColumnSpec.Reader r = columns[c].reader();
      if (r.direct()) {
        direct[c] = r == ColumnSpec.Reader.DATE || r == ColumnSpec.Reader.TIMESTAMP
            ? profile.column(columns[c].name(), ColumnKind.TIME)
            : profile.column(columns[c].name(), ColumnKind.OBJECT);
      }
    }
  }

  int rows() {
    return rows;
  }

  /** Adds one row; flushes into the profile when the batch is full. */
  void add(InternalRow row) {
    if (vectors == null) {
      allocate();
    }
    int r = rows;
    ColumnSpec[] cs = columns;
    FieldVector[] vs = vectors;
    for (int c = 0; c < cs.length; c++) {
      int i = cs[c].index();
      switch (cs[c].reader()) {
        case LONG -> {
          BigIntVector v = (BigIntVector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            v.set(r, row.getLong(i));
          }
        }
        case INT -> {
          BigIntVector v = (BigIntVector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            v.set(r, row.getInt(i));
          }
        }
        case SHORT -> {
          BigIntVector v = (BigIntVector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            v.set(r, row.getShort(i));
          }
        }
        case BYTE -> {
          BigIntVector v = (BigIntVector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            v.set(r, row.getByte(i));
          }
        }
        case DOUBLE -> {
          Float8Vector v = (Float8Vector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            v.set(r, row.getDouble(i));
          }
        }
        case FLOAT -> {
          Float8Vector v = (Float8Vector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            v.set(r, row.getFloat(i));
          }
        }
        case DECIMAL -> {
          Float8Vector v = (Float8Vector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            DecimalType dt = (DecimalType) cs[c].type();
            // as core does for BigDecimal values, so the Spark profile equals the core profile exactly
            v.set(r, row.getDecimal(i, dt.precision(), dt.scale()).toJavaBigDecimal().doubleValue());
          }
        }
        case STRING -> {
          VarCharVector v = (VarCharVector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            UTF8String s = row.getUTF8String(i);
            if (s.getBaseObject() instanceof byte[] bytes) {
              // the row's own bytes: no intermediate String or byte[]
              v.setSafe(r, bytes, (int) (s.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET), s.numBytes());
            } else {
              byte[] copy = s.getBytes();
              v.setSafe(r, copy, 0, copy.length);
            }
          }
        }
        case BOOLEAN -> {
          BitVector v = (BitVector) vs[c];
          if (row.isNullAt(i)) {
            v.setNull(r);
          } else {
            v.set(r, row.getBoolean(i) ? 1 : 0);
          }
        }
        case TENSOR -> {
          if (row.isNullAt(i)) {
            direct[c].appendNull();
          } else {
            direct[c].appendTensors(1); // a non-null numeric array counts as one tensor
          }
        }
        case NULL -> direct[c].appendNull();
        case OBJECT -> {
          if (row.isNullAt(i)) {
            direct[c].appendNull();
          } else {
            direct[c].appendObjects(1); // the profile counts the object, not its value
          }
        }
        case DATE -> {
          if (row.isNullAt(i)) {
            direct[c].appendNull();
          } else {
            direct[c].appendEpochMillis(row.getInt(i) * 86_400_000L);
          }
        }
        case TIMESTAMP -> {
          if (row.isNullAt(i)) {
            direct[c].appendNull();
          } else {
            direct[c].appendEpochMillis(Math.floorDiv(row.getLong(i), 1000L)); // microseconds, floored
          }
        }
        default -> throw new IllegalStateException(cs[c].reader().toString());
      }
    }
    rows = r + 1;
    if (rows == maxRows) {
      flush();
    }
  }

  private void allocate() {
    vectors = new FieldVector[columns.length];
    for (int c = 0; c < columns.length; c++) {
      String name = columns[c].name();
      FieldVector v = switch (columns[c].reader()) {
        case BYTE, SHORT, INT, LONG -> new BigIntVector(name, allocator);
        case FLOAT, DOUBLE, DECIMAL -> new Float8Vector(name, allocator);
        case STRING -> new VarCharVector(name, allocator);
        case BOOLEAN -> new BitVector(name, allocator);
        case TENSOR, NULL, OBJECT, DATE, TIMESTAMP -> null; // appended directly
      };
      if (v == null) {
        continue;
      }
      if (v instanceof VarCharVector s) {
        s.allocateNew(16L * maxRows, maxRows);
      } else {
        v.setInitialCapacity(maxRows);
        v.allocateNew();
      }
      vectors[c] = v;
    }
  }

  /** Hands the buffered rows to the profile (every column, also when there are none). */
  void flush() {
    if (vectors == null) {
      allocate();
    }
    int n = rows;
    for (int c = 0; c < columns.length; c++) {
      FieldVector v = vectors[c];
      if (v == null) {
        continue; // a direct column is already in the profile
      }
      v.setValueCount(n);
      profile.trackColumn(columns[c].name(), v, n, null);
      v.reset();
    }
    rows = 0;
  }

  /** Flushes and frees the vectors; the next row allocates them again. */
  void release() {
    if (rows > 0) {
      flush();
    }
    close();
  }

  @Override
  public void close() {
    if (vectors != null) {
      for (FieldVector v : vectors) {
        if (v != null) {
          v.close();
        }
      }
      vectors = null;
    }
    rows = 0;
  }
}
