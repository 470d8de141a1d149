package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files wider than the column limit stop early with one line naming the limit and its setting
 * (issue 12, finding 8), and the messages of that finding name the right line and file.
 */
class WideFilesTest {
  @TempDir
  Path dir;

  @AfterEach
  void clearLimit() {
    System.clearProperty("loupe.maxColumns");
  }

  /** The message of a file over the column limit: what was found, the limit, its setting and what to do. */
  private static String overTheLimit(String where, int limit) {
    return where + ", over the limit of " + limit + " columns (LOUPE_MAX_COLUMNS); each column costs memory, so "
        + "profiling stops here. Profile fewer columns, or raise LOUPE_MAX_COLUMNS with the memory to match (about "
        + "0.25 MB per column)";
  }

  @Test
  void jsonLinesWithMoreDistinctKeysThanTheLimitStopEarly() throws IOException {
    System.setProperty("loupe.maxColumns", "500");
    StringBuilder sb = new StringBuilder();
    for (int line = 0; line < 100; line++) {
      sb.append("{\"id\":").append(line);
      for (int k = 0; k < 10; k++) {
        sb.append(",\"k").append(line * 10 + k).append("\":").append(k);
      }
      sb.append("}\n");
    }
    Path f = dir.resolve("wide.jsonl");
    Files.writeString(f, sb);
    CliRun r = CliRun.run("profile", f.toString(), "--threads", "1");
    // id plus 10 keys a line: the 501st distinct key is on line 50
    r.assertError(1, overTheLimit(f + ", line 50: more than 500 distinct keys (nested keys flattened)", 500));
    // under the limit the same file profiles
    System.setProperty("loupe.maxColumns", "2000");
    assertEquals(0, CliRun.run("profile", f.toString(), "--quiet").code());
  }

  @Test
  void aCsvHeaderWiderThanTheLimitStopsBeforeAnyRow() throws IOException {
    System.setProperty("loupe.maxColumns", "500");
    Path f = dir.resolve("wide.csv");
    Files.writeString(f, csv(600, 3));
    CliRun.run("profile", f.toString()).assertError(1, overTheLimit(f + ", line 1: the header names 600 columns", 500));
  }

  @Test
  void aTwentyThousandColumnCsvIsNamedWideNotAnUnclosedQuote() throws IOException {
    Path f = dir.resolve("twenty-thousand.csv");
    Files.writeString(f, csv(20_000, 2));
    CliRun r = CliRun.run("profile", f.toString());
    r.assertError(1, overTheLimit(f + ": a record with more fields than the CSV parser's bound (Record starting at "
        + "line 1 has surpassed the maximum limit of 16384 fields)", 10000));
    assertFalse(r.err().contains("unclosed quote"), r.err());
  }

  @Test
  void badUtf8IsReportedOnItsOwnLine() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write("a,b\n1,x\n2,caf".getBytes(StandardCharsets.US_ASCII));
    b.write(0xE9); // latin-1 e-acute: not UTF-8
    b.write("\n3,z\n".getBytes(StandardCharsets.US_ASCII));
    Path f = dir.resolve("latin.csv");
    Files.write(f, b.toByteArray());
    CliRun r = CliRun.run("profile", f.toString());
    r.assertError(1, f + ", line 3: the file is not valid UTF-8 (invalid UTF-8 on line 3 (byte offset 13)); convert "
        + "it first, for example with 'iconv -f latin1 -t utf-8'");
  }

  @Test
  void aDamagedParquetFileIsNamedByItsPath() throws IOException {
    Path f = dir.resolve("damaged.parquet");
    byte[] bytes = new byte[64];
    bytes[0] = 'P';
    bytes[1] = 'A';
    bytes[2] = 'R';
    bytes[3] = '1';
    Files.write(f, bytes);
    CliRun r = CliRun.run("profile", f.toString());
    assertEquals(1, r.code(), r.err());
    assertFalse(r.err().contains("LocalInputFile@"), r.err());
    assertTrue(r.err().contains(f.toString()), r.err());
  }

  private static String csv(int columns, int rows) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      sb.append(c == 0 ? "" : ",").append("c").append(c);
    }
    sb.append('\n');
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        sb.append(c == 0 ? "" : ",").append(r + c);
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
