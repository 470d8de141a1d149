package dev.loupe.spark;

import dev.loupe.core.ColumnNames;
import java.io.Serializable;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.CharType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.VarcharType;

/**
 * How one Spark column is read from an {@code InternalRow} (by field index, never by name) and
 * which Arrow vector (or direct append) carries it into the core profile. The mapping is core's
 * value table ({@link dev.loupe.core.ValueKind}); repeated names follow {@link ColumnNames}:
 *
 * <table>
 *   <caption>Spark type to profile kind</caption>
 *   <tr><td>byte, short, int, long</td><td>integral (BigInt vector)</td></tr>
 *   <tr><td>float, double, decimal</td><td>fractional (Float8 vector; decimals as {@code BigDecimal.doubleValue()})</td></tr>
 *   <tr><td>string, char, varchar</td><td>string (VarChar vector, UTF-8 bytes copied straight from Spark's rows)</td></tr>
 *   <tr><td>boolean</td><td>boolean (Bit vector)</td></tr>
 *   <tr><td>array of a numeric type</td><td>tensor</td></tr>
 *   <tr><td>null type</td><td>all nulls</td></tr>
 *   <tr><td>anything else (date, timestamp, binary, struct, map, interval, variant, ...)</td><td>object</td></tr>
 * </table>
 */
record ColumnSpec(String name, int index, Reader reader, DataType type) implements Serializable {

  enum Reader {
    BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, DECIMAL, STRING, BOOLEAN,
    // appended straight to the column's entry (ColumnAppender), without an Arrow vector:
    TENSOR, NULL, OBJECT, DATE, TIMESTAMP;

    boolean direct() {
      return ordinal() >= TENSOR.ordinal();
    }
  }

  static ColumnSpec[] of(StructType schema) {
    StructField[] fields = schema.fields();
    ColumnSpec[] out = new ColumnSpec[fields.length];
    java.util.List<String> names = new java.util.ArrayList<>();
    for (StructField f : fields) {
      names.add(f.name());
    }
    names = ColumnNames.unique(names); // a repeated name (after a join) is "x.1", as in every other door
    for (int i = 0; i < fields.length; i++) {
      out[i] = new ColumnSpec(names.get(i), i, readerFor(fields[i].dataType()), fields[i].dataType());
    }
    return out;
  }

  static Reader readerFor(DataType t) {
    if (t instanceof ByteType) {
      return Reader.BYTE;
    } else if (t instanceof ShortType) {
      return Reader.SHORT;
    } else if (t instanceof IntegerType) {
      return Reader.INT;
    } else if (t instanceof LongType) {
      return Reader.LONG;
    } else if (t instanceof FloatType) {
      return Reader.FLOAT;
    } else if (t instanceof DoubleType) {
      return Reader.DOUBLE;
    } else if (t instanceof DecimalType) {
      return Reader.DECIMAL;
    } else if (t instanceof StringType || t instanceof CharType || t instanceof VarcharType) {
      return Reader.STRING;
    } else if (t instanceof BooleanType) {
      return Reader.BOOLEAN;
    } else if (t instanceof NullType) {
      return Reader.NULL;
    } else if (t instanceof ArrayType a && isNumeric(a.elementType())) {
      return Reader.TENSOR;
    } else if (t instanceof DateType) {
      return Reader.DATE;
    } else if (t instanceof TimestampType || t instanceof TimestampNTZType) {
      return Reader.TIMESTAMP;
    }
    return Reader.OBJECT;
  }

  private static boolean isNumeric(DataType t) {
    Reader r = readerFor(t);
    return r == Reader.BYTE || r == Reader.SHORT || r == Reader.INT || r == Reader.LONG || r == Reader.FLOAT
        || r == Reader.DOUBLE || r == Reader.DECIMAL;
  }
}
