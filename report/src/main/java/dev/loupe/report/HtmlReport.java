package dev.loupe.report;

import dev.loupe.core.ColumnView;
import dev.loupe.core.ProfileView;
import dev.loupe.core.drift.ColumnDrift;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.DriftCategory;
import dev.loupe.core.drift.DriftReport;
import dev.loupe.core.metrics.CardinalityMetric;
import dev.loupe.core.metrics.DistributionMetric;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * A profile as one self-contained HTML page: inline CSS and inline SVG charts, no scripts, fonts
 * or anything else fetched, so the file opens offline and can be mailed or archived as it is.
 * Per column: a summary, a histogram (from the KLL sketch: the CDF's differences over 30 equal
 * buckets) and a frequent-items bar chart; with a reference profile, the drift table
 * ({@link Drift#compare}) and the reference drawn over each chart.
 *
 * <p>Every string that comes from a profile (column names, items, tags) is HTML-escaped.
 *
 * <pre>{@code
 * String html = HtmlReport.render(profile, Optional.of(reference));
 * Files.writeString(Path.of("report.html"), html);
 * }</pre>
 */
public final class HtmlReport {
  static final int BUCKETS = 30;
  static final int TOP_ITEMS = 10;
  static final double TAIL = 0.005;
  private static final String TARGET = "#2563eb";
  private static final String REFERENCE = "#ea580c";

  private HtmlReport() {}

  public static String render(ProfileView profile, Optional<ProfileView> reference) {
    return render(profile, reference, "Profile report");
  }

  /** As {@link #render(ProfileView, Optional)}, with the page's title. */
  public static String render(ProfileView profile, Optional<ProfileView> reference, String title) {
    return new HtmlReport.Page(profile, reference.orElse(null), title).html();
  }

  /** Renders and writes the page (UTF-8) to {@code out}. */
  public static void write(Path out, ProfileView profile, Optional<ProfileView> reference) throws IOException {
    Files.writeString(out, render(profile, reference), StandardCharsets.UTF_8);
  }

  /** One page being built. */
  private static final class Page {
    private final ProfileView profile;
    private final ProfileView reference;
    private final String title;
    private final DriftReport drift;
    private final StringBuilder out = new StringBuilder(64 * 1024);

    Page(ProfileView profile, ProfileView reference, String title) {
      this.profile = profile;
      this.reference = reference;
      this.title = title;
      this.drift = reference == null ? null : Drift.compare(reference, profile);
    }

    String html() {
      out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .append("<title>").append(esc(title)).append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n");
      header();
      if (drift != null) {
        driftTable();
      }
      overview();
      out.append("<section id=\"details\"><h2>Columns in detail</h2>\n");
      int i = 0;
      for (Map.Entry<String, ColumnView> e : profile.columns().entrySet()) {
        column(i++, e.getKey(), e.getValue());
      }
      if (profile.columns().isEmpty()) {
        out.append("<p class=\"muted\">The profile has no columns.</p>\n");
      }
      out.append("</section>\n<footer>Made by Loupe from a whylogs-compatible profile. Histograms are drawn from "
          + "KLL quantile sketches (rank error about 0.35%), distinct counts are HLL estimates, frequent items "
          + "come from a frequent-items sketch.</footer>\n</body>\n</html>\n");
      return out.toString();
    }

    private void header() {
      long rows = profile.columns().values().stream().mapToLong(c -> c.counts().n()).max().orElse(0);
      out.append("<header><h1>").append(esc(title)).append("</h1>\n<p class=\"meta\">");
      List<String> parts = new ArrayList<>();
      parts.add(profile.columns().size() + " columns");
      parts.add(group(rows) + " rows");
      profile.properties().datasetTimestamp().ifPresent(t -> parts.add("data from " + time(t)));
      profile.properties().creationTimestamp().ifPresent(t -> parts.add("profiled " + time(t)));
      if (reference != null) {
        long refRows = reference.columns().values().stream().mapToLong(c -> c.counts().n()).max().orElse(0);
        parts.add("reference: " + reference.columns().size() + " columns, " + group(refRows) + " rows");
      }
      out.append(esc(String.join(" \u00b7 ", parts))).append("</p>\n");
      Map<String, String> tags = profile.properties().tags();
      if (!tags.isEmpty()) {
        out.append("<p class=\"tags\">");
        tags.forEach((k, v) -> out.append("<span class=\"tag\">").append(esc(k)).append(" = ").append(esc(v))
            .append("</span> "));
        out.append("</p>\n");
      }
      if (reference != null) {
        out.append("<p class=\"legend\"><span class=\"key\" style=\"background:").append(TARGET)
            .append("\"></span>profile <span class=\"key ref\" style=\"border-color:").append(REFERENCE)
            .append("\"></span>reference</p>\n");
      }
      out.append("</header>\n");
    }

    private void driftTable() {
      Map<DriftCategory, Integer> n = drift.counts();
      out.append("<section id=\"drift\"><h2>Drift against the reference</h2>\n<p class=\"summary\">")
          .append(badge(DriftCategory.DRIFT, n.get(DriftCategory.DRIFT) + " drift")).append(' ')
          .append(badge(DriftCategory.POSSIBLE_DRIFT, n.get(DriftCategory.POSSIBLE_DRIFT) + " possible drift")).append(' ')
          .append(badge(DriftCategory.NO_DRIFT, n.get(DriftCategory.NO_DRIFT) + " no drift")).append(' ')
          .append("<span class=\"badge skip\">").append(drift.skippedCount()).append(" skipped</span></p>\n")
          .append("<table class=\"data\"><thead><tr><th>column</th><th>type</th><th>test</th><th class=\"num\">statistic</th>"
              + "<th class=\"num\">p-value</th><th class=\"num\">effect size</th><th>result</th><th>note</th>"
              + "</tr></thead><tbody>\n");
      for (ColumnDrift d : drift.columns()) {
        out.append("<tr><td class=\"name\">").append(link(d.column())).append("</td><td>").append(esc(d.type()))
            .append("</td><td>").append(d.algorithm() == null ? "&ndash;" : esc(d.algorithm().label().replace('_', ' ')))
            .append("</td><td class=\"num\">").append(num(d.statistic())).append("</td><td class=\"num\">")
            .append(num(d.pValue())).append("</td><td class=\"num\">").append(effect(d)).append("</td><td>")
            .append(d.category() == null ? "<span class=\"badge skip\">skipped</span>" : badge(d.category(), d.category().label().replace('_', ' ')))
            .append("</td><td class=\"note\">").append(esc(d.note())).append("</td></tr>\n");
      }
      out.append("</tbody></table>\n<p class=\"muted\">Kolmogorov-Smirnov on the quantile sketches for numeric columns "
          + "(the sketches' rank error taken out of D before the p-value), the chi-square test of homogeneity on frequent "
          + "items or true/false counts for categorical ones (estimated counts within their error bounds); p &ge; 0.15 "
          + "no drift, 0.05&ndash;0.15 possible drift, below 0.05 drift. Effect size: the KS distance (largest gap "
          + "between the two cumulative distributions) or the total variation distance (largest difference in the "
          + "share of any set of categories), 0 to 1, whatever the row count.");
      if (drift.options().minEffect() > 0) {
        out.append(" Changes with an effect below ").append(num(drift.options().minEffect()))
            .append(" are reported as no drift (negligible).");
      }
      out.append("</p></section>\n");
    }

    /** The effect size and its measure, e.g. "0.0123 KS"; a dash for a skipped column. */
    private static String effect(ColumnDrift d) {
      if (d.effectSize() == null || d.effectMeasure() == null) {
        return "&ndash;";
      }
      String unit = switch (d.effectMeasure()) {
        case KS_DISTANCE -> "KS";
        case TOTAL_VARIATION -> "TV";
        case HELLINGER -> "H";
      };
      return num(d.effectSize()) + "&nbsp;<span class=\"muted\">" + unit + "</span>"
          + (d.negligible() ? " <span class=\"muted\">(negligible)</span>" : "");
    }

    private void overview() {
      out.append("<section id=\"overview\"><h2>Columns</h2>\n<table class=\"data\"><thead><tr><th>column</th><th>type</th>"
          + "<th class=\"num\">count</th><th class=\"num\">nulls</th><th class=\"num\">distinct&nbsp;&asymp;</th>"
          + "<th class=\"num\">mean</th><th class=\"num\">stddev</th><th class=\"num\">min</th><th class=\"num\">median</th>"
          + "<th class=\"num\">max</th>");
      if (drift != null) {
        out.append("<th>drift</th>");
      }
      out.append("</tr></thead><tbody>\n");
      for (Map.Entry<String, ColumnView> e : profile.columns().entrySet()) {
        ColumnView c = e.getValue();
        Optional<DistributionMetric> d = c.distribution().filter(m -> !m.isEmpty());
        out.append("<tr><td class=\"name\">").append(link(e.getKey())).append("</td><td>").append(esc(c.inferredType()))
            .append("</td><td class=\"num\">").append(group(c.counts().n())).append("</td><td class=\"num\">")
            .append(nullShare(c)).append("</td><td class=\"num\">").append(distinct(c)).append("</td>");
        for (Double v : List.of(d.map(m -> m.mean().orElse(Double.NaN)).orElse(Double.NaN),
            d.filter(m -> m.n() > 1).map(m -> m.stddev().orElse(Double.NaN)).orElse(Double.NaN),
            d.map(m -> m.min().orElse(Double.NaN)).orElse(Double.NaN), d.map(m -> m.quantile(0.5).orElse(Double.NaN)).orElse(Double.NaN),
            d.map(m -> m.max().orElse(Double.NaN)).orElse(Double.NaN))) {
          out.append("<td class=\"num\">").append(v.isNaN() ? "&ndash;" : num(v)).append("</td>");
        }
        if (drift != null) {
          ColumnDrift cd = drift.column(e.getKey()).orElse(null);
          out.append("<td>").append(cd == null || cd.category() == null ? "<span class=\"badge skip\">&ndash;</span>"
              : badge(cd.category(), cd.category().label().replace('_', ' '))).append("</td>");
        }
        out.append("</tr>\n");
      }
      out.append("</tbody></table></section>\n");
    }

    private void column(int index, String name, ColumnView c) {
      ColumnView ref = reference == null ? null : reference.column(name).orElse(null);
      out.append("<article class=\"col\" id=\"").append(anchor(name)).append("\"><h3><span class=\"name\">")
          .append(esc(name)).append("</span> <span class=\"type\">").append(esc(c.inferredType())).append("</span>");
      if (drift != null) {
        drift.column(name).filter(d -> d.category() != null)
            .ifPresent(d -> out.append(' ').append(badge(d.category(), d.category().label().replace('_', ' '))));
      }
      out.append("</h3>\n<div class=\"panels\">\n<dl class=\"stats\">");
      stat("count", group(c.counts().n()));
      stat("nulls", nullShare(c));
      if (c.counts().inf() > 0) {
        stat("infinities", group(c.counts().inf()));
      }
      if (c.types().bool() > 0) {
        stat("true", group(c.counts().trueCount()) + " of " + group(c.types().bool()));
      }
      stat("distinct &asymp;", distinct(c));
      Optional<DistributionMetric> d = c.distribution().filter(m -> !m.isEmpty());
      if (d.isPresent()) {
        DistributionMetric m = d.get();
        stat("mean", num(m.mean().orElse(Double.NaN)) + refStat(ref, x -> x.mean().orElse(Double.NaN)));
        if (m.n() > 1) {
          stat("stddev", num(m.stddev().orElse(Double.NaN)) + refStat(ref, x -> x.stddev().orElse(Double.NaN)));
        }
        stat("min", num(m.min().orElse(Double.NaN)));
        stat("q 5% / 25%", num(m.quantile(0.05).orElse(Double.NaN)) + " / " + num(m.quantile(0.25).orElse(Double.NaN)));
        stat("median", num(m.quantile(0.5).orElse(Double.NaN)) + refStat(ref, x -> x.quantile(0.5).orElse(Double.NaN)));
        stat("q 75% / 95%", num(m.quantile(0.75).orElse(Double.NaN)) + " / " + num(m.quantile(0.95).orElse(Double.NaN)));
        stat("max", num(m.max().orElse(Double.NaN)));
      }
      out.append("</dl>\n");
      Optional<FrequentItemsMetric> fi = c.frequentItems().filter(m -> !m.isEmpty());
      boolean bools = c.types().bool() > 0;
      int charts = (d.isPresent() ? 1 : 0) + (fi.isPresent() || bools ? 1 : 0);
      if (d.isPresent()) {
        out.append("<figure class=\"chart\"><figcaption>Histogram (share of values)</figcaption>");
        histogram(d.get(), ref == null ? Optional.empty() : ref.distribution().filter(m -> !m.isEmpty()));
        out.append("</figure>\n");
      }
      if (fi.isPresent()) {
        out.append("<figure class=\"chart\"><figcaption>Frequent items (share of values)</figcaption>");
        Optional<FrequentItemsMetric> rfi = ref == null ? Optional.empty() : ref.frequentItems().filter(m -> !m.isEmpty());
        List<FrequentItemsMetric.Item> all = fi.get().allItems();
        Map<String, Double> shares = new LinkedHashMap<>();
        Map<String, Double> refShares = new LinkedHashMap<>();
        double total = Math.max(1, fi.get().streamLength());
        for (FrequentItemsMetric.Item it : all.subList(0, Math.min(TOP_ITEMS, all.size()))) {
          shares.put(it.value(), it.est() / total);
          rfi.ifPresent(r -> refShares.put(it.value(), r.estimate(it.value()) / (double) Math.max(1, r.streamLength())));
        }
        bars(shares, rfi.isPresent() ? refShares : null);
        if (all.size() > shares.size()) {
          out.append("<p class=\"muted small\">").append(shares.size()).append(" most frequent of ").append(all.size())
              .append(" items held by the sketch.</p>");
        }
        out.append("</figure>\n");
      } else if (bools) {
        out.append("<figure class=\"chart\"><figcaption>True and false (share of booleans)</figcaption>");
        bars(booleanShares(c), ref == null || ref.types().bool() == 0 ? null : booleanShares(ref));
        out.append("</figure>\n");
      }
      if (charts == 0) {
        out.append("<p class=\"muted empty\">No values to chart: only nulls or objects.</p>");
      }
      out.append("</div></article>\n");
      // the grid gets as many chart columns as there are charts
      int at = out.lastIndexOf("<div class=\"panels\">");
      out.replace(at, at + "<div class=\"panels\">".length(), "<div class=\"panels n" + charts + "\">");
    }

    private static Map<String, Double> booleanShares(ColumnView c) {
      double n = Math.max(1, c.types().bool());
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("True", c.counts().trueCount() / n);
      m.put("False", (c.types().bool() - c.counts().trueCount()) / n);
      return m;
    }

    private void stat(String label, String valueHtml) {
      out.append("<dt>").append(label).append("</dt><dd>").append(valueHtml).append("</dd>");
    }

    private static String refStat(ColumnView ref, java.util.function.ToDoubleFunction<DistributionMetric> f) {
      if (ref == null) {
        return "";
      }
      Optional<DistributionMetric> d = ref.distribution().filter(m -> !m.isEmpty());
      if (d.isEmpty()) {
        return "";
      }
      double v = f.applyAsDouble(d.get());
      return Double.isNaN(v) ? "" : " <span class=\"ref\">ref " + num(v) + "</span>";
    }

    // ---- charts ----

    private void histogram(DistributionMetric m, Optional<DistributionMetric> ref) {
      // the range is the 0.5% to 99.5% quantiles of both sides, so one outlier cannot squash the
      // chart; values beyond it fall into the end buckets (getPMF's first and last buckets are open)
      double lo = m.quantile(TAIL).orElse(Double.NaN);
      double hi = m.quantile(1 - TAIL).orElse(Double.NaN);
      if (ref.isPresent()) {
        lo = Math.min(lo, ref.get().quantile(TAIL).orElse(Double.NaN));
        hi = Math.max(hi, ref.get().quantile(1 - TAIL).orElse(Double.NaN));
      }
      boolean clipped = lo > m.min().orElse(Double.NaN) || hi < m.max().orElse(Double.NaN)
          || ref.map(r -> r.min().orElse(Double.NaN) < m.quantile(TAIL).orElse(Double.NaN) || r.max().orElse(Double.NaN) > m.quantile(1 - TAIL).orElse(Double.NaN)).orElse(false);
      if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
        out.append("<p class=\"muted empty\">Values are not finite; no histogram.</p>");
        return;
      }
      double[] p = masses(m, lo, hi);
      final double from = lo;
      final double to = hi;
      double[] q = ref.map(r -> masses(r, from, to)).orElse(null);
      double top = 0;
      for (int i = 0; i < p.length; i++) {
        top = Math.max(top, p[i]);
        if (q != null) {
          top = Math.max(top, q[i]);
        }
      }
      top = top <= 0 ? 1 : top;
      int w = 420;
      int h = 190;
      int left = 40;
      int bottom = 24;
      int plotW = w - left - 8;
      int plotH = h - bottom - 10;
      out.append("<svg viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\" aria-label=\"histogram\">");
      out.append("<line x1=\"").append(left).append("\" y1=\"").append(10 + plotH).append("\" x2=\"").append(w - 8)
          .append("\" y2=\"").append(10 + plotH).append("\" class=\"axis\"/>");
      out.append(text(left - 4, 14, "end", pct(top))).append(text(left - 4, 10 + plotH, "end", "0"));
      double bw = (double) plotW / p.length;
      for (int i = 0; i < p.length; i++) {
        double bh = p[i] / top * plotH;
        out.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
            + "<title>%s</title></rect>", left + i * bw + 0.5, 10 + plotH - bh, Math.max(0.5, bw - 1), bh, TARGET,
            esc(num(lo + (hi - lo) * i / p.length) + " to " + num(lo + (hi - lo) * (i + 1) / p.length) + ": " + pct(p[i]))));
      }
      if (q != null) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < q.length; i++) {
          double y = 10 + plotH - q[i] / top * plotH;
          path.append(i == 0 ? String.format(Locale.ROOT, "M%.1f %.1f", (double) left, y) : String.format(Locale.ROOT, " L%.1f %.1f", left + i * bw, y))
              .append(String.format(Locale.ROOT, " L%.1f %.1f", left + (i + 1) * bw, y));
        }
        out.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(REFERENCE)
            .append("\" stroke-width=\"2\"><title>reference</title></path>");
      }
      out.append(text(left, h - 6, "start", numText(lo))).append(text(left + plotW / 2, h - 6, "middle", numText((lo + hi) / 2)))
          .append(text(w - 8, h - 6, "end", numText(hi)));
      out.append("</svg>");
      if (clipped && hi > lo) {
        out.append("<p class=\"muted small\">From the 0.5% to the 99.5% quantile; values beyond (min ")
            .append(num(m.min().orElse(Double.NaN))).append(", max ").append(num(m.max().orElse(Double.NaN))).append(") are in the end buckets.</p>");
      }
    }

    /** Mass per equal-width bucket over [lo, hi]; a single value puts all mass in the middle bucket. */
    private static double[] masses(DistributionMetric m, double lo, double hi) {
      double[] out = new double[BUCKETS];
      if (hi <= lo) {
        out[BUCKETS / 2] = 1;
        return out;
      }
      TreeSet<Double> edges = new TreeSet<>();
      for (int i = 1; i < BUCKETS; i++) {
        edges.add(lo + (hi - lo) * i / BUCKETS);
      }
      double[] split = edges.stream().mapToDouble(Double::doubleValue).toArray();
      KllDoublesSketch s = m.sketchCopy();
      double[] pmf = s.getPMF(split, QuantileSearchCriteria.INCLUSIVE);
      System.arraycopy(pmf, 0, out, 0, Math.min(pmf.length, BUCKETS));
      return out;
    }

    /** Horizontal bars of shares, with the reference's share of the same label as a thin bar beneath. */
    private void bars(Map<String, Double> shares, Map<String, Double> ref) {
      double max = 0;
      for (Map.Entry<String, Double> e : shares.entrySet()) {
        max = Math.max(max, e.getValue());
        if (ref != null) {
          max = Math.max(max, ref.getOrDefault(e.getKey(), 0.0));
        }
      }
      max = max <= 0 ? 1 : max;
      int row = ref != null ? 22 : 18;
      int w = 420;
      int labelW = 130;
      int plotW = w - labelW - 60;
      int h = Math.max(40, shares.size() * row + 8);
      out.append("<svg viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\" aria-label=\"bar chart\">");
      int y = 4;
      for (Map.Entry<String, Double> e : shares.entrySet()) {
        String label = e.getKey();
        String shown = label.codePointCount(0, label.length()) > 18
            ? label.substring(0, label.offsetByCodePoints(0, 17)) + "\u2026" : label;
        double bw = e.getValue() / max * plotW;
        out.append("<g><title>").append(esc(label)).append(": ").append(pct(e.getValue()));
        if (ref != null) {
          out.append(" (reference ").append(pct(ref.getOrDefault(label, 0.0))).append(')');
        }
        out.append("</title>").append(text(labelW - 6, y + 12, "end", shown));
        out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"13\" fill=\"%s\"/>",
            labelW, y + 2, Math.max(1, bw), TARGET));
        if (ref != null) {
          double rw = ref.getOrDefault(label, 0.0) / max * plotW;
          out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"4\" fill=\"%s\"/>",
              labelW, y + 16, Math.max(0, rw), REFERENCE));
        }
        out.append(text((int) (labelW + Math.max(1, bw) + 4), y + 12, "start", pct(e.getValue()))).append("</g>");
        y += row;
      }
      out.append("</svg>");
    }

    private static String text(int x, int y, String anchor, String s) {
      return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">" + esc(s) + "</text>";
    }

    // ---- formatting ----

    private static String badge(DriftCategory c, String label) {
      String cls = switch (c) {
        case NO_DRIFT -> "ok";
        case POSSIBLE_DRIFT -> "warn";
        case DRIFT -> "bad";
      };
      return "<span class=\"badge " + cls + "\">" + esc(label) + "</span>";
    }

    private static String link(String column) {
      return "<a href=\"#" + anchor(column) + "\">" + esc(column) + "</a>";
    }

    /** An id made only of safe characters (hex of the UTF-8 bytes), so no column name can break out of the attribute. */
    private static String anchor(String column) {
      StringBuilder sb = new StringBuilder("col-");
      for (byte b : column.getBytes(StandardCharsets.UTF_8)) {
        sb.append(String.format("%02x", b & 0xff));
      }
      return sb.toString();
    }

    private static String nullShare(ColumnView c) {
      long n = c.counts().n();
      long nulls = c.counts().nulls();
      if (nulls == 0) {
        return "0";
      }
      return group(nulls) + " (" + pct((double) nulls / Math.max(1, n)) + ")";
    }

    private static String distinct(ColumnView c) {
      Optional<CardinalityMetric> h = c.cardinality().filter(m -> !m.isEmpty());
      return h.map(m -> group(Math.round(m.estimate()))).orElse("&ndash;");
    }

    private static String time(Instant t) {
      return t.toString().replace("T", " ").replace("Z", " UTC");
    }
  }

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

  static String group(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  static String num(Double v) {
    if (v == null) {
      return "&ndash;";
    }
    return esc(numText(v));
  }

  static String numText(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "\u221e" : "-\u221e";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e9)) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    String s = String.format(Locale.ROOT, "%.4g", v);
    return s.contains(".") && !s.contains("e") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  static String pct(double f) {
    double p = 100 * f;
    return String.format(Locale.ROOT, p != 0 && p < 0.1 ? "%.2f%%" : "%.1f%%", p);
  }

  private static final String CSS = """
      :root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--card:#fff}
      *{box-sizing:border-box}
      body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
      header,section,footer{max-width:1280px;margin:0 auto 20px}
      h1{font-size:24px;margin:0 0 4px}
      h2{font-size:18px;margin:24px 0 10px}
      h3{font-size:16px;margin:0 0 10px;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
      .meta,.muted{color:var(--muted)}
      .small{font-size:12px;margin:4px 0 0}
      .tag{display:inline-block;background:#eef2ff;border-radius:4px;padding:1px 6px;margin:2px 4px 2px 0;font-size:12px}
      .legend{font-size:13px;color:var(--muted)}
      .key{display:inline-block;width:14px;height:10px;margin:0 6px 0 0;vertical-align:baseline}
      .key.ref{border-top:3px solid;height:0;margin-left:14px}
      table.data{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:6px;overflow:hidden}
      table.data th,table.data td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
      table.data th{background:#f1f5f9;font-weight:600;font-size:13px;white-space:nowrap}
      table.data tr:last-child td{border-bottom:0}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
      td.name{font-weight:600;word-break:break-all;max-width:260px}
      td.note{color:var(--muted);font-size:13px;max-width:340px}
      a{color:#1d4ed8;text-decoration:none}
      a:hover{text-decoration:underline}
      .badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap}
      .badge.ok{background:#dcfce7;color:#166534}
      .badge.warn{background:#fef3c7;color:#92400e}
      .badge.bad{background:#fee2e2;color:#991b1b}
      .badge.skip{background:#f1f5f9;color:var(--muted)}
      .summary .badge{font-size:13px;padding:3px 12px}
      article.col{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 14px}
      h3 .name{word-break:break-all}
      h3 .type{font-size:12px;font-weight:500;color:var(--muted);background:#f1f5f9;border-radius:4px;padding:1px 6px}
      .panels{display:grid;grid-template-columns:250px minmax(0,1fr) minmax(0,1fr);gap:20px 28px;align-items:start}
      .panels.n1{grid-template-columns:250px minmax(0,560px)}
      .panels.n0{grid-template-columns:250px 1fr}
      @media (max-width:1000px){.panels{grid-template-columns:1fr}}
      dl.stats{display:grid;grid-template-columns:auto 1fr;gap:3px 12px;margin:0;font-size:13px}
      dl.stats dt{color:var(--muted)}
      dl.stats dd{margin:0;font-variant-numeric:tabular-nums;text-align:right}
      .ref{color:#c2410c;font-size:12px}
      figure.chart{margin:0}
      figcaption{font-size:12px;color:var(--muted);margin:0 0 4px;text-transform:uppercase;letter-spacing:.04em}
      svg{width:100%;height:auto;display:block}
      svg text{font-size:11px;fill:#374151}
      svg .axis{stroke:#9ca3af;stroke-width:1}
      p.empty{margin:20px 0}
      footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
      """;
}
