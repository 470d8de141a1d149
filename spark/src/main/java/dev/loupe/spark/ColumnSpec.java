package dev.loupe.spark;

import java.io.Serializable;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.CharType;
import org.apache.spark.sql.types.DataType;
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
 * which Arrow vector carries it into the core profile. The mapping follows Loupe's Arrow rules:
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

  enum Reader { BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, DECIMAL, STRING, BOOLEAN, TENSOR, NULL, OBJECT }

  static ColumnSpec[] of(StructType schema) {
    StructField[] fields = schema.fields();
    ColumnSpec[] out = new ColumnSpec[fields.length];
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    for (int i = 0; i < fields.length; i++) {
      Integer earlier = seen.put(fields[i].name(), i);
      if (earlier != null) {
        throw new IllegalArgumentException("the DataFrame has two columns named '" + fields[i].name() + "' (fields "
            + earlier + " and " + i + "), so their profiles would mix; rename one first, for example with toDF(...)");
      }
      out[i] = new ColumnSpec(fields[i].name(), i, readerFor(fields[i].dataType()), fields[i].dataType());
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
    }
    return Reader.OBJECT;
  }

  private static boolean isNumeric(DataType t) {
    Reader r = readerFor(t);
    return r == Reader.BYTE || r == Reader.SHORT || r == Reader.INT || r == Reader.LONG || r == Reader.FLOAT
        || r == Reader.DOUBLE || r == Reader.DECIMAL;
  }
}
