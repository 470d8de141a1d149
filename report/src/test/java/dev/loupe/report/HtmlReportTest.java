package dev.loupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ProfileView;
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
    assertEquals("a&lt;b&gt;&amp;&quot;&#39;\uFFFD", HtmlReport.esc("a<b>&\"'\u0000"));
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
    assertTrue(html.contains("<td class=\"num\">" + HtmlReport.num(amount.effectSize())
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
    String html = HtmlReport.render(TARGET, Optional.empty());
    int start = html.indexOf("id=\"col-616d6f756e74\""); // "amount"
    int end = html.indexOf("</article>", start);
    String amount = html.substring(start, end);
    long bars = Pattern.compile("<rect ").matcher(amount).results().count();
    assertEquals(HtmlReport.BUCKETS, bars, "one bar per bucket, no frequent-items chart for a fractional column");
    assertTrue(amount.contains("From the 0.5% to the 99.5% quantile"), "the long tail is clipped and said so");
    String express = html.substring(html.indexOf("id=\"col-65787072657373\""));
    assertTrue(express.substring(0, express.indexOf("</article>")).contains("True and false"), "booleans get bars");
  }
}
