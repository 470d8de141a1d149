package dev.loupe.readers;

import de.siegmar.fastcsv.reader.CsvRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The type inferred for a CSV column, and how its cells go into the Arrow vector of that type.
 * A cell that does not fit ({@link #write} returns false) is left null in the vector and reported
 * beside the batch, typed on its own by {@link CellText#classify}.
 */
enum ColumnType {
  /** Every non-empty sampled cell is a 64-bit integer. */
  INTEGER(new ArrowType.Int(64, true)) {
    @Override
    boolean write(FieldVector v, int row, String cell) {
      long x = CellText.fastLong(cell);
      if (x == Long.MIN_VALUE) {
        if (!CellText.isLong(cell)) {
          return false;
        }
        x = Long.parseLong(cell);
      }
      ((BigIntVector) v).setSafe(row, x);
      return true;
    }

    @Override
    boolean write(FieldVector v, int row, char[] buf, int off, int len, Utf8Scratch utf8) {
      long x = CellText.fastLong(buf, off, len);
      if (x == Long.MIN_VALUE) {
        return write(v, row, new String(buf, off, len)); // 19 digits, or not an integer: rare
      }
      ((BigIntVector) v).setSafe(row, x);
      return true;
    }

    @Override
    boolean append(CsvByteRange.Values a, int column, char[] buf, int off, int len) {
      long x = CellText.fastLong(buf, off, len);
      if (x == Long.MIN_VALUE) { // 19 digits, or not an integer: rare
        String cell = new String(buf, off, len);
        if (!CellText.isLong(cell)) {
          return false;
        }
        x = Long.parseLong(cell);
      }
      a.addLong(column, x);
      return true;
    }
  },
  /** Every non-empty sampled cell is a number (or NaN, inf), and at least one is not an integer. */
  FRACTIONAL(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)) {
    @Override
    boolean write(FieldVector v, int row, String cell) {
      Double d = CellText.parseDouble(cell);
      if (d == null) {
        return false;
      }
      ((Float8Vector) v).setSafe(row, d);
      return true;
    }

    @Override
    boolean write(FieldVector v, int row, char[] buf, int off, int len, Utf8Scratch utf8) {
      double d = CellText.fastDouble(buf, off, len);
      if (d != d) {
        return write(v, row, new String(buf, off, len)); // not the simple form: the general rules decide
      }
      ((Float8Vector) v).setSafe(row, d);
      return true;
    }

    @Override
    boolean append(CsvByteRange.Values a, int column, char[] buf, int off, int len) {
      double d = CellText.fastDouble(buf, off, len);
      if (d != d) { // not the simple form: the general rules decide
        Double general = CellText.parseDouble(new String(buf, off, len));
        if (general == null) {
          return false;
        }
        d = general;
      }
      a.addDouble(column, d);
      return true;
    }
  },
  /** Every non-empty sampled cell is true or false, in any case. */
  BOOLEAN(ArrowType.Bool.INSTANCE) {
    @Override
    boolean write(FieldVector v, int row, String cell) {
      Boolean b = CellText.parseBoolean(cell);
      if (b == null) {
        return false;
      }
      ((BitVector) v).setSafe(row, b ? 1 : 0);
      return true;
    }

    @Override
    boolean write(FieldVector v, int row, char[] buf, int off, int len, Utf8Scratch utf8) {
      int b = CellText.parseBoolean(buf, off, len);
      if (b < 0) {
        return false;
      }
      ((BitVector) v).setSafe(row, b);
      return true;
    }

    @Override
    boolean append(CsvByteRange.Values a, int column, char[] buf, int off, int len) {
      int b = CellText.parseBoolean(buf, off, len);
      if (b < 0) {
        return false;
      }
      a.addBoolean(column, b == 1);
      return true;
    }
  },
  /**
   * Every non-empty sampled cell is an ISO-8601 date or timestamp ({@link CellText#epochMillis}): the
   * column is time, epoch milliseconds in a timestamp vector without a zone (the instants are UTC,
   * as DuckDB's TIMESTAMP), which core profiles as time. A later cell that is not one stays what it
   * is (text, a number), beside the batch.
   */
  TIME(new ArrowType.Timestamp(TimeUnit.MILLISECOND, null)) {
    @Override
    boolean write(FieldVector v, int row, String cell) {
      long ms = CellText.epochMillis(cell);
      if (ms == CellText.NOT_TIME) {
        return false;
      }
      ((TimeStampMilliVector) v).setSafe(row, ms);
      return true;
    }

    @Override
    boolean write(FieldVector v, int row, char[] buf, int off, int len, Utf8Scratch utf8) {
      long ms = CellText.epochMillis(buf, off, len);
      if (ms == CellText.NOT_TIME) {
        return false;
      }
      ((TimeStampMilliVector) v).setSafe(row, ms);
      return true;
    }

    @Override
    boolean append(CsvByteRange.Values a, int column, char[] buf, int off, int len) {
      long ms = CellText.epochMillis(buf, off, len);
      if (ms == CellText.NOT_TIME) {
        return false;
      }
      a.addLong(column, ms); // the column's entry takes them as times
      return true;
    }
  },
  /** Anything else: every cell is its text. */
  STRING(ArrowType.Utf8.INSTANCE) {
    @Override
    boolean write(FieldVector v, int row, String cell) {
      ((VarCharVector) v).setSafe(row, cell.getBytes(StandardCharsets.UTF_8));
      return true;
    }

    @Override
    boolean write(FieldVector v, int row, char[] buf, int off, int len, Utf8Scratch utf8) {
      int n = utf8.encode(buf, off, len);
      ((VarCharVector) v).setSafe(row, utf8.bytes(), 0, n);
      return true;
    }
  },
  /**
   * The sample held no value at all. Each later cell is typed on its own: text goes into the
   * (string) vector, numbers and booleans are reported beside the batch as what they are.
   */
  UNDECIDED(ArrowType.Utf8.INSTANCE) {
    @Override
    boolean write(FieldVector v, int row, String cell) {
      return CellText.classify(cell) instanceof String && STRING.write(v, row, cell);
    }

    @Override
    boolean write(FieldVector v, int row, char[] buf, int off, int len, Utf8Scratch utf8) {
      return write(v, row, new String(buf, off, len));
    }
  };

  private final ArrowType arrowType;

  ColumnType(ArrowType arrowType) {
    this.arrowType = arrowType;
  }

  ArrowType arrowType() {
    return arrowType;
  }

  /** Sets {@code vector[row]} from a non-empty cell; false (vector untouched) when the cell does not fit. */
  abstract boolean write(FieldVector vector, int row, String cell);

  /**
   * {@link #write(FieldVector, int, String)} of the non-empty cell in {@code len} chars of
   * {@code buf} from {@code off}, with the same result, mostly without making a String;
   * {@code utf8} is scratch space for string cells.
   */
  abstract boolean write(FieldVector vector, int row, char[] buf, int off, int len, Utf8Scratch utf8);

  /**
   * Adds the non-empty cell in {@code len} chars of {@code buf} from {@code off} to {@code column}
   * of a byte-path batch as the value {@link #write(FieldVector, int, char[], int, int, Utf8Scratch)}
   * would set in the vector (which core tracks as that same append); false (nothing added) when the
   * cell does not fit. Text columns are tracked through their vectors instead: they do not append.
   */
  boolean append(CsvByteRange.Values a, int column, char[] buf, int off, int len) {
    throw new UnsupportedOperationException(this + " cells are tracked through a UTF-8 vector");
  }

  /** The narrowest type that fits every non-empty cell of {@code column} in {@code sample}. */
  static ColumnType infer(List<CsvRecord> sample, int column) {
    boolean any = false;
    boolean longs = true;
    boolean doubles = true;
    boolean booleans = true;
    boolean times = true;
    for (CsvRecord r : sample) {
      String cell = r.getField(column);
      if (cell.isEmpty()) {
        continue;
      }
      any = true;
      longs = longs && CellText.isLong(cell);
      doubles = doubles && (longs || CellText.parseDouble(cell) != null);
      booleans = booleans && CellText.parseBoolean(cell) != null;
      times = times && CellText.epochMillis(cell) != CellText.NOT_TIME;
      if (!doubles && !booleans && !times) {
        return STRING;
      }
    }
    if (!any) {
      return UNDECIDED;
    }
    return longs ? INTEGER : doubles ? FRACTIONAL : booleans ? BOOLEAN : TIME;
  }
}
