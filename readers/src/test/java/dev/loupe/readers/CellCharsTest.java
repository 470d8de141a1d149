package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import de.siegmar.fastcsv.reader.CsvRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.junit.jupiter.api.Test;

/**
 * Cells converted from the parser's {@code char[]} (the byte-range path: {@link CsvBatch#set},
 * {@link ColumnType#write(FieldVector, int, char[], int, int, Utf8Scratch)}, {@link Utf8Scratch})
 * give exactly what the String conversion gives: the same vector values (doubles bit for bit), the
 * same nulls and the same off-type values.
 */
class CellCharsTest {
  private static final List<String> FIXED = List.of("", "0", "-0", "+0", "-0.0", "1", "-1", "+7", "00012",
      "9223372036854775807", "-9223372036854775808", "9223372036854775808", "123456789012345678",
      "1234567890123456789", "12345678901234567890", "1e5", "1E5", "1e+5", "1e-5", ".5", "5.", "-.5", "1e22", "1e23",
      "1e-23", "9007199254740993", "3.14159265358979323846", "1e309", "4.9e-324", "1e0001", ".", "-", "+", "e5", "1e",
      "1e+", "1.2.3", "--1", "1-", "1ee5", "291.47", "-12.5e-3", "nan", "NaN", "-inf", "+Infinity", "INF", "infinit",
      "true", "TRUE", "True", "false", "FALSE", "fAlSe", "truee", "tru", "fals", "falſe", "ſ", "\u0130", "t\u0131ue",
      "TRUE ", " 1", "1 ", "0x1F", "1f", "1d", "\"", "\"\"", "a,b", "a\"b", "line\nbreak", "\r", "é", "日本語",
      "\uD83D\uDE00", "a\uD83D\uDE00b", "\uD800", "\uDC00x", "x\uD800", "\uDBFF\uDFFF", "\u007f\u0080\u07ff\u0800\uffff",
      "\uFEFFbom", "user385053", "note 2684 for order 0", "2001-01-01 00:01:00", "2012-01-01", "2023-02-29",
      "1969-12-31T23:59:59.9999Z", "2024-02-29T12:00+05:30", "2024-02-29T12:00+18:01", "2024-02-29 24:00");

  private static String randomCell(Random r) {
    if (r.nextInt(4) == 0) {
      return FIXED.get(r.nextInt(FIXED.size()));
    }
    String alphabet = switch (r.nextInt(4)) {
      case 0 -> "0123456789";
      case 1 -> "0123456789.-+eE";
      case 2 -> "0123456789.-+eEnaifNtyAIFrulsTRUES";
      default -> "ab,\"\n x9.-é日\uD83D\uDE00\uD800\uDC00ſ";
    };
    int n = r.nextInt(r.nextInt(8) == 0 ? 40 : 12);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /** The cell inside a larger buffer, at an offset, as the parser hands it over. */
  private static char[] embedded(String cell, int pad) {
    char[] buf = new char[cell.length() + 2 * pad];
    Arrays.fill(buf, '7'); // digits around the cell must not be read
    cell.getChars(0, cell.length(), buf, pad);
    return buf;
  }

  @Test
  void utf8EncodingEqualsGetBytes() {
    Random r = new Random(1);
    Utf8Scratch utf8 = new Utf8Scratch();
    List<String> cells = new ArrayList<>(FIXED);
    cells.add("x".repeat(1000) + "é".repeat(300));
    for (int i = 0; i < 20_000; i++) {
      cells.add(randomCell(r));
    }
    for (String cell : cells) {
      int pad = cell.length() % 3;
      int n = utf8.encode(embedded(cell, pad), pad, cell.length());
      assertArrayEquals(cell.getBytes(StandardCharsets.UTF_8), Arrays.copyOf(utf8.bytes(), n), cell);
    }
  }

  @Test
  void everyTypeWritesCharsAsItWritesStrings() {
    Random r = new Random(2);
    List<String> cells = new ArrayList<>(FIXED);
    for (int i = 0; i < 30_000; i++) {
      cells.add(randomCell(r));
    }
    cells.removeIf(String::isEmpty); // write takes non-empty cells
    Utf8Scratch utf8 = new Utf8Scratch();
    try (RootAllocator allocator = new RootAllocator()) {
      for (ColumnType type : ColumnType.values()) {
        try (FieldVector viaString = org.apache.arrow.vector.types.pojo.Field.nullable("s", type.arrowType())
                 .createVector(allocator);
             FieldVector viaChars = org.apache.arrow.vector.types.pojo.Field.nullable("c", type.arrowType())
                 .createVector(allocator)) {
          viaString.allocateNew();
          viaChars.allocateNew();
          for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            int pad = i % 4;
            boolean a = type.write(viaString, i, cell);
            boolean b = type.write(viaChars, i, embedded(cell, pad), pad, cell.length(), utf8);
            assertEquals(a, b, type + " takes " + cell);
            if (!a) {
              viaString.setNull(i);
              viaChars.setNull(i);
            }
          }
          viaString.setValueCount(cells.size());
          viaChars.setValueCount(cells.size());
          for (int i = 0; i < cells.size(); i++) {
            assertEquals(viaString.isNull(i), viaChars.isNull(i), cells.get(i));
            if (viaString instanceof Float8Vector f && !f.isNull(i)) {
              assertEquals(Double.doubleToRawLongBits(f.get(i)),
                  Double.doubleToRawLongBits(((Float8Vector) viaChars).get(i)), cells.get(i));
            } else {
              assertEquals(viaString.getObject(i), viaChars.getObject(i), type + ": " + cells.get(i));
            }
          }
        }
      }
    }
  }

  @Test
  void batchRowsFromCharsEqualBatchRowsFromRecords() {
    Random r = new Random(3);
    ColumnType[] types = ColumnType.values();
    List<String> names = new ArrayList<>();
    for (ColumnType t : types) {
      names.add(t.name());
    }
    try (RootAllocator allocator = new RootAllocator();
         CsvBatch fromRecords = new CsvBatch(names, types, allocator, 16);
         CsvBatch fromChars = new CsvBatch(names, types, allocator, 16)) {
      for (int batch = 0; batch < 20; batch++) {
        fromRecords.clear();
        fromChars.clear();
        int rows = 1 + r.nextInt(3000);
        for (int row = 0; row < rows; row++) {
          StringBuilder line = new StringBuilder();
          String[] cells = new String[types.length];
          for (int c = 0; c < types.length; c++) {
            // mostly cells of the column's own kind, some of any kind
            String cell = r.nextInt(3) == 0 ? FIXED.get(r.nextInt(FIXED.size())) : randomCell(r);
            cells[c] = cell;
            line.append(c == 0 ? "" : ",").append('"').append(cell.replace("\"", "\"\"")).append('"');
          }
          CsvRecord record = CsvBatchReader.parser(',', '"').ofSingleCsvRecord(line.toString());
          assertEquals(Arrays.asList(cells), record.getFields(), line.toString());
          fromRecords.add(record);
          for (int c = 0; c < types.length; c++) {
            int pad = (row + c) % 5;
            fromChars.set(c, embedded(cells[c], pad), pad, cells[c].length());
          }
          assertEquals(row + 1, fromChars.endRow());
        }
        assertEquals(fromRecords.finish(), fromChars.finish());
        assertEquals(fromRecords.root().contentToTSVString(), fromChars.root().contentToTSVString());
        assertEquals(fromRecords.offTypeValues(), fromChars.offTypeValues());
      }
    }
  }
}
