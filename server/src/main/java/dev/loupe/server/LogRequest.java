package dev.loupe.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.loupe.core.DatasetProfile;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A {@code POST /logs} body in the whylogs container's shape, parsed with Jackson's streaming
 * parser straight into flat (column, value) pairs, row after row:
 *
 * <pre>
 * {"datasetId": "model-1", "timestamp": 1700000000000, "tags": {"env": "prod"},
 *  "single": {"age": 42, "name": "Ada", "address": {"city": "Wellington"}}}
 * {"datasetId": "model-1",
 *  "multiple": {"columns": ["age", "name"], "index": [0, 1], "data": [[42, "Ada"], [37, null]]}}
 * </pre>
 *
 * Values: integers (that fit 64 bits) are integral, other numbers fractional, {@code NaN} and
 * {@code Infinity} literals fractional NaN/infinite, strings, booleans and nulls as themselves;
 * a nested object is flattened into columns named {@code outer.inner}; an array of numbers counts as
 * a tensor, any other array as an object. {@code index} and unknown keys are ignored; {@code tags}
 * are accepted and ignored (windows carry the server's tags). Anything else is a
 * {@link BadRequestException} saying what was expected and where.
 */
final class LogRequest {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build();
  /** Stands for an array of numbers: {@code double[]} is a tensor to the row path. */
  static final Object TENSOR = new double[0];
  /** Stands for any other non-scalar (a mixed or empty array): counted as an object. */
  static final Object OBJECT = new Object() {
    @Override
    public String toString() {
      return "<object>";
    }
  };

  final String datasetId;
  final Long timestamp;
  private String[] names = new String[64];
  private Object[] values = new Object[64];
  private int size;
  private int[] rowEnds = new int[16];
  private int rows;
  private final Map<String, String> nameCache = new HashMap<>();
  private boolean dropNested; // Kafka's KAFKA_MESSAGE_NESTING_BEHAVIOR=IGNORE: nested objects are skipped

  private LogRequest(String datasetId, Long timestamp) {
    this.datasetId = datasetId;
    this.timestamp = timestamp;
  }

  int rows() {
    return rows;
  }

  /**
   * An empty batch that rows are added to one JSON object at a time ({@link #addRow}): Kafka record
   * values. {@code flatten} false drops nested objects instead of flattening them.
   */
  static LogRequest rows(String datasetId, boolean flatten) {
    LogRequest r = new LogRequest(datasetId, null);
    r.dropNested = !flatten;
    return r;
  }

  /**
   * Adds one row: {@code json} must hold exactly one JSON object, read by the rules of a
   * {@code "single"} row. On anything else throws {@link BadRequestException} and adds nothing.
   */
  void addRow(byte[] json, int off, int len) {
    int mark = size;
    try (JsonParser p = FACTORY.createParser(json, off, len)) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) {
        throw bad(p, "a row must be a JSON object of column: value, found " + describe(t));
      }
      readObject(p, null);
      if (p.nextToken() != null) {
        throw bad(p, "unexpected content after the JSON object");
      }
      endRow();
    } catch (BadRequestException e) {
      size = mark;
      throw e;
    } catch (JsonParseException e) {
      size = mark;
      throw new BadRequestException(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      size = mark;
      throw new BadRequestException(400, "unreadable JSON: " + e.getMessage());
    }
  }

  /** Parses and validates a request body; throws {@link BadRequestException} on anything malformed. */
  static LogRequest parse(byte[] body) {
    try (JsonParser p = FACTORY.createParser(body)) {
      return parse(p);
    } catch (JsonParseException e) {
      throw new BadRequestException(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
    } catch (StreamConstraintsException e) {
      throw new BadRequestException(400, "JSON too deeply nested or too large: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRequestException(400, "unreadable JSON: " + e.getMessage());
    }
  }

  private static LogRequest parse(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw bad(p, "the body must be a JSON object like {\"datasetId\": ..., \"single\": {...}} or "
          + "{\"datasetId\": ..., \"multiple\": {\"columns\": [...], \"data\": [[...]]}}");
    }
    String datasetId = null;
    Long timestamp = null;
    boolean sawSingle = false;
    boolean sawMultiple = false;
    // rows are parsed before datasetId may be known; collect into a holder and copy the header after
    LogRequest holder = new LogRequest(null, null);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "datasetId" -> {
          if (t != JsonToken.VALUE_STRING) {
            throw bad(p, "\"datasetId\" must be a string, found " + describe(t));
          }
          datasetId = p.getText();
        }
        case "timestamp" -> {
          if (t == JsonToken.VALUE_NULL) {
            timestamp = null;
          } else if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            timestamp = p.getLongValue();
          } else {
            throw bad(p, "\"timestamp\" must be epoch milliseconds (a whole number), found " + describe(t));
          }
        }
        case "single" -> {
          if (sawSingle || sawMultiple) {
            throw bad(p, "give exactly one of \"single\" and \"multiple\"");
          }
          sawSingle = true;
          if (t != JsonToken.START_OBJECT) {
            throw bad(p, "\"single\" must be an object of column: value, found " + describe(t));
          }
          holder.readObject(p, null);
          holder.endRow();
        }
        case "multiple" -> {
          if (sawSingle || sawMultiple) {
            throw bad(p, "give exactly one of \"single\" and \"multiple\"");
          }
          sawMultiple = true;
          if (t != JsonToken.START_OBJECT) {
            throw bad(p, "\"multiple\" must be an object {\"columns\": [...], \"data\": [[...], ...]}, found "
                + describe(t));
          }
          holder.readMultiple(p);
        }
        case "tags" -> {
          if (t != JsonToken.START_OBJECT && t != JsonToken.VALUE_NULL) {
            throw bad(p, "\"tags\" must be an object of strings, found " + describe(t));
          }
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw bad(p, "unexpected " + describe(p.currentToken()));
    }
    if (p.nextToken() != null) {
      throw bad(p, "unexpected content after the JSON object");
    }
    if (datasetId == null) {
      throw new BadRequestException(400, "missing \"datasetId\" (a string naming the dataset)");
    }
    if (!sawSingle && !sawMultiple) {
      throw new BadRequestException(400, "missing rows: give \"single\": {column: value, ...} or "
          + "\"multiple\": {\"columns\": [...], \"data\": [[...], ...]}");
    }
    LogRequest r = new LogRequest(datasetId, timestamp);
    r.names = holder.names;
    r.values = holder.values;
    r.size = holder.size;
    r.rowEnds = holder.rowEnds;
    r.rows = holder.rows;
    return r;
  }

  private void readMultiple(JsonParser p) throws IOException {
    String[] columns = null;
    byte[] deferredData = null;
    long dataLine = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "columns" -> columns = readColumns(p, t);
        case "data" -> {
          if (t != JsonToken.START_ARRAY) {
            throw bad(p, "\"multiple.data\" must be an array of rows (arrays), found " + describe(t));
          }
          if (columns != null) {
            readData(p, columns);
          } else {
            // "data" before "columns" (legal JSON, unusual): keep its text and parse it when the names are known
            dataLine = p.currentLocation().getLineNr();
            deferredData = copyArray(p);
          }
        }
        default -> p.skipChildren(); // "index" (pandas split orient) and anything else
      }
    }
    if (columns == null) {
      throw bad(p, "\"multiple\" needs \"columns\": an array of column names");
    }
    if (deferredData != null) {
      try (JsonParser q = FACTORY.createParser(deferredData)) {
        q.nextToken();
        readData(q, columns);
      } catch (BadRequestException e) {
        throw new BadRequestException(400, e.getMessage() + " (in \"data\" starting on line " + dataLine + ")");
      }
    }
  }

  private static byte[] copyArray(JsonParser p) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (com.fasterxml.jackson.core.JsonGenerator g = FACTORY.createGenerator(out)) {
      g.copyCurrentStructure(p);
    }
    return out.toByteArray();
  }

  private String[] readColumns(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      throw bad(p, "\"multiple.columns\" must be an array of column names, found " + describe(t));
    }
    String[] cols = new String[16];
    int n = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      String name;
      if (t == JsonToken.VALUE_STRING) {
        name = p.getText();
      } else if (t == JsonToken.VALUE_NUMBER_INT) {
        name = p.getText(); // pandas frames with integer column labels
      } else {
        throw bad(p, "column name " + n + " in \"multiple.columns\" must be a string, found " + describe(t));
      }
      if (n == cols.length) {
        cols = Arrays.copyOf(cols, n * 2);
      }
      cols[n++] = intern(name);
    }
    return Arrays.copyOf(cols, n);
  }

  private void readData(JsonParser p, String[] columns) throws IOException {
    int row = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_ARRAY) {
        throw bad(p, "row " + row + " of \"multiple.data\" must be an array of " + columns.length + " values, found "
            + describe(t));
      }
      int col = 0;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (col >= columns.length) {
          throw bad(p, "row " + row + " of \"multiple.data\" has more values than the " + columns.length
              + " columns " + preview(columns));
        }
        readValue(p, t, columns[col]);
        col++;
      }
      if (col != columns.length) {
        throw bad(p, "row " + row + " of \"multiple.data\" has " + col + " value(s) but there are " + columns.length
            + " columns " + preview(columns));
      }
      endRow();
      row++;
    }
  }

  private static String preview(String[] columns) {
    if (columns.length <= 8) {
      return Arrays.toString(columns);
    }
    return Arrays.toString(Arrays.copyOf(columns, 8)).replace("]", ", ...]");
  }

  /** Reads the fields of an object (its START_OBJECT consumed) as columns, flattening nested objects. */
  private void readObject(JsonParser p, String prefix) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = prefix == null ? intern(p.currentName()) : intern(prefix + "." + p.currentName());
      readValue(p, p.nextToken(), name);
    }
    if (t != JsonToken.END_OBJECT) {
      throw bad(p, "unexpected " + describe(t));
    }
  }

  private void readValue(JsonParser p, JsonToken t, String column) throws IOException {
    switch (t) {
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          add(column, p.getDoubleValue());
        } else {
          add(column, p.getLongValue());
        }
      }
      case VALUE_NUMBER_FLOAT -> add(column, p.getDoubleValue());
      case VALUE_STRING -> add(column, p.getText());
      case VALUE_TRUE -> add(column, Boolean.TRUE);
      case VALUE_FALSE -> add(column, Boolean.FALSE);
      case VALUE_NULL -> add(column, null);
      case START_OBJECT -> {
        if (dropNested) {
          p.skipChildren();
        } else {
          readObject(p, column);
        }
      }
      case START_ARRAY -> add(column, arrayKind(p));
      default -> throw bad(p, "unexpected " + describe(t) + " as the value of column '" + column + "'");
    }
  }

  /** Consumes an array: TENSOR when it holds only numbers (at any depth), OBJECT otherwise. */
  private static Object arrayKind(JsonParser p) throws IOException {
    boolean numeric = true;
    boolean any = false;
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw bad(p, "unexpected end of input inside an array");
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
    return numeric && any ? TENSOR : OBJECT;
  }

  private String intern(String name) {
    String c = nameCache.putIfAbsent(name, name);
    return c == null ? name : c;
  }

  private void add(String name, Object value) {
    if (size == names.length) {
      names = Arrays.copyOf(names, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    names[size] = name;
    values[size] = value;
    size++;
  }

  private void endRow() {
    if (rows == rowEnds.length) {
      rowEnds = Arrays.copyOf(rowEnds, rows * 2);
    }
    rowEnds[rows++] = size;
  }

  private static BadRequestException bad(JsonParser p, String msg) {
    return new BadRequestException(400, msg + " (line " + p.currentLocation().getLineNr() + ", column "
        + p.currentLocation().getColumnNr() + ")");
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "the end of the input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }

  /** Feeds every row into {@code profile}, through one reused map view (no per-row map is built). */
  void trackInto(DatasetProfile profile) {
    RowView view = new RowView();
    int start = 0;
    for (int r = 0; r < rows; r++) {
      view.from = start;
      view.to = rowEnds[r];
      profile.track(view);
      start = view.to;
    }
  }

  /** The pairs [from, to) as a read-only map; DatasetProfile.track only iterates its entries. */
  private final class RowView extends AbstractMap<String, Object> {
    int from;
    int to;
    private final Set<Map.Entry<String, Object>> entries = new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, Object>> iterator() {
        return new Cursor();
      }

      @Override
      public int size() {
        return to - from;
      }
    };

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
      return entries;
    }

    private final class Cursor implements Iterator<Map.Entry<String, Object>>, Map.Entry<String, Object> {
      private int i = from - 1;

      @Override
      public boolean hasNext() {
        return i + 1 < to;
      }

      @Override
      public Map.Entry<String, Object> next() {
        if (++i >= to) {
          throw new java.util.NoSuchElementException();
        }
        return this;
      }

      @Override
      public String getKey() {
        return names[i];
      }

      @Override
      public Object getValue() {
        return values[i];
      }

      @Override
      public Object setValue(Object value) {
        throw new UnsupportedOperationException();
      }
    }
  }
}
