package dev.loupe.core;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.impl.Constraint;

/**
 * QuickTheories generators for the core property tests: tables of mixed columns (rows as maps),
 * the same tables as Arrow batches, and profile properties. Case counts come from the system
 * property {@code loupe.props.cases} (Surefire passes it; 300 by default, 5000 with -Plong).
 */
final class Generators {
  private Generators() {}

  static int cases() {
    return Integer.getInteger("loupe.props.cases", 300);
  }

  /** Shrinking replays whole profiles; a few cycles keep a failure report fast. */
  static final int SHRINK_CYCLES = 20;

  // ---- values ----

  static final List<Long> EDGE_LONGS = List.of(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1,
      0L, -1L, 1L, (long) Integer.MAX_VALUE + 1, (long) Integer.MIN_VALUE - 1, 1L << 53, -(1L << 53) - 1);

  static final List<Double> EDGE_DOUBLES = List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
      -0.0, 0.0, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
      1e150, -1e150, 1e-300, 9.223372036854776E18, 0.1, 1.0);

  static final String LONG_STRING = "x".repeat(127) + "\u00e9" + "tail".repeat(40); // > 128 chars, cut mid-way

  static final List<String> EDGE_STRINGS = List.of("", " ", "a", "A", "1", "3.000000", "True", "null", "NaN",
      "\uD83D\uDE00", // emoji (a surrogate pair)
      "e\u0301", "\u00e9", // combining acute vs precomposed: different strings
      "\u540d\u524d", "\u0000", "tab\tnew\nline", LONG_STRING, LONG_STRING + "-other-suffix",
      "\uD83D\uDC69\u200D\uD83D\uDCBB" + "z".repeat(200));

  static final Gen<Long> LONG_VALUES = Generate.frequency(
      Pair.of(2, Generate.pick(EDGE_LONGS)),
      Pair.of(3, longs().between(-20, 20)),
      Pair.of(4, longs().all()));

  static final Gen<Double> DOUBLE_VALUES = Generate.frequency(
      Pair.of(2, Generate.pick(EDGE_DOUBLES)),
      Pair.of(6, doubles().between(-1e6, 1e6)),
      Pair.of(1, doubles().any()));

  /** Valid Unicode only (no lone surrogates): ASCII, Latin-1, combining marks, CJK, emoji. */
  static final Gen<String> RANDOM_STRINGS = rs -> {
    int len = (int) rs.next(Constraint.between(0, 12));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      int block = (int) rs.next(Constraint.between(0, 4));
      int cp = switch (block) {
        case 0 -> (int) rs.next(Constraint.between(0x20, 0x7e));
        case 1 -> (int) rs.next(Constraint.between(0xa0, 0xff));
        case 2 -> (int) rs.next(Constraint.between(0x300, 0x36f));
        case 3 -> (int) rs.next(Constraint.between(0x4e00, 0x4fff));
        default -> (int) rs.next(Constraint.between(0x1f600, 0x1f64f));
      };
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  };

  static final Gen<String> STRING_VALUES = Generate.frequency(
      Pair.of(3, Generate.pick(EDGE_STRINGS)),
      Pair.of(4, RANDOM_STRINGS));

  static final Gen<Boolean> BOOLEAN_VALUES = Generate.booleans();

  /** What a generated column holds; all but MIXED map onto one Arrow vector type. */
  enum Kind {
    LONGS, DOUBLES, STRINGS, BOOLEANS, NULLS, MIXED;

    boolean arrowable() {
      return this != MIXED;
    }
  }

  static Gen<Object> values(Kind kind) {
    Gen<Object> base = switch (kind) {
      case LONGS -> LONG_VALUES.map(v -> (Object) v);
      case DOUBLES -> DOUBLE_VALUES.map(v -> (Object) v);
      case STRINGS -> STRING_VALUES.map(v -> (Object) v);
      case BOOLEANS -> BOOLEAN_VALUES.map(v -> (Object) v);
      case NULLS -> Generate.constant((Object) null);
      case MIXED -> Generate.oneOf(LONG_VALUES.map(v -> (Object) v), DOUBLE_VALUES.map(v -> (Object) v),
          STRING_VALUES.map(v -> (Object) v), BOOLEAN_VALUES.map(v -> (Object) v),
          Generate.constant((Object) Instant.EPOCH), Generate.constant((Object) new double[] {1, 2}),
          Generate.constant((Object) Integer.valueOf(7)));
    };
    if (kind == Kind.NULLS) {
      return base;
    }
    return Generate.frequency(Pair.of(1, Generate.constant((Object) null)), Pair.of(6, base));
  }

  // ---- tables ----

  /** A table: column name to kind (in column order), and rows holding every column (values may be null). */
  record Table(Map<String, Kind> columns, List<Map<String, Object>> rows) {
    Table {
      columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
      rows = Collections.unmodifiableList(rows);
    }

    int size() {
      return rows.size();
    }

    boolean arrowable() {
      return columns.values().stream().allMatch(Kind::arrowable);
    }

    Table concat(Table other) {
      Map<String, Kind> cols = new LinkedHashMap<>(columns);
      cols.putAll(other.columns);
      List<Map<String, Object>> all = new ArrayList<>(rows);
      all.addAll(other.rows);
      return new Table(cols, all);
    }

    Table slice(int from, int to) {
      return new Table(columns, rows.subList(from, to));
    }

    /** Rows in order; every row is tracked even when all its values are null. */
    DatasetProfile profile(ProfileProperties props) {
      DatasetProfile p = new DatasetProfile(props);
      rows.forEach(p::track);
      return p;
    }

    ProfileView view(ProfileProperties props) {
      return profile(props).view();
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("Table" + columns + " with " + rows.size() + " rows");
      for (int i = 0; i < Math.min(rows.size(), 8); i++) {
        sb.append("\n  ").append(describeRow(rows.get(i)));
      }
      if (rows.size() > 8) {
        sb.append("\n  ...");
      }
      return sb.toString();
    }
  }

  private static String describeRow(Map<String, Object> row) {
    Map<String, String> out = new LinkedHashMap<>();
    row.forEach((k, v) -> {
      String s = v instanceof double[] d ? Arrays.toString(d) : String.valueOf(v);
      out.put(k, s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s);
    });
    return out.toString();
  }

  /** Column names: each table draws from the same pool, so tables share some columns and not others. */
  static final List<String> COLUMN_NAMES = List.of("id", "price", "name", "flag", "empty", "mixed", "\u540d\u524d", "\uD83D\uDE00 emoji");

  static final Gen<Map<String, Kind>> SCHEMAS = rs -> {
    Map<String, Kind> cols = new LinkedHashMap<>();
    Kind[] kinds = Kind.values();
    for (String name : COLUMN_NAMES) {
      if (rs.next(Constraint.between(0, 2)) != 0) {
        // mostly a stable kind per name, sometimes another one (the same column with other values elsewhere)
        int stable = Math.floorMod(name.hashCode(), kinds.length);
        int k = rs.next(Constraint.between(0, 4)) == 0 ? (int) rs.next(Constraint.between(0, kinds.length - 1)) : stable;
        cols.put(name, kinds[k]);
      }
    }
    return cols;
  };

  static final Gen<Integer> ROW_COUNTS = Generate.frequency(
      Pair.of(1, Generate.constant(0)),
      Pair.of(1, Generate.constant(1)),
      Pair.of(7, Generate.range(2, 40)),
      Pair.of(1, Generate.range(500, 2500)));

  static Gen<Table> tables(Gen<Map<String, Kind>> schemas) {
    return rs -> {
      Map<String, Kind> cols = schemas.generate(rs);
      int n = ROW_COUNTS.generate(rs);
      List<Gen<Object>> gens = new ArrayList<>();
      cols.values().forEach(k -> gens.add(values(k)));
      List<String> names = new ArrayList<>(cols.keySet());
      List<Map<String, Object>> rows = new ArrayList<>(n);
      for (int r = 0; r < n; r++) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
          row.put(names.get(c), gens.get(c).generate(rs));
        }
        rows.add(row);
      }
      return new Table(cols, rows);
    };
  }

  static Gen<Table> tables() {
    return tables(SCHEMAS);
  }

  /** Tables whose columns all map onto one Arrow vector type. */
  static Gen<Table> arrowTables() {
    return tables(SCHEMAS.map(m -> {
      Map<String, Kind> out = new LinkedHashMap<>(m);
      out.replaceAll((k, v) -> v == Kind.MIXED ? Kind.STRINGS : v);
      return out;
    }));
  }

  // ---- properties ----

  static final Gen<Instant> TIMESTAMPS = longs().between(1, 4_102_444_800_000L).map(Instant::ofEpochMilli);

  private static Gen<Map<String, String>> smallMaps(List<String> keys) {
    return rs -> {
      Map<String, String> m = new TreeMap<>();
      int n = (int) rs.next(Constraint.between(0, 3));
      for (int i = 0; i < n; i++) {
        String k = keys.get((int) rs.next(Constraint.between(0, keys.size() - 1)));
        String v = STRING_VALUES.generate(rs);
        m.put(k, v);
      }
      return m;
    };
  }

  /** Properties with optional timestamps and small tag/metadata maps whose keys collide across profiles. */
  static final Gen<ProfileProperties> PROPERTIES = rs -> {
    Instant ds = rs.next(Constraint.between(0, 3)) == 0 ? null : TIMESTAMPS.generate(rs);
    Instant cr = rs.next(Constraint.between(0, 3)) == 0 ? null : TIMESTAMPS.generate(rs);
    return ProfileProperties.of(ds, cr, smallMaps(List.of("env", "team", "\u540d")).generate(rs),
        smallMaps(List.of("source", "run", "segp_id")).generate(rs));
  };

  /** Properties with both timestamps set (the file format has no way to say "absent"). */
  static final Gen<ProfileProperties> PROPERTIES_WITH_TIMESTAMPS = rs -> {
    ProfileProperties p = PROPERTIES.generate(rs);
    return p.withDatasetTimestamp(TIMESTAMPS.generate(rs)).withCreationTimestamp(TIMESTAMPS.generate(rs));
  };

  // ---- Arrow ----

  /** The table as one Arrow batch; the caller closes it. Only for {@link Table#arrowable()} tables. */
  static VectorSchemaRoot toArrow(Table t, BufferAllocator allocator) {
    List<FieldVector> vectors = new ArrayList<>();
    int n = t.size();
    for (Map.Entry<String, Kind> c : t.columns().entrySet()) {
      String name = c.getKey();
      switch (c.getValue()) {
        case LONGS, NULLS -> {
          BigIntVector v = new BigIntVector(name, allocator);
          v.allocateNew(Math.max(n, 1));
          for (int i = 0; i < n; i++) {
            Object o = t.rows().get(i).get(name);
            if (o == null) {
              v.setNull(i);
            } else {
              v.set(i, (Long) o);
            }
          }
          v.setValueCount(n);
          vectors.add(v);
        }
        case DOUBLES -> {
          Float8Vector v = new Float8Vector(name, allocator);
          v.allocateNew(Math.max(n, 1));
          for (int i = 0; i < n; i++) {
            Object o = t.rows().get(i).get(name);
            if (o == null) {
              v.setNull(i);
            } else {
              v.set(i, (Double) o);
            }
          }
          v.setValueCount(n);
          vectors.add(v);
        }
        case STRINGS -> {
          VarCharVector v = new VarCharVector(name, allocator);
          v.allocateNew();
          for (int i = 0; i < n; i++) {
            Object o = t.rows().get(i).get(name);
            if (o == null) {
              v.setNull(i);
            } else {
              v.setSafe(i, ((String) o).getBytes(StandardCharsets.UTF_8));
            }
          }
          v.setValueCount(n);
          vectors.add(v);
        }
        case BOOLEANS -> {
          BitVector v = new BitVector(name, allocator);
          v.allocateNew(Math.max(n, 1));
          for (int i = 0; i < n; i++) {
            Object o = t.rows().get(i).get(name);
            if (o == null) {
              v.setNull(i);
            } else {
              v.set(i, (Boolean) o ? 1 : 0);
            }
          }
          v.setValueCount(n);
          vectors.add(v);
        }
        case MIXED -> throw new IllegalArgumentException("column '" + name + "' is mixed: no Arrow type holds it");
      }
    }
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(n);
    return root;
  }
}
