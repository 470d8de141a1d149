package dev.loupe.report;

import dev.loupe.core.internal.NumberFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/** What both pages ({@link HtmlReport}, {@link MonitorPage}) share: escaping, number text, their CSS. */
final class Html {
  private Html() {}

  /** Escapes text for HTML element content and quoted attributes; control characters become U+FFFD. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> {
          if (Character.isISOControl(ch) && ch != '\n' && ch != '\t') {
            sb.append('\uFFFD');
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.toString();
  }

  /** A number as the pages show it ({@link NumberFormat#PAGE}), as plain text. */
  static String numText(double v) {
    return NumberFormat.PAGE.format(v);
  }

  /** A number as HTML; a dash for none. */
  static String num(Double v) {
    return v == null ? "&ndash;" : esc(numText(v));
  }

  /** A count with thousands commas. */
  static String group(long v) {
    return NumberFormat.grouped(v);
  }

  /** A share as a percentage: one decimal, two below 0.1%. */
  static String pct(double f) {
    double p = 100 * f;
    return String.format(Locale.ROOT, p != 0 && p < 0.1 ? "%.2f%%" : "%.1f%%", p);
  }

  /** An instant as "2024-06-01 00:00:00 UTC". */
  static String time(Instant t) {
    return t.toString().replace("T", " ").replace("Z", " UTC");
  }

  /** A stylesheet from this package's resources (report.css, monitor.css). */
  static String css(String name) {
    try (InputStream in = Html.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the stylesheet " + name + " is missing from loupe-report's jar "
            + "(dev/loupe/report/" + name + "): the jar is incomplete; rebuild or re-download it");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the stylesheet " + name + " from loupe-report's jar", e);
    }
  }
}
