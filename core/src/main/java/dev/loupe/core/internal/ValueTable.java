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
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
      .build();

  private final Map<String, Column> byName = new HashMap<>();
  private final List<Column> columns = new ArrayList<>();
  private int rows;

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
  }

  /** Forgets every value and row (column slots are kept for reuse). */
  public void clear() {
    for (Column c : columns) {
      c.clear();
    }
    rows = 0;
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
    Column c = slot(name);
    for (int k = 1; c.lastRow == rows; k++) {
      c = slot(ColumnNames.repeat(name, k));
    }
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
      c = new Column(name);
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
      case VALUE_STRING -> c.addString(p.getText());
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

  /** One column's values since the last {@link #clear()}, by kind, in row order within each kind. */
  public static final class Column {
    final String name;
    int lastRow = -1;
    long present;
    long[] longs = new long[16];
    int longCount;
    double[] doubles = new double[16];
    int doubleCount;
    String[] strings = new String[16];
    int stringCount;
    long trues;
    long falses;
    long nulls;
    long objects;
    long tensors;

    Column(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    void addLong(long v) {
      if (longCount == longs.length) {
        longs = Arrays.copyOf(longs, longCount * 2);
      }
      longs[longCount++] = v;
    }

    void addDouble(double v) {
      if (doubleCount == doubles.length) {
        doubles = Arrays.copyOf(doubles, doubleCount * 2);
      }
      doubles[doubleCount++] = v;
    }

    void addString(String v) {
      if (stringCount == strings.length) {
        strings = Arrays.copyOf(strings, stringCount * 2);
      }
      strings[stringCount++] = v;
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
