package dev.loupe.readers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import dev.loupe.core.internal.ValueTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Profiles JSON lines: one JSON object per line. This thread cuts the input into chunks of whole
 * lines; each profiling thread parses its chunks with Jackson's streaming parser into core's
 * {@link ValueTable} (typed columns) and tracks it column by column.
 *
 * <p>Columns and types are core's JSON rules ({@link dev.loupe.core.ValueKind}, {@link ValueTable}):
 * nested objects are flattened into columns named by the dotted path ({@code {"a":{"b":1}}} is
 * column {@code a.b}), {@code NaN} and {@code Infinity} literals are fractional, a repeated key is
 * {@code a.1}. A key missing from a line counts as a null in its column, so each column's count is
 * the number of lines (blank lines are skipped). Malformed JSON, invalid UTF-8, a line that is not an
 * object, or a line longer than {@value #MAX_LINE_BYTES} bytes is a {@link DataFormatException}
 * naming the file and the line.
 */
final class JsonLinesProfiler {
  static final int MAX_LINE_BYTES = 64 << 20;
  private static final int CHUNK_BYTES = 1 << 20;
  private static final JsonFactory JSON = ValueTable.jsonFactory();

  private JsonLinesProfiler() {}

  /** Whole lines of the input, with the number of the first. */
  record Chunk(byte[] data, int length, long firstLine) {}

  static ProfileView profile(Path file, int threads, ProfileProperties props, Progress progress, int batchRows)
      throws IOException {
    List<LineSink> sinks = Collections.synchronizedList(new ArrayList<>());
    ProfileView view;
    try (InputStream in = Inputs.open(file, progress, "a JSON lines file")) {
      Chunker chunker = new Chunker(in, file.toString());
      view = Workers.pipeline(threads, props, chunker, () -> {
        LineSink s = new LineSink(file.toString(), progress, batchRows);
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
    for (Map.Entry<String, Long> e : present.entrySet()) {
      long absent = lines - e.getValue();
      if (absent > 0) {
        missing.column(e.getKey()).appendNulls(absent);
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

  /** One thread's parser and its table of decoded values (core's JSON rules, columnar). */
  private static final class LineSink implements Workers.Sink<Chunk> {
    private final String source;
    private final Progress progress;
    private final int batchRows;
    private final ValueTable table = new ValueTable();
    private final int maxColumns = ColumnLimit.max();
    final Map<String, Long> present = new HashMap<>();
    long rows;

    LineSink(String source, Progress progress, int batchRows) {
      this.source = source;
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
          if (table.rows() >= batchRows) {
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
      try (JsonParser p = JSON.createParser(d, off, len)) {
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
          throw new DataFormatException(source + ", line " + line + ": expected a JSON object, found "
              + describe(t) + "; JSON lines holds one object per line"
              + (t == JsonToken.START_ARRAY && line == 1 ? " (for a JSON array file, convert it with jq -c '.[]')" : ""));
        }
        table.appendJsonFields(p, null);
        if (table.columnCount() > maxColumns) {
          throw ColumnLimit.exceeded(source + ", line " + line,
              "more than " + maxColumns + " distinct keys (nested keys flattened)", maxColumns);
        }
        JsonToken after = p.nextToken();
        if (after != null) {
          throw new DataFormatException(source + ", line " + line + ": more than one JSON value on the line (found "
              + describe(after) + " after the object)");
        }
        table.endRow();
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

    /** Profiles the lines since the last flush, column by column; missing keys are counted file-wide later. */
    private void flush(DatasetProfile profile) {
      table.presentCounts().forEach((k, v) -> present.merge(k, v, Long::sum));
      table.trackInto(profile, false);
      table.clear();
    }

    @Override
    public void close() {}
  }
}
