package dev.loupe.core.internal;

import dev.loupe.core.ColumnAppender;
import dev.loupe.core.ColumnNames;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ValueKind;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table of decoded values held column by column (typed arrays, no map or box per row), to be
 * tracked into a profile later: how JSON becomes columns, for every JSON door (the JSON-lines
 * reader, the server's {@code single} and {@code multiple} bodies, a Kafka consumer). A door
 * decodes first (so a bad request is refused whole, before anything is tracked), then calls
 * {@link #trackInto}, which replays each column through the columnar entry ({@link ColumnAppender}).
 *
 * <p>JSON values follow the value table ({@link ValueKind}): integers within 64 bits are
 * integral, other numbers and the {@code NaN}/{@code Infinity} literals fractional, strings,
 * booleans and nulls as themselves; a non-empty object's fields are columns named by the dotted
 * path, an empty object is an object value; a non-empty array whose leaves are all numbers (at any
 * depth) is a tensor, any other array an object. A key that repeats within one row follows
 * {@link ColumnNames}: the second {@code a} is column {@code a.1}.
 *
 * <p>Not thread-safe; reuse one per thread with {@link #clear()}.
 */
public final class ValueTable {
  /** Nesting deeper than this is refused (Jackson's {@code StreamConstraintsException}). */
  public static final int MAX_JSON_DEPTH = 64;
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      // FastDoubleParser: correctly rounded, so the same double as Double.parseDouble, with no garbage per number
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
      .build();

  /** Columns kept by {@link #reset()} at most: a reused table holds no more arrays than a wide request's. */
  private static final int MAX_SPARE_COLUMNS = 256;
  /** A spare column's arrays are kept only up to this many values each (what {@link #expectRows} presizes at most). */
  private static final int MAX_SPARE_LENGTH = 1 << 16;

  private final Map<String, Column> byName = new HashMap<>();
  private final List<Column> columns = new ArrayList<>();
  /** Columns forgotten by {@link #reset()}, their arrays kept for the columns of the next rows. */
  private final List<Column> spare = new ArrayList<>();
  private int expectedRows = 16;
  private int rows;
  /** The first column resolved by {@link #column} in the last row that resolved one (the guess for a row's first). */
  private Column head;
  /** The column {@link #column} resolved last in the current row, null at a row's start. */
  private Column cursor;

  /**
   * Columns created from now on expect about {@code rows} rows (at most 65,536): a column's array
   * for a kind of value is allocated at that size when the kind first occurs, instead of at 16 and
   * doubled again and again. For a door that knows its batch size (the server's {@code multiple}
   * bodies, from the last one); a caller bounds {@code rows} x columns.
   */
  public void expectRows(int rows) {
    this.expectedRows = Math.max(16, Math.min(rows, 1 << 16));
  }

  /** The JSON parser options every JSON door uses (NaN and Infinity literals accepted, nesting bounded). */
  public static JsonFactory jsonFactory() {
    return JSON;
  }

  /** Rows ended so far. */
  public int rows() {
    return rows;
  }

  /** Distinct columns seen so far (repeated names counted once per rename), for a caller's width limit. */
  public int columnCount() {
    return columns.size();
  }

  /** The names of the columns seen so far, in first-seen order (repeated names as renamed). */
  public List<String> columnNames() {
    List<String> out = new ArrayList<>(columns.size());
    for (Column c : columns) {
      out.add(c.name);
    }
    return out;
  }

  /** Ends the current row. */
  public void endRow() {
    rows++;
    cursor = null;
  }

  /** Forgets every value and row (column slots are kept for reuse). */
  public void clear() {
    for (Column c : columns) {
      c.clear();
    }
    rows = 0;
    cursor = null;
  }

  /**
   * Forgets every column, name included, and every row, as a new table would, but keeps the
   * columns' arrays (up to {@value #MAX_SPARE_COLUMNS} columns of at most {@value #MAX_SPARE_LENGTH}
   * values per kind) for the columns of the next rows: a door that decodes one request after
   * another on a thread (the server) then allocates no column arrays per request.
   */
  public void reset() {
    for (Column c : columns) {
      c.clear();
      if (spare.size() < MAX_SPARE_COLUMNS && c.longs.length <= MAX_SPARE_LENGTH
          && c.doubles.length <= MAX_SPARE_LENGTH && c.strings.length <= MAX_SPARE_LENGTH) {
        c.next = null;
        spare.add(c);
      }
    }
    columns.clear();
    byName.clear();
    rows = 0;
    head = null;
    cursor = null;
  }

  /** Rows in which each column had a value (nulls included), by column name in first-seen order. */
  public Map<String, Long> presentCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Column c : columns) {
      if (c.present > 0) {
        out.put(c.name, c.present);
      }
    }
    return out;
  }

  /**
   * The column {@code name} for a value of the current row: when the row already gave {@code name}
   * a value, the first of {@code name.1}, {@code name.2}, ... that it did not.
   */
  public Column column(String name) {
    // rows usually repeat the previous row's key order: try the column that followed the last one
    // resolved (by identity first: Jackson hands out canonical field names) before hashing the name
    Column c = cursor == null ? head : cursor.next;
    if (c == null || c.lastRow == rows || (c.name != name && !c.name.equals(name))) {
      c = slot(name);
      for (int k = 1; c.lastRow == rows; k++) {
        c = slot(ColumnNames.repeat(name, k));
      }
    }
    if (cursor == null) {
      head = c;
    } else {
      cursor.next = c;
    }
    cursor = c;
    c.lastRow = rows;
    c.present++;
    return c;
  }

  /**
   * Column {@code c} (from {@link #column}, in an earlier row of this table) for a value of the
   * current row, without looking its name up: for tables whose names are already unique, such as
   * the server's {@code multiple.columns} after {@link ColumnNames#unique}.
   */
  public Column columnAgain(Column c) {
    if (c.lastRow == rows) {
      return column(c.name);
    }
    c.lastRow = rows;
    c.present++;
    return c;
  }

  private Column slot(String name) {
    Column c = byName.get(name);
    if (c == null) {
      c = spare.isEmpty() ? new Column(name, expectedRows) : spare.remove(spare.size() - 1).renamed(name, expectedRows);
      byName.put(name, c);
      columns.add(c);
    }
    return c;
  }

  /**
   * Reads the fields of a JSON object whose {@code START_OBJECT} was consumed, up to and including
   * its {@code END_OBJECT}, as values of the current row; {@code prefix} (null for none) names nested fields.
   */
  public void appendJsonFields(JsonParser p, String prefix) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      String name = prefix == null ? field : prefix + "." + field;
      appendJson(p, p.nextToken(), name);
    }
    if (t != JsonToken.END_OBJECT) {
      throw new JsonParseException(p, "expected a field name or the end of the object, found " + t);
    }
  }

  /** Reads the JSON value whose first token {@code t} is current, as column {@code name}'s value in the current row. */
  public void appendJson(JsonParser p, JsonToken t, String name) throws IOException {
    if (t == JsonToken.START_OBJECT) {
      if (p.nextToken() == JsonToken.END_OBJECT) {
        column(name).objects++;
        return;
      }
      // non-empty: its fields are columns; the current token is the first FIELD_NAME
      String first = p.currentName();
      appendJson(p, p.nextToken(), name + "." + first);
      appendJsonFields(p, name);
      return;
    }
    appendScalarOrArray(p, t, column(name));
  }

  /**
   * As {@link #appendJson(JsonParser, JsonToken, String)} for a column already resolved with
   * {@link #column} for this row (the server's {@code multiple} rows resolve each position once).
   */
  public void appendJson(JsonParser p, JsonToken t, Column c) throws IOException {
    if (t == JsonToken.START_OBJECT) {
      c.present--; // the object's fields are the values, not the object
      c.lastRow = -1;
      appendJson(p, t, c.name);
      return;
    }
    appendScalarOrArray(p, t, c);
  }

  private static void appendScalarOrArray(JsonParser p, JsonToken t, Column c) throws IOException {
    switch (t) {
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          c.addDouble(p.getDoubleValue());
        } else {
          c.addLong(p.getLongValue());
        }
      }
      case VALUE_NUMBER_FLOAT -> c.addDouble(p.getDoubleValue());
      case VALUE_STRING -> c.addString(p);
      case VALUE_TRUE -> c.trues++;
      case VALUE_FALSE -> c.falses++;
      case VALUE_NULL -> c.nulls++;
      case START_ARRAY -> {
        if (numericArray(p)) {
          c.tensors++;
        } else {
          c.objects++;
        }
      }
      default -> throw new JsonParseException(p, "expected a value for column '" + c.name + "', found " + t);
    }
  }

  /** Consumes an array (its START_ARRAY current): true when it holds numbers only, at any depth, and at least one. */
  private static boolean numericArray(JsonParser p) throws IOException {
    boolean numeric = true;
    boolean any = false;
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new JsonParseException(p, "unexpected end of input inside an array");
      }
      switch (t) {
        case START_ARRAY -> depth++;
        case END_ARRAY -> depth--;
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> any = true;
        case START_OBJECT -> {
          numeric = false;
          p.skipChildren();
        }
        default -> numeric = false;
      }
    }
    return numeric && any;
  }

  /**
   * Tracks every value into {@code profile} through its columnar entry, column by column. With
   * {@code missingAsNull}, a column that has no value in some rows of this table counts a null for
   * each (use false when the door counts missing keys itself, across tables).
   */
  public void trackInto(DatasetProfile profile, boolean missingAsNull) {
    for (Column c : columns) {
      long missing = missingAsNull && c.present > 0 ? rows - c.present : 0;
      if (c.present == 0 && c.isEmpty()) {
        continue;
      }
      ColumnAppender a = profile.column(c.name);
      a.appendLongs(c.longs, 0, c.longCount);
      a.appendDoubles(c.doubles, 0, c.doubleCount);
      for (int i = 0; i < c.stringCount; i++) {
        a.appendString(c.strings[i]);
      }
      if (c.trues + c.falses > 0) {
        a.appendBooleans(c.trues, c.falses);
      }
      if (c.nulls + missing > 0) {
        a.appendNulls(c.nulls + missing);
      }
      if (c.objects > 0) {
        a.appendObjects(c.objects);
      }
      if (c.tensors > 0) {
        a.appendTensors(c.tensors);
      }
    }
  }

  private static final long[] NO_LONGS = new long[0];
  private static final double[] NO_DOUBLES = new double[0];
  private static final String[] NO_STRINGS = new String[0];
  /** Slots of a column's cache of recent strings (a power of two). */
  private static final int RECENT = 256;

  /** One column's values since the last {@link #clear()}, by kind, in row order within each kind. */
  public static final class Column {
    String name;
    int lastRow = -1;
    /** The column resolved after this one in the last row that resolved one after it (a guess only). */
    Column next;
    long present;
    private int initial;
    long[] longs = NO_LONGS;
    int longCount;
    double[] doubles = NO_DOUBLES;
    int doubleCount;
    String[] strings = NO_STRINGS;
    int stringCount;
    /** Strings seen in this column, by a hash of their characters: a repeated value is not allocated again. */
    private String[] recent;
    long trues;
    long falses;
    long nulls;
    long objects;
    long tensors;

    Column(String name, int initial) {
      this.name = name;
      this.initial = initial;
    }

    public String name() {
      return name;
    }

    /** This cleared column as a new one named {@code name}, its arrays kept (see {@link ValueTable#reset()}). */
    Column renamed(String name, int initial) {
      this.name = name;
      this.initial = initial;
      return this;
    }

    void addLong(long v) {
      if (longCount == longs.length) {
        longs = Arrays.copyOf(longs, Math.max(initial, longCount * 2));
      }
      longs[longCount++] = v;
    }

    void addDouble(double v) {
      if (doubleCount == doubles.length) {
        doubles = Arrays.copyOf(doubles, Math.max(initial, doubleCount * 2));
      }
      doubles[doubleCount++] = v;
    }

    void addString(String v) {
      if (stringCount == strings.length) {
        strings = Arrays.copyOf(strings, Math.max(initial, stringCount * 2));
      }
      strings[stringCount++] = v;
    }

    /**
     * The parser's current string, from its character buffer: when the slot of its hash holds an
     * equal string (a column of few distinct values), that one is added again and nothing is
     * allocated; the value added is equal either way.
     */
    void addString(JsonParser p) throws IOException {
      char[] chars = p.getTextCharacters();
      int off = p.getTextOffset();
      int len = p.getTextLength();
      int h = 0;
      for (int i = off; i < off + len; i++) {
        h = 31 * h + chars[i];
      }
      if (recent == null) {
        recent = new String[RECENT];
      }
      int slot = (h ^ (h >>> 16)) & (RECENT - 1);
      String s = recent[slot];
      if (s == null || s.length() != len || s.hashCode() != h || !sameChars(s, chars, off, len)) {
        s = new String(chars, off, len);
        recent[slot] = s;
      }
      addString(s);
    }

    private static boolean sameChars(String s, char[] chars, int off, int len) {
      for (int i = 0; i < len; i++) {
        if (s.charAt(i) != chars[off + i]) {
          return false;
        }
      }
      return true;
    }

    boolean isEmpty() {
      return longCount == 0 && doubleCount == 0 && stringCount == 0 && trues == 0 && falses == 0 && nulls == 0
          && objects == 0 && tensors == 0;
    }

    void clear() {
      lastRow = -1;
      present = 0;
      longCount = 0;
      doubleCount = 0;
      Arrays.fill(strings, 0, stringCount, null);
      stringCount = 0;
      trues = 0;
      falses = 0;
      nulls = 0;
      objects = 0;
      tensors = 0;
    }
  }
}
