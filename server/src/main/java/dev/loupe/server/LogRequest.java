package dev.loupe.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.loupe.core.ColumnNames;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.internal.ValueTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code POST /logs} body in the whylogs container's shape, parsed with Jackson's streaming
 * parser straight into core's {@link ValueTable} (typed columns, no map per row), tracked into a
 * profile only after the whole body is valid:
 *
 * <pre>
 * {"datasetId": "model-1", "timestamp": 1700000000000, "tags": {"env": "prod"},
 *  "single": {"age": 42, "name": "Ada", "address": {"city": "Wellington"}}}
 * {"datasetId": "model-1",
 *  "multiple": {"columns": ["age", "name"], "index": [0, 1], "data": [[42, "Ada"], [37, null]]}}
 * </pre>
 *
 * Values follow core's value table ({@link dev.loupe.core.ValueKind}, {@link ValueTable}), as the
 * JSON-lines reader does: a nested object is flattened into columns named {@code outer.inner}, an
 * empty object or a non-numeric array is an object, an array of numbers (at any depth) a tensor.
 * Repeated names in {@code multiple.columns} (or repeated keys in a {@code single} object) are
 * renamed as the CSV reader and pandas do ({@link ColumnNames#unique}: the second {@code a} is
 * {@code a.1}), so a column is never counted twice per row; rejecting them instead would refuse a
 * frame that profiles fine through every other door. {@code index} and unknown keys are ignored; {@code tags}
 * are accepted and ignored (windows carry the server's tags). Anything else is a
 * {@link BadRequestException} saying what was expected and where.
 */
final class LogRequest {
  private static final JsonFactory FACTORY = ValueTable.jsonFactory();
  /** Rows of the last {@code multiple} body: the next one's columns are sized for as many (see readData). */
  private static volatile int rowsHint = 16;
  /** Presized cells of one body at most (8 MiB per kind of value): the hint never allocates more than a body holds. */
  private static final int MAX_PRESIZED_CELLS = 1 << 20;

  /**
   * A table {@link #release released} by this thread's last request, taken by its next {@link #parse}:
   * a request thread then decodes into the same column arrays again instead of allocating them
   * (about 80 KB per 1,000-row request of 10 columns), which spares the young generation.
   */
  private static final ThreadLocal<ValueTable> SPARE = new ThreadLocal<>();

  final String datasetId;
  final Long timestamp;
  private ValueTable table = new ValueTable();
  private boolean dropNested; // Kafka's KAFKA_MESSAGE_NESTING_BEHAVIOR=IGNORE: nested objects are skipped

  private LogRequest(String datasetId, Long timestamp) {
    this.datasetId = datasetId;
    this.timestamp = timestamp;
  }

  int rows() {
    return table.rows();
  }

  /** The distinct column names of the request (admission counts them against the column limits). */
  java.util.Set<String> columnNames() {
    return new java.util.HashSet<>(table.columnNames());
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
   * {@code "single"} row (core's {@link ValueTable}), nested objects skipped when the batch was made
   * with {@code flatten} false. On anything else throws {@link BadRequestException}; the batch may
   * then hold part of the row, so the caller builds it again from the rows it accepted.
   */
  void addRow(byte[] json, int off, int len) {
    try (JsonParser p = FACTORY.createParser(json, off, len)) {
      addRow(p);
      if (p.nextToken() != null) {
        throw bad(p, "unexpected content after the JSON object");
      }
    } catch (JsonParseException e) {
      throw new BadRequestException(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ": " + jsonProblem(e));
    } catch (IOException e) {
      throw new BadRequestException(400, "unreadable JSON: " + e.getMessage());
    }
  }

  /**
   * Adds one row read from {@code p}: its next token must start a JSON object, which is read up to
   * its end (the rules of {@link #addRow(byte[], int, int)}; what follows is the caller's). For a
   * caller that reads many rows with one parser (Kafka records of one poll); on an exception the
   * batch may hold part of the row, as there.
   */
  void addRow(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t != JsonToken.START_OBJECT) {
      throw bad(p, "a row must be a JSON object of column: value, found " + describe(t));
    }
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (dropNested && v == JsonToken.START_OBJECT) {
        p.skipChildren();
      } else {
        table.appendJson(p, v, name);
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw bad(p, "unexpected " + describe(t));
    }
    table.endRow();
  }

  /** Jackson's " (start marker at [Source: REDACTED (...); line: 1, column: 30])", said plainly. */
  private static final java.util.regex.Pattern START_MARKER =
      java.util.regex.Pattern.compile(" \\(start marker at \\[Source: .*?; line: (\\d+), column: (\\d+)\\]\\)");

  /**
   * Jackson's description of a syntax error, without its internal source description: "Unexpected
   * end-of-input: expected close marker for Object (opened at line 1, column 30)".
   */
  static String jsonProblem(JsonParseException e) {
    return START_MARKER.matcher(e.getOriginalMessage()).replaceAll(" (opened at line $1, column $2)");
  }

  /** Parses and validates a request body; throws {@link BadRequestException} on anything malformed. */
  static LogRequest parse(byte[] body) {
    try (JsonParser p = FACTORY.createParser(body)) {
      return parse(p);
    } catch (JsonParseException e) {
      throw new BadRequestException(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ": " + jsonProblem(e));
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
    ValueTable spare = SPARE.get();
    if (spare != null) {
      SPARE.set(null);
      holder.table = spare; // reset when released: empty, as a new table
    }
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
          holder.table.appendJsonFields(p, null);
          holder.table.endRow();
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
    r.table = holder.table;
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
    List<String> cols = new ArrayList<>();
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
      cols.add(name);
      n++;
    }
    return ColumnNames.unique(cols).toArray(new String[0]);
  }

  private void readData(JsonParser p, String[] columns) throws IOException {
    table.expectRows(Math.min(rowsHint, MAX_PRESIZED_CELLS / Math.max(1, columns.length)));
    ValueTable.Column[] resolved = new ValueTable.Column[columns.length];
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
        ValueTable.Column c = resolved[col] == null ? table.column(columns[col]) : table.columnAgain(resolved[col]);
        resolved[col] = c;
        table.appendJson(p, t, c);
        col++;
      }
      if (col != columns.length) {
        throw bad(p, "row " + row + " of \"multiple.data\" has " + col + " value(s) but there are " + columns.length
            + " columns " + preview(columns));
      }
      table.endRow();
      row++;
    }
    rowsHint = row;
  }

  private static String preview(String[] columns) {
    if (columns.length <= 8) {
      return Arrays.toString(columns);
    }
    return Arrays.toString(Arrays.copyOf(columns, 8)).replace("]", ", ...]");
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

  /**
   * Done with this request (tracked, or refused): its table goes back to this thread for the next
   * {@link #parse}. Nothing may use the request afterwards.
   */
  void release() {
    ValueTable t = table;
    table = null;
    if (t != null) {
      t.reset();
      SPARE.set(t);
    }
  }

  /** Tracks the decoded columns into {@code profile}; a key missing from some rows counts a null in each. */
  void trackInto(DatasetProfile profile) {
    table.trackInto(profile, true);
  }
}
