package dev.loupe.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Exit code and captured streams of one in-process run of the {@code loupe} command. */
record CliRun(int code, String out, String err) {

  static CliRun run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  List<String> errLines() {
    return err.lines().toList();
  }

  /**
   * The run failed with exit code {@code code}, printed nothing on stdout and exactly one line on
   * stderr: {@code "loupe: error: " + message}, word for word, so a reworded message fails a test.
   */
  void assertError(int code, String message) {
    org.junit.jupiter.api.Assertions.assertEquals(code, code(), err);
    org.junit.jupiter.api.Assertions.assertEquals("loupe: error: " + message + System.lineSeparator(), err,
        "the whole message, one line");
    org.junit.jupiter.api.Assertions.assertEquals("", out);
  }

  /** As {@link #assertError}, for a message with a varying part (a request id): {@code regex} matches it whole. */
  void assertErrorMatches(int code, String regex) {
    org.junit.jupiter.api.Assertions.assertEquals(code, code(), err);
    org.junit.jupiter.api.Assertions.assertEquals(1, errLines().size(), err);
    org.junit.jupiter.api.Assertions.assertTrue(errLines().get(0).matches("loupe: error: " + regex),
        err + " does not match " + regex);
    org.junit.jupiter.api.Assertions.assertEquals("", out);
  }
}
