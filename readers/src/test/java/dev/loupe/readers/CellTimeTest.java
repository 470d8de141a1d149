package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * {@link CellText#epochMillis}, the CSV door's ISO-8601 time parser, against {@code java.time}: the
 * forms it takes are the ones the pattern below spells, and within them {@code java.time}'s strict
 * ISO parsers decide which dates and times exist and what instant they are (floored to the
 * millisecond). Generated values cover every year 0000-9999 (leap years and centuries), offsets
 * up to ±18:00, 1 to 9 fraction digits, and text near those (one character changed, dropped or
 * added), which must parse exactly when java.time parses it.
 */
class CellTimeTest {
  /** The syntax: a date, or a date and a time with optional seconds, fraction and offset. */
  private static final Pattern FORM =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?)?");

  private static int cases() {
    return Integer.getInteger("loupe.props.cases", 300) * 30;
  }

  /** What java.time says the text is, as epoch milliseconds, or NOT_TIME. */
  static long reference(String s) {
    if (!FORM.matcher(s).matches()) {
      return CellText.NOT_TIME;
    }
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE).toEpochDay() * 86_400_000L;
      }
      String iso = s.substring(0, 10) + 'T' + s.substring(11);
      boolean offset = iso.endsWith("Z") || iso.length() > 16 && (iso.charAt(iso.length() - 6) == '+'
          || iso.charAt(iso.length() - 6) == '-');
      return offset
          ? OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli()
          : LocalDateTime.parse(iso, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (java.time.DateTimeException e) { // DateTimeParseException included
      return CellText.NOT_TIME;
    }
  }

  private static void assertAsJavaTime(String s) {
    long expected = reference(s);
    assertEquals(expected, CellText.epochMillis(s), s);
    // the same text inside a larger buffer (the parser reads cells in place)
    char[] padded = ("9:" + s + "-7").toCharArray();
    assertEquals(expected, CellText.epochMillis(padded, 2, s.length()), s + " (at offset 2)");
  }

  @Test
  void examples() {
    for (String s : List.of("2001-01-01 00:01:00", "2012-01-01", "1970-01-01T00:00Z", "1969-12-31T23:59:59.999Z",
        "1969-12-31T23:59:59.9999999Z", "0000-01-01", "0000-02-29", "9999-12-31T23:59:59.999999999+18:00",
        "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2100-02-29", "2023-04-31", "2023-13-01",
        "2023-00-10", "2023-01-00", "2023-01-32", "2023-1-01", "23-01-01", "2023/01/01", "2023-01-01T24:00",
        "2023-01-01T23:60", "2023-01-01T23:59:60", "2023-01-01T12:00:00.", "2023-01-01T12:00:00.1234567891",
        "2023-01-01T12:00.5", "2023-01-01T12", "2023-01-01T12:0", "2023-01-01T", "2023-01-01 ", " 2023-01-01",
        "2023-01-01t12:00", "2023-01-01T12:00z", "2023-01-01T12:00+05:30", "2023-01-01T12:00-05:30",
        "2023-01-01T12:00:00-00:00", "2023-01-01T12:00+18:00", "2023-01-01T12:00+18:01", "2023-01-01T12:00-19:00",
        "2023-01-01T12:00+0530", "2023-01-01T12:00+05", "2023-01-01T12:00+05:60", "2023-01-01Z",
        "2023-01-01T12:00:00.5Z", "2023-01-01T12:00:00.05Z", "2023-01-01T12:00:00.005Z", "2023-01-01T12:00:00.0005Z",
        "+2023-01-01", "-2023-01-01", "12023-01-01", "2023-01-01T12:00:00Z ", "", "2023", "20230101",
        "2023-01-01T12:00:00.123456789Z", "1583-10-15", "1582-10-10", "0001-01-01T00:00:00.001-18:00")) {
      assertAsJavaTime(s);
    }
  }

  /** A random valid timestamp text: any date of years 0-9999, any form, any offset. */
  private static Gen<String> timestamps() {
    return longs().between(LocalDate.of(0, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31).toEpochDay())
        .zip(longs().between(0, 86_399_999_999_999L), integers().between(0, 1 << 20), (day, nanoOfDay, shape) -> {
          LocalDateTime t = LocalDate.ofEpochDay(day).atStartOfDay().plusNanos(nanoOfDay);
          StringBuilder b = new StringBuilder(String.format("%04d-%02d-%02d", t.getYear(), t.getMonthValue(),
              t.getDayOfMonth()));
          if ((shape & 7) == 0) {
            return b.toString(); // a date
          }
          b.append((shape & 8) == 0 ? 'T' : ' ').append(String.format("%02d:%02d", t.getHour(), t.getMinute()));
          int form = (shape >> 4) & 3; // 0: HH:MM, 1: :SS, 2-3: :SS.f
          if (form >= 1) {
            b.append(String.format(":%02d", t.getSecond()));
          }
          if (form >= 2) {
            int digits = 1 + ((shape >> 6) % 9);
            String nanos = String.format("%09d", t.getNano());
            b.append('.').append(nanos, 0, digits);
          }
          int zone = (shape >> 10) & 3; // 0: none, 1: Z, 2-3: an offset
          if (zone == 1) {
            b.append('Z');
          } else if (zone >= 2) {
            int minutes = (shape >> 12) % (18 * 60 + 1);
            b.append(zone == 2 ? '+' : '-').append(String.format("%02d:%02d", minutes / 60, minutes % 60));
          }
          return b.toString();
        });
  }

  @Test
  void validTimestampsParseToJavaTimesInstant() {
    qt().withExamples(cases()).forAll(timestamps()).checkAssert(s -> {
      long ms = CellText.epochMillis(s);
      assertEquals(reference(s), ms, s);
      assertEquals(false, ms == CellText.NOT_TIME, s + " is a valid timestamp");
    });
  }

  /** Text one edit away from a valid timestamp: a character replaced, dropped or inserted. */
  @Test
  void nearMissesAreRejectedExactlyWhenJavaTimeRejectsThem() {
    String alphabet = "0123456789-:T Z+.9312x";
    qt().withExamples(cases()).forAll(timestamps(), integers().between(0, 1 << 16)).checkAssert((s, edit) -> {
      int at = (edit >> 2) % (s.length() + 1);
      char c = alphabet.charAt((edit >> 8) % alphabet.length());
      String changed = switch (edit & 3) {
        case 0 -> at < s.length() ? s.substring(0, at) + c + s.substring(at + 1) : s + c;
        case 1 -> at < s.length() ? s.substring(0, at) + s.substring(at + 1) : s.substring(1);
        default -> s.substring(0, at) + c + s.substring(at);
      };
      assertAsJavaTime(changed);
    });
  }

  /** Every calendar day of a few leap and common years around the edges, as a date and at midnight. */
  @Test
  void everyDayOfEdgeYears() {
    for (int year : new int[] {0, 4, 100, 1582, 1600, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999}) {
      for (int month = 1; month <= 12; month++) {
        for (int day = 1; day <= 31; day++) {
          String date = String.format("%04d-%02d-%02d", year, month, day);
          assertAsJavaTime(date);
          assertAsJavaTime(date + "T00:00:00Z");
        }
      }
    }
  }
}
