package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A poll's records are read with one JSON parser per partition (KafkaBatch.RowStream): the rows and
 * the dead letters (which records, with which messages) are those of reading every record alone
 * (LogRequest.addRow), whatever mix of good and poison records, and only the poison ones are read alone.
 */
class KafkaBatchTest {
  private static final long TS = 1_700_000_000_000L;

  /** Record values: good ones, then poison ones (index >= FIRST_BAD), then null (a tombstone). */
  private static final String[] VALUES = {
      "{\"id\": 1, \"x\": 2.5, \"s\": \"a\"}",
      "{\"id\": 2, \"x\": -1e300, \"s\": \"bb\", \"t\": [1, [2.5, 3]]}",
      "{\"user\": {\"age\": 3, \"tags\": {\"k\": null}}, \"ok\": true}",
      "  {\"id\": 3}  \n\t",
      "{}",
      "{\"id\": 4, \"o\": {}, \"arr\": [\"x\", 1], \"id\": 5}",
      "{\"s\": \"caf\u00e9 \\u00e9 \\\"q\\\"\", \"n\": NaN, \"big\": 123456789012345678901234567890}",
      // poison
      "not json {",
      "[1, 2]",
      "{\"id\": 96} {\"id\": 99}",
      "{\"a\":",
      "1}",
      "",
      "   ",
      "\"just a string\"",
      "42",
      "{\"a\": 1,}",
      "{\"x\": \"unterminated",
      "}",
      "{\"id\": 7}}",
      null,
  };
  private static final int FIRST_BAD = 7;

  private static KafkaSettings settings(KafkaSettings.Nesting nesting) {
    return KafkaSettings.of(List.of("127.0.0.1:9"), List.of("t"), "g", Map.of(), 1, nesting, "dlq", 500);
  }

  private static ConsumerRecords<ByteBuffer, ByteBuffer> poll(List<Integer> picks, int partitions) {
    Map<TopicPartition, List<ConsumerRecord<ByteBuffer, ByteBuffer>>> m = new LinkedHashMap<>();
    for (int i = 0; i < picks.size(); i++) {
      TopicPartition tp = new TopicPartition("t", i % partitions);
      List<ConsumerRecord<ByteBuffer, ByteBuffer>> recs = m.computeIfAbsent(tp, k -> new ArrayList<>());
      String v = VALUES[picks.get(i)];
      // values as they arrive: slices of a larger buffer, at an offset, with bytes around them
      ByteBuffer value = null;
      if (v != null) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        byte[] around = new byte[b.length + 7];
        java.util.Arrays.fill(around, (byte) '{');
        System.arraycopy(b, 0, around, 3, b.length);
        value = ByteBuffer.wrap(around, 3, b.length).slice();
      }
      recs.add(new ConsumerRecord<>("t", tp.partition(), recs.size(), TS, org.apache.kafka.common.record.TimestampType
          .CREATE_TIME, -1, v == null ? -1 : v.length(), null, value, new org.apache.kafka.common.header.internals
          .RecordHeaders(), java.util.Optional.empty()));
    }
    return new ConsumerRecords<>(m, Map.of());
  }

  private static byte[] profileOf(List<Ingest.SourceRows> rows) throws Exception {
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY);
    for (Ingest.SourceRows r : rows) {
      r.update().accept(p);
    }
    return p.view().toBytes();
  }

  /** Every record read alone, as before: the rows' profile and the dead letters "partition/offset: message". */
  private static Object[] alone(ConsumerRecords<ByteBuffer, ByteBuffer> polled, KafkaSettings.Nesting nesting)
      throws Exception {
    LogRequest rows = LogRequest.rows("t", nesting == KafkaSettings.Nesting.FLATTEN);
    List<String> dead = new ArrayList<>();
    for (TopicPartition tp : polled.partitions()) {
      for (ConsumerRecord<ByteBuffer, ByteBuffer> r : polled.records(tp)) {
        if (r.value() == null) {
          dead.add(tp.partition() + "/" + r.offset() + ": tombstone");
          continue;
        }
        byte[] v = KafkaBatch.bytes(r.value());
        try {
          LogRequest.rows("t", nesting == KafkaSettings.Nesting.FLATTEN).addRow(v, 0, v.length);
        } catch (BadRequestException e) {
          dead.add(tp.partition() + "/" + r.offset() + ": record value: " + e.getMessage()
              + "; each record must hold one JSON object, one row");
          continue;
        }
        rows.addRow(v, 0, v.length);
      }
    }
    DatasetProfile p = new DatasetProfile(ProfileProperties.EMPTY);
    rows.trackInto(p);
    return new Object[] {p.view().toBytes(), dead};
  }

  private static List<String> deadLetters(KafkaBatch b) {
    List<String> out = new ArrayList<>();
    for (KafkaBatch.DeadLetter d : b.takeDeadLetters()) {
      out.add(d.record().partition() + "/" + d.record().offset() + ": "
          + (d.record().value() == null ? "tombstone" : d.message()));
    }
    return out;
  }

  @Test
  void oneParserPerPartitionGivesTheRowsAndDeadLettersOfOneParserPerRecord() {
    qt().withExamples(300).forAll(lists().of(integers().between(0, VALUES.length - 1)).ofSizeBetween(0, 40),
        integers().between(1, 3), integers().between(0, 1)).checkAssert((picks, partitions, nest) -> {
          KafkaSettings.Nesting nesting = nest == 0 ? KafkaSettings.Nesting.FLATTEN : KafkaSettings.Nesting.IGNORE;
          ConsumerRecords<ByteBuffer, ByteBuffer> polled = poll(picks, partitions);
          try {
            Object[] expected = alone(polled, nesting);
            KafkaBatch b = KafkaBatch.decode(polled, settings(nesting), 3_600_000L, new KafkaBatch.Scratch());
            assertEquals(expected[1], deadLetters(b), "dead letters of " + picks);
            assertArrayEquals((byte[]) expected[0], profileOf(b.rows()), "rows of " + picks);
            long poison = picks.stream().filter(i -> i >= FIRST_BAD && VALUES[i] != null).count();
            assertEquals(poison, b.readAlone(), "only the poison records are read alone: " + picks);
            assertEquals(picks.size(), b.records());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  private static Map<String, String> counts(byte[] profile) throws Exception {
    Map<String, String> out = new java.util.TreeMap<>();
    dev.loupe.core.ProfileView.read(new java.io.ByteArrayInputStream(profile)).columns().forEach((name, c) ->
        out.put(name, c.counts() + " " + c.types()));
    return out;
  }

  @Test
  void aSmallScratchBufferGrowsToThePoll() throws Exception {
    KafkaBatch.Scratch scratch = new KafkaBatch.Scratch();
    scratch.buf = new byte[4];
    List<Integer> picks = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      picks.add(i % FIRST_BAD);
    }
    ConsumerRecords<ByteBuffer, ByteBuffer> polled = poll(picks, 2);
    KafkaBatch b = KafkaBatch.decode(polled, settings(KafkaSettings.Nesting.FLATTEN), 3_600_000L, scratch);
    assertEquals(0, b.readAlone());
    assertEquals(List.of(), deadLetters(b));
    // over 200 values a KLL sketch compacts at random: the counts of every column, not the bytes
    assertEquals(counts((byte[]) alone(polled, KafkaSettings.Nesting.FLATTEN)[0]), counts(profileOf(b.rows())));
    // the same scratch again: nothing of the first poll is left in the second
    ConsumerRecords<ByteBuffer, ByteBuffer> second = poll(List.of(0, 9, 1), 1);
    KafkaBatch c = KafkaBatch.decode(second, settings(KafkaSettings.Nesting.FLATTEN), 3_600_000L, scratch);
    assertEquals(1, c.readAlone());
    assertArrayEquals((byte[]) alone(second, KafkaSettings.Nesting.FLATTEN)[0], profileOf(c.rows()));
  }
}
