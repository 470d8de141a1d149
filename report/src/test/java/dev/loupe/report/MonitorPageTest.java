package dev.loupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.monitor.Alert;
import dev.loupe.core.monitor.Check;
import dev.loupe.core.monitor.SyntheticHistory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MonitorPageTest {
  static final String HTML = MonitorPage.render("orders <&>", MonitorPages.POINTS, MonitorPages.RESULT);

  @Test
  void thePageIsSelfContainedAndEscapesNames() {
    assertFalse(HTML.contains("<script"), "no scripts");
    assertFalse(HTML.contains("http://") || HTML.contains("https://"), "nothing fetched");
    assertTrue(HTML.contains("Monitor: orders &lt;&amp;&gt;"));
    for (String col : new String[] {"amount", "code", "email", "country", "paid"}) {
      assertTrue(HTML.contains("id=\"col-" + col + "\""), col);
    }
  }

  @Test
  void alertWindowsAreMarkedWhereTheyHappenedOnTheirColumnsCharts() {
    Alert spike = MonitorPages.RESULT.alerts().stream().filter(a -> a.check() == Check.NULLS).findFirst()
        .orElseThrow(() -> new AssertionError(MonitorPages.RESULT.toTable()));
    assertEquals(SyntheticHistory.start(30), spike.window());
    assertEquals("email", spike.column());
    String email = section("email");
    // the mark sits at window 30 of 0..71 on the time axis
    double plotW = MonitorPage.W - MonitorPage.LEFT - MonitorPage.RIGHT;
    double expected = MonitorPage.LEFT + 30.0 / 71 * plotW;
    Matcher m = Pattern.compile("<rect class=\"alert\" x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"")
        .matcher(email);
    assertTrue(m.find(), "an alert band on email's charts");
    double center = Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2)) / 2;
    assertEquals(expected, center, 0.2);
    assertTrue(email.contains("<title>alert " + SyntheticHistory.start(30) + "</title>"));
    // a column without alerts has no band
    assertFalse(section("paid").contains("class=\"alert\""), "paid has no alerts");
    assertTrue(section("amount").contains("class=\"alert\""), "amount's shift is marked");
  }

  @Test
  void theSeriesIsDrawnFromTheWindowsNumbers() {
    String email = section("email");
    // the null-fraction chart's top label is the largest null fraction: the spike's
    double spike = MonitorPages.POINTS.get(30).columns().get("email").nullFraction();
    int at = email.indexOf("null fraction</figcaption>");
    String chart = email.substring(at, email.indexOf("</svg>", at));
    Matcher top = Pattern.compile("text-anchor=\"end\">([0-9.]+)</text>").matcher(chart);
    assertTrue(top.find(), chart);
    assertEquals(spike, Double.parseDouble(top.group(1)), 0.001 * spike + 1e-9);
  }

  private static String section(String col) {
    int from = HTML.indexOf("id=\"col-" + col + "\"");
    int to = HTML.indexOf("</article>", from);
    return HTML.substring(from, to);
  }
}
