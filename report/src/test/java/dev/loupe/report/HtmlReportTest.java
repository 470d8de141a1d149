package dev.loupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ProfileView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page's content, escaping and self-containment, checked on the HTML text. */
class HtmlReportTest {
  static final ProfileView TARGET = Profiles.orders(2, 3000, 0.6);
  static final ProfileView REFERENCE = Profiles.orders(1, 5000, 0);

  @Test
  void everyStringFromTheProfileIsEscaped() {
    String html = HtmlReport.render(TARGET, Optional.of(REFERENCE));
    assertFalse(html.contains("<script"), "no script element at all, and none injected");
    assertFalse(html.contains("<img"), "an item cannot inject an element");
    assertTrue(html.contains("&lt;script&gt;alert(&#39;col&#39;)&lt;/script&gt;"), "the column name is shown escaped");
    assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "the item is shown escaped (in its tooltip)");
    assertTrue(html.contains("prod &amp; &quot;test&quot;"), "tags are escaped");
    assertEquals("a&lt;b&gt;&amp;&quot;&#39;\uFFFD", Html.esc("a<b>&\"'\u0000"));
  }

  @Test
  void thePageIsSelfContained() {
    String html = HtmlReport.render(TARGET, Optional.of(REFERENCE));
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    for (String external : new String[] {"http://", "https://", "<link", "@import", "url(", " src="}) {
      assertFalse(html.replace("&lt;img src=x", "").contains(external), "references something outside: " + external);
    }
    // every attribute value is quoted, so escaped text cannot close one
    Matcher tag = Pattern.compile("<[a-zA-Z][^>]*>").matcher(html);
    while (tag.find()) {
      String bare = tag.group().replaceAll("\"[^\"]*\"", "");
      assertFalse(Pattern.compile("=(?![\\s>/])").matcher(bare).find(), "unquoted attribute in " + tag.group());
    }
  }

  @Test
  void withAReferenceThePageHasTheDriftTableAndOverlays() {
    String html = HtmlReport.render(TARGET, Optional.of(REFERENCE));
    assertTrue(html.contains("<section id=\"drift\">"));
    assertTrue(html.contains("kolmogorov smirnov"));
    assertTrue(html.contains("chi square"));
    assertTrue(html.contains("class=\"badge bad\">drift</span>"), "the shifted amount drifts");
    // the effect size beside each p-value, as the drift report computes it
    assertTrue(html.contains("<th class=\"num\">effect size</th>"), "effect column");
    dev.loupe.core.drift.DriftReport drift = dev.loupe.core.drift.Drift.compare(REFERENCE, TARGET);
    dev.loupe.core.drift.ColumnDrift amount = drift.column("amount").orElseThrow();
    assertTrue(html.contains("<td class=\"num\">" + Html.num(amount.effectSize())
        + "&nbsp;<span class=\"muted\">KS</span></td>"), "amount's KS distance " + amount.effectSize());
    assertTrue(html.contains("&nbsp;<span class=\"muted\">TV</span></td>"), "a total variation distance");
    assertTrue(html.contains("<title>reference</title></path>"), "reference histogram overlay");
    assertTrue(html.contains("(reference "), "reference shares on item bars");
    for (String col : new String[] {"amount", "quantity", "country", "express", "note"}) {
      assertTrue(html.contains(">" + col + "</a>"), col);
    }
  }

  @Test
  void withoutAReferenceThereIsNoDriftSection() {
    String html = HtmlReport.render(TARGET, Optional.empty());
    assertFalse(html.contains("id=\"drift\""));
    assertFalse(html.contains("<title>reference</title>"));
    assertTrue(html.contains("Histogram"));
    assertTrue(html.contains("Frequent items"));
    // an empty profile still renders
    assertTrue(HtmlReport.render(ProfileView.empty(), Optional.empty()).contains("The profile has no columns."));
  }

  @Test
  void histogramBarsAreTheSketchsBucketMasses() {
    ReportModel model = ReportModel.of(TARGET, REFERENCE, "t");
    String html = HtmlReport.render(model);
    int start = html.indexOf("id=\"col-616d6f756e74\""); // "amount"
    int end = html.indexOf("</article>", start);
    String amount = html.substring(start, end);
    ReportModel.Histogram h = ReportModelTest.column(model, "amount").histogram();
    double top = h.top();
    // each bar: its height is its bucket's mass on the chart's scale, its tooltip the bucket's edges and mass
    Matcher bar = Pattern.compile("<rect x=\"[0-9.]+\" y=\"([0-9.]+)\" width=\"[0-9.]+\" height=\"([0-9.]+)\" "
        + "fill=\"#2563eb\"><title>([^<]*)</title></rect>").matcher(amount);
    int i = 0;
    while (bar.find()) {
      double height = Double.parseDouble(bar.group(2));
      assertEquals(h.masses()[i] / top * Svg.HIST_PLOT_H, height, 0.05 + 1e-9, "bar " + i + " height");
      assertEquals(Svg.HIST_TOP + Svg.HIST_PLOT_H - h.masses()[i] / top * Svg.HIST_PLOT_H,
          Double.parseDouble(bar.group(1)), 0.05 + 1e-9, "bar " + i + " top");
      assertEquals(Html.esc(Html.numText(h.edges()[i]) + " to " + Html.numText(h.edges()[i + 1]) + ": "
          + Html.pct(h.masses()[i])), bar.group(3), "bar " + i + " tooltip");
      i++;
    }
    assertEquals(ReportModel.BUCKETS, i, "one bar per bucket, no frequent-items chart for a fractional column");
    // the reference's step line: each bucket's level is its reference mass on the same scale
    Matcher path = Pattern.compile("<path d=\"([^\"]*)\" fill=\"none\" stroke=\"#ea580c\"").matcher(amount);
    assertTrue(path.find(), "the reference's line");
    String[] steps = path.group(1).split(" L|M");
    List<Double> ys = new ArrayList<>();
    for (String step : steps) {
      if (!step.isBlank()) {
        ys.add(Double.parseDouble(step.trim().split(" ")[1]));
      }
    }
    assertEquals(2 * ReportModel.BUCKETS, ys.size(), "two points per bucket");
    for (int b = 0; b < ReportModel.BUCKETS; b++) {
      double y = Svg.HIST_TOP + Svg.HIST_PLOT_H - h.referenceMasses()[b] / top * Svg.HIST_PLOT_H;
      assertEquals(y, ys.get(2 * b), 0.05 + 1e-9, "reference bucket " + b);
      assertEquals(y, ys.get(2 * b + 1), 0.05 + 1e-9, "reference bucket " + b);
    }
    assertTrue(amount.contains("<text x=\"36\" y=\"14\" text-anchor=\"end\">" + Html.pct(top) + "</text>"),
        "the scale's top is the tallest bar");
    assertTrue(amount.contains("From the 0.5% to the 99.5% quantile; values beyond (min " + Html.num(h.min())
        + ", max " + Html.num(h.max()) + ") are in the end buckets."), "the long tail is clipped and said so");
    String express = html.substring(html.indexOf("id=\"col-65787072657373\""));
    assertTrue(express.substring(0, express.indexOf("</article>")).contains("True and false"), "booleans get bars");
  }

  @Test
  void theSummaryShowsTheModelsNumbers() {
    ReportModel model = ReportModel.of(TARGET, REFERENCE, "t");
    String html = HtmlReport.render(model);
    ReportModel.Column c = ReportModelTest.column(model, "amount");
    String amount = html.substring(html.indexOf("id=\"col-616d6f756e74\""));
    amount = amount.substring(0, amount.indexOf("</dl>"));
    assertEquals("id=\"col-616d6f756e74\"><h3><span class=\"name\">amount</span> <span class=\"type\">fractional"
        + "</span> <span class=\"badge bad\">drift</span></h3>\n<div class=\"panels n1\">\n<dl class=\"stats\">"
        + "<dt>count</dt><dd>3,000</dd><dt>nulls</dt><dd>0</dd><dt>distinct &asymp;</dt><dd>"
        + Html.group(c.distinct()) + "</dd><dt>mean</dt><dd>" + Html.num(c.mean()) + " <span class=\"ref\">ref "
        + Html.num(c.refMean()) + "</span></dd><dt>stddev</dt><dd>" + Html.num(c.stddev())
        + " <span class=\"ref\">ref " + Html.num(c.refStddev()) + "</span></dd><dt>min</dt><dd>" + Html.num(c.min())
        + "</dd><dt>q 5% / 25%</dt><dd>" + Html.num(c.q05()) + " / " + Html.num(c.q25()) + "</dd><dt>median</dt><dd>"
        + Html.num(c.median()) + " <span class=\"ref\">ref " + Html.num(c.refMedian()) + "</span></dd>"
        + "<dt>q 75% / 95%</dt><dd>" + Html.num(c.q75()) + " / " + Html.num(c.q95()) + "</dd><dt>max</dt><dd>"
        + Html.num(c.max()) + "</dd>", amount);
    ReportModel.Column note = ReportModelTest.column(model, "note");
    assertTrue(html.contains("<dt>nulls</dt><dd>750 (25.0%)</dd>"), "750 of 3000 notes are null: " + note.nulls());
    assertEquals(750, note.nulls());
  }

  @Test
  void theStylesheetIsTheResource() {
    String html = HtmlReport.render(TARGET, Optional.empty());
    String css = Html.css("report.css");
    assertTrue(css.startsWith(":root{") && css.endsWith("}\n"), css.substring(0, 20));
    assertTrue(html.contains("<style>" + css + "</style>"));
    assertTrue(MonitorPage.render("d", MonitorPages.POINTS, MonitorPages.RESULT)
        .contains("<style>" + Html.css("monitor.css") + "</style>"));
  }

  @Test
  void aTimeColumnShowsInstantsWhereANumberColumnShowsNumbers() {
    dev.loupe.core.DatasetProfile p = new dev.loupe.core.DatasetProfile();
    dev.loupe.core.ColumnAppender t = p.column("at", dev.loupe.core.ColumnKind.TIME);
    dev.loupe.core.ColumnAppender n = p.column("n");
    long first = java.time.Instant.parse("2024-01-31T12:00:00Z").toEpochMilli();
    for (int i = 0; i < 101; i++) {
      t.appendEpochMillis(first + i * 3_600_000L); // hourly: the median is 50 hours after the first
      n.appendLong(first + i * 3_600_000L);
    }
    ProfileView v = p.view();
    assertTrue(v.isTime("at"));
    String html = HtmlReport.render(v, Optional.empty());
    // the same rule as the summary and --json: ISO-8601 UTC from ProfileView.instantText
    assertEquals("time", v.columnSummary("at").get("type"));
    assertEquals(v.columnSummary("at").get("distribution/min"), "2024-01-31T12:00:00Z");
    assertTrue(html.contains("<dt>min</dt><dd>2024-01-31T12:00:00Z</dd>"), "min as an instant");
    assertTrue(html.contains("<dt>max</dt><dd>2024-02-04T16:00:00Z</dd>"), "max as an instant");
    assertTrue(html.contains("2024-02-02T14:00:00Z"), "the median as an instant");
    assertTrue(html.contains("<span class=\"type\">time</span>"), "the column's type is time");
    // the number column holding the same values stays numeric
    assertTrue(html.contains("<span class=\"name\">n</span> <span class=\"type\">integral</span>"));
    // the overview row of the time column: min and max as instants too
    String row = html.lines().filter(l -> l.contains("<td>time</td>")).findFirst().orElseThrow();
    assertTrue(row.contains("2024-01-31T12:00:00Z") && row.contains("2024-02-04T16:00:00Z"), row);
  }

  @Test
  void aTimeColumnsFrequentItemsAreLabelledWithInstants() {
    dev.loupe.core.DatasetProfile p = new dev.loupe.core.DatasetProfile();
    dev.loupe.core.ColumnAppender t = p.column("at", dev.loupe.core.ColumnKind.TIME);
    long first = java.time.Instant.parse("2024-01-31T12:00:00Z").toEpochMilli();
    for (int i = 0; i < 3; i++) {
      for (int r = 0; r <= i; r++) {
        t.appendEpochMillis(first + i * 3_600_000L);
      }
    }
    String html = HtmlReport.render(p.view(), Optional.empty());
    for (int i = 0; i < 3; i++) {
      assertTrue(html.contains("<title>" + java.time.Instant.ofEpochMilli(first + i * 3_600_000L) + ": "),
          "item " + i + " labelled as an instant");
      assertFalse(html.contains("<title>" + (first + i * 3_600_000L) + ": "), "no epoch milliseconds as a label");
    }
  }
}
