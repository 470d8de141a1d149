package dev.loupe.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.loupe.core.internal.ValueTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * The one place where Kafka records become rows for the server's ingestion path: one poll's
 * records, decoded (one JSON object per record value, one row) into a batch per dataset and
 * window, the records that cannot be profiled set aside for the dead-letter topic with their
 * reason, and the position (next offset) every partition reaches once the batch is in.
 *
 * <p>Decoding goes through {@link LogRequest}'s value rules (those of a {@code "single"} row of
 * {@code POST /logs}); when core's columnar JSON entry replaces them, only {@link #decode} and
 * {@link Group#reDecode} change. Record values arrive as {@link ByteBuffer}s over the consumer's
 * fetch buffers and are parsed in place (no copy per record); a record keeps nothing else per row
 * but its timestamp in a {@code long[]}.
 */
final class KafkaBatch {

  /** A record that will not be profiled, and why. */
  record DeadLetter(ConsumerRecord<ByteBuffer, ByteBuffer> record, String reason, String message) {}

  /** The rows of one dataset and one window, with the records they came from. */
  static final class Group {
    final String datasetId;
    final boolean flatten;
    final List<ConsumerRecord<ByteBuffer, ByteBuffer>> records = new ArrayList<>();
    long[] timestamps = new long[64];
    LogRequest rows;
    long maxTimestamp = Long.MIN_VALUE;

    Group(String datasetId, boolean flatten) {
      this.datasetId = datasetId;
      this.flatten = flatten;
      this.rows = LogRequest.rows(datasetId, flatten);
    }

    /** Decodes the accepted records again into a fresh batch (after a record failed half-way). */
    void rebuild() {
      LogRequest fresh = LogRequest.rows(datasetId, flatten);
      for (ConsumerRecord<ByteBuffer, ByteBuffer> r : records) {
        addRow(fresh, r.value());
      }
      rows = fresh;
    }

    void add(ConsumerRecord<ByteBuffer, ByteBuffer> r, long ts) {
      int i = records.size();
      if (i == timestamps.length) {
        timestamps = Arrays.copyOf(timestamps, i * 2);
      }
      timestamps[i] = ts;
      records.add(r);
      maxTimestamp = Math.max(maxTimestamp, ts);
    }
  }

  /** A consumer thread's buffer for {@link RowStream}, reused from poll to poll. */
  static final class Scratch {
    byte[] buf = new byte[1 << 16];
  }

  /**
   * The values of one partition's records in a poll, copied one after the other (a newline between
   * two) into one buffer and read with one JSON parser as a sequence of root values, instead of a
   * parser per record (creating one costs about as much as reading a small record). A record's row
   * counts only if its value is exactly one JSON object: it must start within the record (the
   * previous one ended within its own) and end within it, with only whitespace after it. Anything
   * else (a parse error, two values in one record, a value running into the next record) answers
   * false: the caller reads that record alone, as before, and the stream starts again at the next one.
   */
  static final class RowStream {
    private final byte[] buf;
    private final int[] starts;
    private final int[] ends;
    private final int total;
    private JsonParser parser;
    private int base; // where the parser started in buf: its byte offsets count from there
    private int next = -1; // the record whose value the parser reads next
    /** Records read alone since the stream could not read them (see {@link KafkaBatch#readAlone()}). */
    int readAlone;

    private RowStream(byte[] buf, int[] starts, int[] ends, int total) {
      this.buf = buf;
      this.starts = starts;
      this.ends = ends;
      this.total = total;
    }

    static RowStream of(List<ConsumerRecord<ByteBuffer, ByteBuffer>> recs, Scratch scratch) {
      long need = 0;
      for (ConsumerRecord<ByteBuffer, ByteBuffer> r : recs) {
        need += r.value() == null ? 0 : r.value().remaining() + 1;
      }
      if (need > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("a poll of " + need + " bytes from one partition: lower "
            + "LOUPE_KAFKA_MAX_PARTITION_FETCH_BYTES"); // max.partition.fetch.bytes is an int; cannot happen
      }
      if (scratch.buf.length < need) {
        scratch.buf = new byte[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, scratch.buf.length * 2L))];
      }
      byte[] buf = scratch.buf;
      int[] starts = new int[recs.size()];
      int[] ends = new int[recs.size()];
      int at = 0;
      for (int i = 0; i < recs.size(); i++) {
        ByteBuffer v = recs.get(i).value();
        starts[i] = at;
        if (v != null) {
          int n = v.remaining();
          v.get(v.position(), buf, at, n); // absolute: the buffer's position stays
          at += n;
          ends[i] = at;
          buf[at++] = '\n';
        } else {
          ends[i] = at;
        }
      }
      return new RowStream(buf, starts, ends, at);
    }

    /** Adds record {@code i}'s row to {@code rows} from the stream; false when the record must be read alone. */
    boolean addRow(LogRequest rows, int i) {
      try {
        if (parser != null && next != i) {
          close(); // records were skipped (no value, or an invalid timestamp): start again at this one
        }
        if (parser == null) {
          base = starts[i];
          parser = ValueTable.jsonFactory().createParser(buf, base, total - base);
        }
        rows.addRow(parser);
        long end = base + parser.currentLocation().getByteOffset();
        if (end > starts[i] && end <= ends[i] && whitespace(buf, (int) end, ends[i])) {
          next = i + 1;
          return true;
        }
      } catch (IOException | BadRequestException e) {
        // read alone below, which says what is wrong
      }
      close();
      readAlone++;
      return false;
    }

    private static boolean whitespace(byte[] b, int from, int to) {
      for (int k = from; k < to; k++) {
        byte c = b[k];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
          return false;
        }
      }
      return true;
    }

    void close() {
      if (parser != null) {
        try {
          parser.close();
        } catch (IOException e) {
          // a parser over a byte array: nothing to release
        }
        parser = null;
      }
    }
  }

  private final KafkaSettings settings;
  private final Map<String, Long> positions = new HashMap<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private List<Group> groups = new ArrayList<>();
  private int records;
  private int readAlone;

  private KafkaBatch(KafkaSettings settings) {
    this.settings = settings;
  }

  /** The key a partition's position has in the checkpoint. */
  static String positionKey(TopicPartition tp) {
    return "kafka:" + tp.topic() + "/" + tp.partition();
  }

  /** Adds one record value as a row, parsed where it lies when it is a heap buffer. */
  static void addRow(LogRequest rows, ByteBuffer v) {
    if (v.hasArray()) {
      rows.addRow(v.array(), v.arrayOffset() + v.position(), v.remaining());
    } else {
      byte[] copy = bytes(v);
      rows.addRow(copy, 0, copy.length);
    }
  }

  /** The bytes of a key or value (a copy; null stays null), for the dead-letter producer. */
  static byte[] bytes(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /**
   * Decodes a poll. Rows are grouped by dataset and by window ({@code windowMillis}): the
   * admission rule (lateness) is per window, so a group is admitted or refused whole.
   */
  static KafkaBatch decode(ConsumerRecords<ByteBuffer, ByteBuffer> polled, KafkaSettings settings,
      long windowMillis) {
    return decode(polled, settings, windowMillis, new Scratch());
  }

  /**
   * As {@link #decode(ConsumerRecords, KafkaSettings, long)}, reusing {@code scratch}'s buffer (one per
   * consumer thread: the batch keeps nothing of it).
   */
  static KafkaBatch decode(ConsumerRecords<ByteBuffer, ByteBuffer> polled, KafkaSettings settings,
      long windowMillis, Scratch scratch) {
    KafkaBatch b = new KafkaBatch(settings);
    Map<String, Map<Long, Group>> byDataset = new LinkedHashMap<>();
    boolean flatten = settings.nesting() == KafkaSettings.Nesting.FLATTEN;
    String field = settings.timestampField();
    long now = System.currentTimeMillis();
    for (TopicPartition tp : polled.partitions()) {
      List<ConsumerRecord<ByteBuffer, ByteBuffer>> recs = polled.records(tp);
      if (recs.isEmpty()) {
        continue;
      }
      String datasetId = settings.datasetId(tp.topic());
      Map<Long, Group> windows = byDataset.computeIfAbsent(datasetId, k -> new HashMap<>());
      Group g = null;
      long gWindow = 0;
      RowStream stream = RowStream.of(recs, scratch);
      for (int i = 0; i < recs.size(); i++) {
        ConsumerRecord<ByteBuffer, ByteBuffer> r = recs.get(i);
        b.records++;
        ByteBuffer v = r.value();
        if (v == null) {
          b.deadLetters.add(new DeadLetter(r, "undecodable", "the record has no value (a tombstone); each record "
              + "must hold one JSON object, one row"));
          continue;
        }
        // a record without a timestamp (-1: produced by a pre-0.10 client) is logged at receive time
        long ts = r.timestamp() >= 0 ? r.timestamp() : now;
        if (field != null) {
          try {
            ts = fieldTimestamp(v, field, ts);
          } catch (IllegalArgumentException e) {
            b.deadLetters.add(new DeadLetter(r, "invalid_timestamp", e.getMessage()));
            continue;
          }
        }
        long window = Math.floorDiv(ts, windowMillis);
        if (g == null || window != gWindow) { // a partition's records mostly fall in one window
          g = windows.computeIfAbsent(window, k -> new Group(datasetId, flatten));
          gWindow = window;
        }
        if (stream.addRow(g.rows, i)) {
          g.add(r, ts);
          continue;
        }
        // anything but one well-formed JSON object per record: this record alone, by the rules and with the
        // messages of LogRequest.addRow, and the stream starts again at the next record
        g.rebuild(); // the row the stream began may have left values behind
        try {
          addRow(g.rows, v);
          g.add(r, ts);
        } catch (BadRequestException e) {
          b.deadLetters.add(new DeadLetter(r, "undecodable", "record value: " + e.getMessage()
              + "; each record must hold one JSON object, one row"));
          g.rebuild(); // the failed row may have left values behind
        }
      }
      stream.close();
      b.readAlone += stream.readAlone;
      b.positions.put(positionKey(tp), recs.get(recs.size() - 1).offset() + 1);
    }
    for (Map<Long, Group> windows : byDataset.values()) {
      for (Group g : windows.values()) {
        if (!g.records.isEmpty()) {
          b.groups.add(g);
        }
      }
    }
    return b;
  }

  /**
   * The time in top-level field {@code field} of the JSON object in {@code v} (LOUPE_KAFKA_TIMESTAMP_FIELD):
   * a whole number is epoch milliseconds, a string an ISO-8601 instant with {@code Z} or an offset
   * ({@code 2026-01-31T06:00:00Z}, {@code 2026-01-31T08:00:00+02:00}); the first such field counts. Throws
   * IllegalArgumentException, saying what is wrong, when the field is missing or holds anything else. A
   * value that is not a JSON object, or not JSON, gives {@code fallback}: decoding it then fails and says why.
   */
  static long fieldTimestamp(ByteBuffer v, String field, long fallback) {
    byte[] a;
    int off;
    if (v.hasArray()) {
      a = v.array();
      off = v.arrayOffset() + v.position();
    } else {
      a = bytes(v);
      off = 0;
    }
    try (JsonParser p = ValueTable.jsonFactory().createParser(a, off, v.remaining())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return fallback;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        boolean match = field.equals(p.currentName());
        t = p.nextToken();
        if (match) {
          return timeOf(p, t, field);
        }
        p.skipChildren();
      }
      if (t != JsonToken.END_OBJECT) {
        return fallback;
      }
    } catch (IOException e) {
      return fallback;
    }
    throw new IllegalArgumentException("the record's JSON object has no field '" + field + "' (LOUPE_KAFKA_TIMESTAMP_FIELD"
        + "); " + TIME_FORMS);
  }

  private static final String TIME_FORMS = "each record needs its time there, as epoch milliseconds (a whole number)"
      + " or an ISO-8601 instant such as \"2026-01-31T06:00:00Z\"";

  private static long timeOf(JsonParser p, JsonToken t, String field) throws IOException {
    String bad;
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return p.getLongValue(); // any long is an Instant; the admission rule judges how far off it is
    } else if (t == JsonToken.VALUE_STRING) {
      String s = p.getText();
      try {
        return OffsetDateTime.parse(s).toInstant().toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        bad = "\"" + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "\", not an ISO-8601 instant with Z or an offset";
      }
    } else if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
      bad = p.getText() + ", not a whole number of milliseconds";
    } else {
      bad = switch (t) {
        case VALUE_NULL -> "null";
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        default -> String.valueOf(t);
      };
    }
    throw new IllegalArgumentException("field '" + field + "' (LOUPE_KAFKA_TIMESTAMP_FIELD) is " + bad + "; "
        + TIME_FORMS);
  }

  /**
   * Asks the server's admission rule about each group (at the current clock); refused rows
   * become dead letters. A group refused whole for a timestamp is asked about record by record,
   * since the future limit is per row.
   */
  void admit(Ingest ingest) {
    List<Group> kept = new ArrayList<>(groups.size());
    for (Group g : groups) {
      try {
        ingest.admitFromSource(g.datasetId, g.maxTimestamp, g.rows.columnNames());
        kept.add(g);
      } catch (BadRequestException e) {
        if (e.status() == 503) {
          throw e;
        }
        if (e.status() == 429) {
          refuse(g.records, reason(e), e.getMessage());
          continue;
        }
        Group survivors = reDecode(ingest, g);
        if (survivors != null) {
          kept.add(survivors);
        }
      }
    }
    groups = kept;
  }

  private Group reDecode(Ingest ingest, Group g) {
    Group out = new Group(g.datasetId, settings.nesting() == KafkaSettings.Nesting.FLATTEN);
    for (int i = 0; i < g.records.size(); i++) {
      ConsumerRecord<ByteBuffer, ByteBuffer> r = g.records.get(i);
      long ts = g.timestamps[i];
      try {
        LogRequest one = LogRequest.rows(g.datasetId, g.flatten);
        addRow(one, r.value());
        ingest.admitFromSource(g.datasetId, ts, one.columnNames());
        addRow(out.rows, r.value());
        out.add(r, ts);
      } catch (BadRequestException e) {
        if (e.status() == 503) {
          throw e;
        }
        deadLetters.add(new DeadLetter(r, reason(e), e.getMessage()));
      }
    }
    return out.records.isEmpty() ? null : out;
  }

  /** The dead-letter reason of an admission refusal. */
  private static String reason(BadRequestException e) {
    return switch (e.status()) {
      case 429 -> "too_many_datasets";
      case 413 -> "too_many_columns";
      default -> "refused_timestamp";
    };
  }

  private void refuse(List<ConsumerRecord<ByteBuffer, ByteBuffer>> recs, String reason, String message) {
    for (ConsumerRecord<ByteBuffer, ByteBuffer> r : recs) {
      deadLetters.add(new DeadLetter(r, reason, message));
    }
  }

  /** The dead letters collected so far, removed from the batch. */
  List<DeadLetter> takeDeadLetters() {
    List<DeadLetter> out = new ArrayList<>(deadLetters);
    deadLetters.clear();
    return out;
  }

  /** The rows to track, one entry per dataset and window. */
  List<Ingest.SourceRows> rows() {
    List<Ingest.SourceRows> out = new ArrayList<>(groups.size());
    for (Group g : groups) {
      out.add(new Ingest.SourceRows(g.datasetId, g.maxTimestamp, g.rows.columnNames(), g.rows::trackInto));
    }
    return out;
  }

  /** Rows in {@link #rows()}, per topic (for the records counter). */
  Map<String, Long> rowsPerTopic() {
    Map<String, Long> out = new HashMap<>();
    for (Group g : groups) {
      String topic = null;
      long n = 0;
      for (ConsumerRecord<ByteBuffer, ByteBuffer> r : g.records) {
        if (!r.topic().equals(topic)) { // records come partition by partition: one lookup per run of a topic
          if (n > 0) {
            out.merge(topic, n, Long::sum);
          }
          topic = r.topic();
          n = 0;
        }
        n++;
      }
      if (n > 0) {
        out.merge(topic, n, Long::sum);
      }
    }
    return out;
  }

  /** The next offset of every partition in the poll, once the batch is in (dead letters included). */
  Map<String, Long> positions() {
    return positions;
  }

  /** The first offset of every partition in the poll: where to read again if the batch cannot go in now. */
  static Map<TopicPartition, Long> firstOffsets(ConsumerRecords<ByteBuffer, ByteBuffer> polled) {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : polled.partitions()) {
      List<ConsumerRecord<ByteBuffer, ByteBuffer>> recs = polled.records(tp);
      if (!recs.isEmpty()) {
        out.put(tp, recs.get(0).offset());
      }
    }
    return out;
  }

  int records() {
    return records;
  }

  /** Records the poll's one-parser stream could not read, read alone (the poison ones; the rest shares a parser). */
  int readAlone() {
    return readAlone;
  }
}
