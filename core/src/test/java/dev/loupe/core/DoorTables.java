package dev.loupe.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The generated table of the cross-door tests (readers' file formats, the server's JSON and Arrow
 * bodies, Spark): nulls, NaN, ±infinity, 64-bit extremes, big decimals, unicode and empty strings,
 * timestamps, tensors, a repeated column name ("a" twice, which every door names "a" and "a.1")
 * and an odd one; with the rows door (the reference profile), an Arrow batch and JSON writing.
 */
public final class DoorTables {
  private DoorTables() {}

  public enum Kind { LONG, DOUBLE, STRING, BOOL, DECIMAL, TIME, TENSOR }

  public record Col(String name, Kind kind) {}

  /** The columns, with a repeated name ("a" twice) and an odd one; "a" twice becomes "a" and "a.1". */
  public static final List<Col> COLS = List.of(
      new Col("id", Kind.LONG), new Col("x", Kind.DOUBLE), new Col("s", Kind.STRING), new Col("b", Kind.BOOL),
      new Col("dec", Kind.DECIMAL), new Col("t", Kind.TIME), new Col("v", Kind.TENSOR),
      new Col("a", Kind.LONG), new Col("a", Kind.STRING), new Col("odd name ü", Kind.DOUBLE));
  public static final List<String> UNIQUE = ColumnNames.unique(COLS.stream().map(Col::name).toList());

  private static final String[] WORDS = {"", "ü", "日本語", "😀 emoji", "tab\there", "comma, inside", "quote \" in",
      "plain", "Ünïcödé", "a"};

  /** Rows of Java values: Long, Double, String, Boolean, BigDecimal, Instant, double[]; null is missing. */
  public static List<Object[]> table(long seed, int rows) {
    Random r = new Random(seed);
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      Object[] row = new Object[COLS.size()];
      for (int c = 0; c < row.length; c++) {
        boolean isNull = i > 3 && r.nextInt(7) == 0;
        row[c] = isNull ? null : value(COLS.get(c).kind(), r, i);
      }
      out.add(row);
    }
    return out;
  }

  private static Object value(Kind k, Random r, int i) {
    return switch (k) {
      case LONG -> i == 0 ? Long.MIN_VALUE : i == 1 ? Long.MAX_VALUE : (long) r.nextInt(2000) - 1000;
      case DOUBLE -> switch (i % 13) {
        case 5 -> Double.NaN;
        case 6 -> Double.POSITIVE_INFINITY;
        case 7 -> Double.NEGATIVE_INFINITY;
        case 8 -> -0.0;
        default -> Math.round(r.nextGaussian() * 1e6) / 1e3;
      };
      case STRING -> i % 11 == 4 ? "" : "s" + WORDS[r.nextInt(WORDS.length)] + (i % 3 == 0 ? "" : String.valueOf(r.nextInt(5)));
      case BOOL -> r.nextBoolean();
      case DECIMAL -> i == 0 ? new BigDecimal("12345678901234567890123456789012.123456")
          : BigDecimal.valueOf(r.nextLong() % 1_000_000_000_000L, 6);
      case TIME -> Instant.ofEpochMilli(i == 0 ? -86_400_123L : 1_700_000_000_000L + r.nextInt(1_000_000_000));
      case TENSOR -> {
        double[] v = new double[1 + r.nextInt(3)];
        for (int j = 0; j < v.length; j++) {
          v[j] = r.nextInt(100) / 4.0;
        }
        yield v;
      }
    };
  }

  /** The rows door: each row a map of (unique) column name to value. */
  public static ProfileView rows(List<Object[]> t) {
    DatasetProfile p = new DatasetProfile();
    for (Object[] row : t) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int c = 0; c < row.length; c++) {
        m.put(UNIQUE.get(c), row[c]);
      }
      p.track(m);
    }
    return p.view();
  }

  /** The table as one Arrow batch, the repeated name kept (an Arrow schema may repeat a name). */
  public static VectorSchemaRoot arrowRoot(List<Object[]> t, BufferAllocator alloc) {
    List<Field> fields = new ArrayList<>();
    for (Col c : COLS) {
      fields.add(switch (c.kind()) {
        case LONG -> Field.nullable(c.name(), new ArrowType.Int(64, true));
        case DOUBLE -> Field.nullable(c.name(), new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
        case STRING -> Field.nullable(c.name(), ArrowType.Utf8.INSTANCE);
        case BOOL -> Field.nullable(c.name(), ArrowType.Bool.INSTANCE);
        case DECIMAL -> Field.nullable(c.name(), new ArrowType.Decimal(38, 6, 128));
        case TIME -> Field.nullable(c.name(), new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"));
        case TENSOR -> new Field(c.name(), FieldType.nullable(ArrowType.List.INSTANCE), List.of(
            Field.nullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
      });
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), alloc);
    root.allocateNew();
    List<FieldVector> vs = root.getFieldVectors();
    for (int c = 0; c < COLS.size(); c++) {
      FieldVector v = vs.get(c);
      UnionListWriter lw = v instanceof ListVector l ? l.getWriter() : null;
      for (int i = 0; i < t.size(); i++) {
        Object x = t.get(i)[c];
        if (lw != null) {
          lw.setPosition(i);
          if (x != null) {
            lw.startList();
            for (double d : (double[]) x) {
              lw.float8().writeFloat8(d);
            }
            lw.endList();
          }
          continue;
        }
        if (x == null) {
          v.setNull(i);
          continue;
        }
        switch (COLS.get(c).kind()) {
          case LONG -> ((BigIntVector) v).setSafe(i, (Long) x);
          case DOUBLE -> ((Float8Vector) v).setSafe(i, (Double) x);
          case STRING -> ((VarCharVector) v).setSafe(i, ((String) x).getBytes(StandardCharsets.UTF_8));
          case BOOL -> ((BitVector) v).setSafe(i, (Boolean) x ? 1 : 0);
          case DECIMAL -> ((DecimalVector) v).setSafe(i, (BigDecimal) x);
          case TIME -> ((TimeStampMilliTZVector) v).setSafe(i, ((Instant) x).toEpochMilli());
          default -> throw new IllegalStateException();
        }
      }
      v.setValueCount(t.size());
    }
    root.setRowCount(t.size());
    return root;
  }

  /** JSON writing with NaN and the infinities as bare literals (which every JSON door reads). */
  public static final JsonFactory JSON = JsonFactory.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();

  /**
   * Writes row {@code row} as a JSON object, the repeated key twice; with {@code omitSomeNulls},
   * some null values are left out (a missing key is a null too), but never a repeated key's (a
   * repeated key is named by its order, so leaving out the first would rename the second).
   */
  public static void writeJsonObject(JsonGenerator g, Object[] row, boolean omitSomeNulls) throws IOException {
    g.writeStartObject();
    for (int c = 0; c < row.length; c++) {
      if (row[c] == null && omitSomeNulls && c % 2 == 1 && !COLS.get(c).name().equals("a")) {
        continue;
      }
      g.writeFieldName(COLS.get(c).name());
      writeJsonValue(g, row[c]);
    }
    g.writeEndObject();
  }

  /** A value as JSON: time as epoch milliseconds (JSON has no time), tensors as arrays. */
  public static void writeJsonValue(JsonGenerator g, Object x) throws IOException {
    if (x == null) {
      g.writeNull();
    } else if (x instanceof Long l) {
      g.writeNumber(l);
    } else if (x instanceof Double d) {
      g.writeNumber(d);
    } else if (x instanceof String s) {
      g.writeString(s);
    } else if (x instanceof Boolean bo) {
      g.writeBoolean(bo);
    } else if (x instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (x instanceof Instant i) {
      g.writeNumber(i.toEpochMilli());
    } else if (x instanceof double[] a) {
      g.writeArray(a, 0, a.length);
    } else {
      throw new IllegalArgumentException(String.valueOf(x));
    }
  }

  /** The table as JSON lines (some nulls as missing keys). */
  public static String jsonLines(List<Object[]> t) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Object[] row : t) {
      try (JsonGenerator g = JSON.createGenerator(out)) {
        writeJsonObject(g, row, true);
      }
      out.write('\n');
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
