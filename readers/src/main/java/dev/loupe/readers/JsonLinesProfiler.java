package dev.loupe.readers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Profiles JSON lines: one JSON object per line. This thread cuts the input into chunks of whole
 * lines; each profiling thread parses its chunks with Jackson's streaming parser into per-column
 * Arrow vectors, one per kind of value (integers, other numbers, strings, booleans), and profiles
 * them column by column.
 *
 * <p>Columns and types, as core types row values: nested objects are flattened into columns named
 * by the dotted path ({@code {"a":{"b":1}}} is column {@code a.b}); an empty object is an object
 * value; integers that fit 64 bits are integral, other numbers fractional, strings strings, true
 * and false booleans, null null; a non-empty array of numbers is a tensor, any other array an
 * object. A key missing from a line counts as a null in its column, so each column's count is the
 * number of lines (blank lines are skipped). Malformed JSON, invalid UTF-8, a line that is not an
 * object, or a line longer than {@value #MAX_LINE_BYTES} bytes is a {@link DataFormatException}
 * naming the file and the line.
 */
final class JsonLinesProfiler {
  static final int MAX_LINE_BYTES = 64 << 20;
  private static final int CHUNK_BYTES = 1 << 20;
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private JsonLinesProfiler() {}

  /** Whole lines of the input, with the number of the first. */
  record Chunk(byte[] data, int length, long firstLine) {}

  static ProfileView profile(Path file, int threads, ProfileProperties props, Progress progress, int batchRows)
      throws IOException {
    List<LineSink> sinks = Collections.synchronizedList(new ArrayList<>());
    ProfileView view;
    try (InputStream in = Inputs.open(file, progress, "a JSON lines file");
         RootAllocator allocator = new RootAllocator()) {
      Chunker chunker = new Chunker(in, file.toString());
      view = Workers.pipeline(threads, props, chunker, () -> {
        LineSink s = new LineSink(file.toString(), allocator, progress, batchRows);
        sinks.add(s);
        return s;
      });
    }
    // a key missing from a line is a null in its column: count them once every line is known
    long lines = 0;
    Map<String, Long> present = new TreeMap<>();
    for (LineSink s : sinks) {
      lines += s.rows;
      s.present.forEach((k, v) -> present.merge(k, v, Long::sum));
    }
    if (lines == 0) {
      throw new DataFormatException(file + ": the file is empty; expected one JSON object per line");
    }
    DatasetProfile missing = new DatasetProfile(props);
    try (RootAllocator allocator = new RootAllocator()) {
      for (Map.Entry<String, Long> e : present.entrySet()) {
        long absent = lines - e.getValue();
        if (absent > 0) {
          try (NullVector nulls = new NullVector(e.getKey(), (int) absent)) {
            missing.trackColumn(e.getKey(), nulls, (int) absent, null);
          }
        }
      }
    }
    return view.merge(missing.view());
  }

  /** Cuts the input into chunks of whole lines, about {@value #CHUNK_BYTES} bytes each. */
  private static final class Chunker implements Workers.Source<Chunk> {
    private final InputStream in;
    private final String source;
    private byte[] carry = new byte[0];
    private int carryLength;
    private long nextLine = 1;
    private boolean eof;

    Chunker(InputStream in, String source) {
      this.in = in;
      this.source = source;
    }

    @Override
    public Chunk next() throws IOException {
      if (eof && carryLength == 0) {
        return null;
      }
      byte[] buf = new byte[Math.max(CHUNK_BYTES, carryLength * 2)];
      System.arraycopy(carry, 0, buf, 0, carryLength);
      int len = carryLength;
      int searchFrom = carryLength;
      while (true) {
        while (!eof && len < buf.length) {
          int n = in.read(buf, len, buf.length - len);
          if (n < 0) {
            eof = true;
          } else {
            len += n;
          }
        }
        int cut = lastNewline(buf, searchFrom, len);
        if (cut >= 0 || eof) {
          int end = cut >= 0 ? cut + 1 : len;
          carryLength = len - end;
          carry = java.util.Arrays.copyOfRange(buf, end, len);
          Chunk c = new Chunk(buf, end, nextLine);
          nextLine += countNewlines(buf, end);
          if (end == 0 && carryLength == 0) {
            return null;
          }
          return c;
        }
        if (buf.length >= MAX_LINE_BYTES) {
          throw new DataFormatException(source + ", line " + nextLine + ": longer than " + (MAX_LINE_BYTES >> 20)
              + " MiB; JSON lines holds one object per line (is this a JSON document rather than JSON lines?)");
        }
        searchFrom = len;
        buf = java.util.Arrays.copyOf(buf, Math.min(MAX_LINE_BYTES, buf.length * 2));
      }
    }

    private static int lastNewline(byte[] b, int from, int to) {
      for (int i = to - 1; i >= from; i--) {
        if (b[i] == '\n') {
          return i;
        }
      }
      return -1;
    }

    private static long countNewlines(byte[] b, int to) {
      long n = 0;
      for (int i = 0; i < to; i++) {
        if (b[i] == '\n') {
          n++;
        }
      }
      return n;
    }
  }

  /** One thread's parser and per-column vectors. */
  private static final class LineSink implements Workers.Sink<Chunk> {
    private final String source;
    private final BufferAllocator allocator;
    private final Progress progress;
    private final int batchRows;
    private final Map<String, Column> columns = new HashMap<>();
    private final int maxColumns = ColumnLimit.max();
    private long currentLine; // for the column limit's message
    private final List<Column> touched = new ArrayList<>();
    final Map<String, Long> present = new HashMap<>();
    long rows;
    private int batch;

    LineSink(String source, BufferAllocator allocator, Progress progress, int batchRows) {
      this.source = source;
      this.allocator = allocator;
      this.progress = progress;
      this.batchRows = batchRows;
    }

    @Override
    public void accept(Chunk chunk, DatasetProfile profile) throws IOException {
      byte[] d = chunk.data();
      long line = chunk.firstLine();
      int start = 0;
      long done = 0;
      for (int i = 0; i <= chunk.length(); i++) {
        if (i < chunk.length() && d[i] != '\n') {
          continue;
        }
        int end = i;
        if (end > start && d[end - 1] == '\r') {
          end--;
        }
        if (!blank(d, start, end)) {
          parseLine(d, start, end - start, line);
          rows++;
          done++;
          if (++batch >= batchRows) {
            flush(profile);
          }
        }
        start = i + 1;
        line++;
      }
      flush(profile);
      if (progress != null) {
        progress.addRows(done);
      }
    }

    private static boolean blank(byte[] d, int from, int to) {
      for (int i = from; i < to; i++) {
        byte b = d[i];
        if (b != ' ' && b != '\t' && b != '\r') {
          return false;
        }
      }
      return true;
    }

    private void parseLine(byte[] d, int off, int len, long line) throws IOException {
      currentLine = line;
      try (JsonParser p = JSON.createParser(d, off, len)) {
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
          throw new DataFormatException(source + ", line " + line + ": expected a JSON object, found "
              + describe(t) + "; JSON lines holds one object per line"
              + (t == JsonToken.START_ARRAY && line == 1 ? " (for a JSON array file, convert it with jq -c '.[]')" : ""));
        }
        readObject(p, "");
        JsonToken after = p.nextToken();
        if (after != null) {
          throw new DataFormatException(source + ", line " + line + ": more than one JSON value on the line (found "
              + describe(after) + " after the object)");
        }
      } catch (StreamConstraintsException e) {
        throw new DataFormatException(source + ", line " + line + ": " + e.getOriginalMessage(), e);
      } catch (JsonProcessingException e) {
        long col = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
        throw new DataFormatException(source + ", line " + line + (col > 0 ? ", column " + col : "")
            + ": malformed JSON: " + e.getOriginalMessage(), e);
      }
    }

    private static String describe(JsonToken t) {
      if (t == null) {
        return "nothing";
      }
      return switch (t) {
        case START_ARRAY -> "an array";
        case VALUE_STRING -> "a string";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case VALUE_NULL -> "null";
        default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
      };
    }

    /** Reads the fields of an object whose START_OBJECT was consumed, up to its END_OBJECT. */
    private void readObject(JsonParser p, String prefix) throws IOException {
      for (JsonToken t; (t = p.nextToken()) == JsonToken.FIELD_NAME; ) {
        handleValue(p, prefix + p.currentName(), p.nextToken());
      }
    }

    /** Reads a non-empty object whose first FIELD_NAME is the current token. */
    private void readObjectFrom(JsonParser p, String prefix) throws IOException {
      handleValue(p, prefix + p.currentName(), p.nextToken());
      readObject(p, prefix);
    }

    private void handleValue(JsonParser p, String name, JsonToken v) throws IOException {
      if (v == JsonToken.START_OBJECT) {
        if (p.nextToken() == JsonToken.END_OBJECT) {
          column(name).objects++;
        } else {
          readObjectFrom(p, name + ".");
        }
        return;
      }
      Column c = column(name);
      switch (v) {
        case VALUE_NUMBER_INT -> {
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            c.addDouble(p.getDoubleValue());
          } else {
            c.addLong(p.getLongValue());
          }
        }
        case VALUE_NUMBER_FLOAT -> c.addDouble(p.getDoubleValue());
        case VALUE_STRING -> c.addString(p.getText());
        case VALUE_TRUE -> c.addBoolean(true);
        case VALUE_FALSE -> c.addBoolean(false);
        case VALUE_NULL -> c.nulls++;
        case START_ARRAY -> {
          if (numericArray(p)) {
            c.tensors++;
          } else {
            c.objects++;
          }
        }
        default -> throw new IllegalStateException("unexpected token " + v);
      }
    }

    /** Consumes an array; true when it is non-empty and holds only numbers. */
    private static boolean numericArray(JsonParser p) throws IOException {
      boolean numbers = true;
      boolean any = false;
      for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
        if (t == null) {
          throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input inside an array");
        }
        any = true;
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
          p.skipChildren();
          numbers = false;
        } else if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
          numbers = false;
        }
      }
      return any && numbers;
    }

    private Column column(String name) throws DataFormatException {
      Column c = columns.get(name);
      if (c == null) {
        if (columns.size() >= maxColumns) {
          throw ColumnLimit.exceeded(source + ", line " + currentLine,
              "more than " + maxColumns + " distinct keys (nested keys flattened)", maxColumns);
        }
        c = new Column(name, allocator);
        columns.put(name, c);
      }
      if (!c.touched) {
        c.touched = true;
        touched.add(c);
      }
      c.present++;
      return c;
    }

    /** Profiles what the lines since the last flush hold, column by column. */
    private void flush(DatasetProfile profile) {
      for (Column c : touched) {
        present.merge(c.name, c.present, Long::sum);
        c.trackInto(profile);
        c.touched = false;
      }
      touched.clear();
      batch = 0;
    }

    @Override
    public void close() {
      for (Column c : columns.values()) {
        c.close();
      }
    }
  }

  /** One column's values since the last flush, a vector per kind of value. */
  private static final class Column implements AutoCloseable {
    private static final byte[] NO_BYTES = new byte[0];
    final String name;
    private final BufferAllocator allocator;
    boolean touched;
    long present;
    private BigIntVector longs;
    private int longCount;
    private Float8Vector doubles;
    private int doubleCount;
    private VarCharVector strings;
    private int stringCount;
    private BitVector bools;
    private int boolCount;
    int nulls;
    int objects;
    int tensors;
    private DateDayVector objectVector;
    private ListVector tensorVector;

    Column(String name, BufferAllocator allocator) {
      this.name = name;
      this.allocator = allocator;
    }

    void addLong(long v) {
      if (longs == null) {
        longs = new BigIntVector(name, allocator);
        longs.allocateNew(1024);
      }
      longs.setSafe(longCount++, v);
    }

    void addDouble(double v) {
      if (doubles == null) {
        doubles = new Float8Vector(name, allocator);
        doubles.allocateNew(1024);
      }
      doubles.setSafe(doubleCount++, v);
    }

    void addString(String s) {
      if (strings == null) {
        strings = new VarCharVector(name, allocator);
        strings.allocateNew();
      }
      byte[] b = s.isEmpty() ? NO_BYTES : s.getBytes(StandardCharsets.UTF_8);
      strings.setSafe(stringCount++, b, 0, b.length);
    }

    void addBoolean(boolean v) {
      if (bools == null) {
        bools = new BitVector(name, allocator);
        bools.allocateNew(1024);
      }
      bools.setSafe(boolCount++, v ? 1 : 0);
    }

    void trackInto(DatasetProfile profile) {
      if (longCount > 0) {
        longs.setValueCount(longCount);
        profile.trackColumn(name, longs, longCount, null);
        longs.reset();
        longCount = 0;
      }
      if (doubleCount > 0) {
        doubles.setValueCount(doubleCount);
        profile.trackColumn(name, doubles, doubleCount, null);
        doubles.reset();
        doubleCount = 0;
      }
      if (stringCount > 0) {
        strings.setValueCount(stringCount);
        profile.trackColumn(name, strings, stringCount, null);
        strings.reset();
        stringCount = 0;
      }
      if (boolCount > 0) {
        bools.setValueCount(boolCount);
        profile.trackColumn(name, bools, boolCount, null);
        bools.reset();
        boolCount = 0;
      }
      if (nulls > 0) {
        try (NullVector v = new NullVector(name, nulls)) {
          profile.trackColumn(name, v, nulls, null);
        }
        nulls = 0;
      }
      if (objects > 0) {
        if (objectVector == null) {
          objectVector = new DateDayVector(name, allocator); // Arrow tracking counts its values as objects
        }
        objectVector.reset();
        for (int i = 0; i < objects; i++) {
          objectVector.setSafe(i, 0);
        }
        objectVector.setValueCount(objects);
        profile.trackColumn(name, objectVector, objects, null);
        objects = 0;
      }
      if (tensors > 0) {
        if (tensorVector == null) {
          tensorVector = ListVector.empty(name, allocator); // a list of numbers: a tensor
          tensorVector.addOrGetVector(FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));
          tensorVector.allocateNew();
        }
        tensorVector.reset();
        for (int i = 0; i < tensors; i++) {
          tensorVector.startNewValue(i);
          tensorVector.endValue(i, 0);
        }
        tensorVector.setValueCount(tensors);
        profile.trackColumn(name, tensorVector, tensors, null);
        tensors = 0;
      }
      present = 0;
    }

    @Override
    public void close() {
      for (AutoCloseable v : new AutoCloseable[] {longs, doubles, strings, bools, objectVector, tensorVector}) {
        if (v != null) {
          try {
            v.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
  }
}
