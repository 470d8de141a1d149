package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private Path csv;



  @BeforeEach
  void writeCsv() throws IOException {
    csv = dir.resolve("people.csv");
    Files.writeString(csv, "name,age,height,member\nAda,36,1.65,true\nBob,,1.8,false\nAda,41,1.72,true\n",
        StandardCharsets.UTF_8);
  }

  private Path file(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void profilePrintsATableWithARowPerColumn() {
    CliRun r = CliRun.run("profile", csv.toString());
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(csv + ": 3 rows, 4 columns", lines.get(0));
    for (String h : List.of("column", "type", "count", "nulls", "distinct", "mean", "stddev", "min", "median", "max",
        "top values")) {
      assertTrue(lines.get(1).contains(h), "header lacks " + h + ": " + lines.get(1));
    }
    assertTrue(lines.get(2).startsWith("------"));
    assertEquals(7, lines.size(), r.out());
    String age = lines.stream().filter(l -> l.startsWith("age ")).findFirst().orElseThrow();
    assertEquals(List.of("age", "integral", "3", "1", "2", "38.5", "3.536", "36", "41", "41", "36", "(1),", "41",
        "(1)"), List.of(age.split("\\s+")));
    String name = lines.stream().filter(l -> l.startsWith("name ")).findFirst().orElseThrow();
    assertTrue(name.contains("string") && name.endsWith("Ada (2), Bob (1)"), name);
    String member = lines.stream().filter(l -> l.startsWith("member ")).findFirst().orElseThrow();
    assertTrue(member.contains("boolean") && member.endsWith("true (2), false (1)"), member);
    for (String l : lines) {
      assertTrue(l.length() <= SummaryTable.WIDTH, "too wide: " + l);
    }
  }

  @Test
  void profileJsonIsTheProfileSummaryJson() throws IOException {
    CliRun r = CliRun.run("profile", csv.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode root = JSON.readTree(r.out());
    assertTrue(root.path("properties").isObject());
    assertEquals(List.of("age", "height", "member", "name"), List.copyOf(iterable(root.path("columns"))));
    assertEquals(3, root.path("columns").path("age").path("counts/n").asLong());
    assertEquals(1, root.path("columns").path("age").path("counts/null").asLong());
    assertEquals("integral", root.path("columns").path("age").path("type").asText());
    assertEquals("", r.err());
  }

  private static List<String> iterable(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void profileWritesABinThatShowReadsBack() throws IOException {
    Path bin = dir.resolve("people.bin");
    CliRun written = CliRun.run("profile", csv.toString(), "-o", bin.toString(), "--json");
    assertEquals(0, written.code(), written.err());
    assertTrue(Files.size(bin) > 4);
    assertEquals("WHY1", new String(Files.readAllBytes(bin), 0, 4, StandardCharsets.US_ASCII));

    CliRun shown = CliRun.run("show", bin.toString(), "--json");
    assertEquals(0, shown.code(), shown.err());
    assertEquals(JSON.readTree(written.out()), JSON.readTree(shown.out()));

    CliRun table = CliRun.run("show", bin.toString());
    assertEquals(0, table.code(), table.err());
    assertEquals(bin + ": 3 rows, 4 columns", table.out().lines().findFirst().orElseThrow());
    assertTrue(table.out().contains("Ada (2), Bob (1)"), table.out());
  }

  @Test
  void delimiterOptionReadsOtherSeparators() throws IOException {
    Path semi = file("semi.txt", "a;b\n1;x\n2;y\n");
    CliRun r = CliRun.run("profile", semi.toString(), "--delimiter", ";", "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals("integral", JSON.readTree(r.out()).path("columns").path("a").path("type").asText());

    Path tabs = file("tabs.txt", "a\tb\n1\tx\n");
    CliRun t = CliRun.run("profile", tabs.toString(), "-d", "tab", "--json");
    assertEquals(0, t.code(), t.err());
    assertEquals(2, JSON.readTree(t.out()).path("columns").size());
  }

  @Test
  void missingFilesAreOneLineErrorsWithExitCode1() {
    Path missing = dir.resolve("nope.csv");
    CliRun.run("profile", missing.toString()).assertError(1, missing + ": no such file");
    CliRun.run("show", missing.toString()).assertError(1, missing + ": no such file");
  }

  @Test
  void aCsvIsNotAProfile() {
    CliRun.run("show", csv.toString()).assertError(1, csv + ": not a whylogs profile: expected the magic bytes "
        + "'WHY1' (or a whylogs v0 message) but found 'name'");
  }

  @Test
  void raggedCsvNamesTheLine() throws IOException {
    Path ragged = file("ragged.csv", "a,b\n1,2\n3,4,5\n");
    CliRun.run("profile", ragged.toString()).assertError(1, ragged + ", line 3: expected 2 fields, as in the header, "
        + "but found 3; a field that contains the delimiter ',' must be quoted");
  }

  @Test
  void emptyCsvIsAnError() throws IOException {
    Path empty = file("empty.csv", "");
    CliRun.run("profile", empty.toString()).assertError(1, empty + ": the file is empty; expected a header row "
        + "naming the columns");
  }

  @Test
  void usageErrorsExitWith2() {
    CliRun.run("profile").assertError(2, "Missing required parameter: 'FILE' (see 'loupe profile --help')");
    CliRun.run("profile", csv.toString(), "--bogus").assertError(2, "Unknown option: '--bogus' (see 'loupe profile "
        + "--help')");
    CliRun.run("profile", csv.toString(), "--delimiter", "ab").assertError(2, "Invalid value for option "
        + "'--delimiter': 'ab' is not a single character (use 'tab' for a tab) (see 'loupe profile --help')");
    CliRun.run("frobnicate").assertError(2, "Unmatched argument at index 0: 'frobnicate' (see 'loupe --help')");
    CliRun.run().assertError(2, "missing command: choose one of profile, merge, show, drift, validate, suggest, "
        + "report, monitor, serve (see 'loupe --help')");
  }

  @Test
  void verbosePrintsTheStackTrace() {
    CliRun r = CliRun.run("--verbose", "show", dir.resolve("nope.bin").toString());
    assertEquals(1, r.code());
    assertTrue(r.errLines().size() > 1, r.err());
    assertTrue(r.err().contains("\tat "), r.err());
    CliRun after = CliRun.run("show", dir.resolve("nope.bin").toString(), "--verbose");
    assertTrue(after.err().contains("\tat "), after.err());
  }

  @Test
  void helpListsExitCodesAndVersionPrintsTheProjectVersion() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"profile", "--help"},
        new String[] {"show", "--help"})) {
      CliRun r = CliRun.run(args);
      assertEquals(0, r.code());
      assertTrue(r.out().contains("Exit codes:") && r.out().contains("usage error"), r.out());
    }
    CliRun v = CliRun.run("--version");
    assertEquals(0, v.code());
    assertTrue(v.out().trim().matches("loupe \\d+\\.\\d+\\.\\d+.*"), v.out());
    assertFalse(v.out().contains("${"), v.out());
  }

  @Test
  void aTimeColumnsInstantsShowAsDatesOrToTheSecond() {
    assertEquals("2022-01-08", SummaryTable.number("2022-01-08T00:00:00Z"));
    assertEquals("2023-11-14T22:13:20Z", SummaryTable.number("2023-11-14T22:13:20.123Z"));
    assertEquals("2023-11-14T22:13:20Z", SummaryTable.number("2023-11-14T22:13:20Z"));
  }

  @Test
  void compactNumbers() {
    assertEquals("38.5", SummaryTable.number(38.5));
    assertEquals("16.439", SummaryTable.number(16.43912));
    assertEquals("1234.6", SummaryTable.number(1234.5678));
    assertEquals("0.01235", SummaryTable.number(0.012345));
    assertEquals("1.23e-5", SummaryTable.number(0.0000123));
    assertEquals("1.23e9", SummaryTable.number(1.23e9));
    assertEquals("-7", SummaryTable.number(-7.0));
    assertEquals("123456789", SummaryTable.number(123456789.0).replace("1.23e8", "123456789"));
    assertEquals("2.92e8", SummaryTable.number(292_000_000L));
    assertEquals("-", SummaryTable.number(null));
    assertEquals("a\\nb", SummaryTable.printable("a\nb"));
    assertEquals("abc…", SummaryTable.fit("abcdef", 4));
  }
}
