package dev.loupe.report;

import static dev.loupe.report.Html.esc;
import static dev.loupe.report.Html.group;
import static dev.loupe.report.Html.num;
import static dev.loupe.report.Html.pct;

import dev.loupe.core.ProfileView;
import dev.loupe.core.drift.ColumnDrift;
import dev.loupe.core.drift.Drift;
import dev.loupe.core.drift.DriftCategory;
import dev.loupe.core.drift.DriftReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 *
 * <p>Inside: {@code ReportModel} computes the numbers, {@code Svg} draws the charts, the page here
 * lays them out, and the stylesheet is the resource {@code dev/loupe/report/report.css}.
 */
public final class HtmlReport {
  private static final String CSS = Html.css("report.css");

  private HtmlReport() {}

  public static String render(ProfileView profile, Optional<ProfileView> reference) {
    return render(profile, reference, "Profile report");
  }

  /** As {@link #render(ProfileView, Optional)}, with the page's title. */
  public static String render(ProfileView profile, Optional<ProfileView> reference, String title) {
    return render(ReportModel.of(profile, reference.orElse(null), title));
  }

  static String render(ReportModel model) {
    return new Page(model).html();
  }

  /** Renders and writes the page (UTF-8) to {@code out}. */
  public static void write(Path out, ProfileView profile, Optional<ProfileView> reference) throws IOException {
    Files.writeString(out, render(profile, reference), StandardCharsets.UTF_8);
  }

  /** One page being built. */
  private static final class Page {
    private final ReportModel model;
    private final DriftReport drift;
    private final StringBuilder out = new StringBuilder(64 * 1024);

    Page(ReportModel model) {
      this.model = model;
      this.drift = model.drift();
    }

    String html() {
      out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .append("<title>").append(esc(model.title())).append("</title>\n<style>").append(CSS)
          .append("</style>\n</head>\n<body>\n");
      header();
      if (drift != null) {
        driftTable();
      }
      overview();
      out.append("<section id=\"details\"><h2>Columns in detail</h2>\n");
      for (ReportModel.Column c : model.columns()) {
        column(c);
      }
      if (model.columns().isEmpty()) {
        out.append("<p class=\"muted\">The profile has no columns.</p>\n");
      }
      out.append("</section>\n<footer>Made by Loupe from a whylogs-compatible profile. Histograms are drawn from "
          + "KLL quantile sketches (rank error about 0.35%), distinct counts are HLL estimates, frequent items "
          + "come from a frequent-items sketch.</footer>\n</body>\n</html>\n");
      return out.toString();
    }

    private void header() {
      out.append("<header><h1>").append(esc(model.title())).append("</h1>\n<p class=\"meta\">");
      List<String> parts = new ArrayList<>();
      parts.add(model.columnCount() + " columns");
      parts.add(group(model.rows()) + " rows");
      model.datasetTimestamp().ifPresent(t -> parts.add("data from " + Html.time(t)));
      model.creationTimestamp().ifPresent(t -> parts.add("profiled " + Html.time(t)));
      if (model.hasReference()) {
        parts.add("reference: " + model.referenceColumns() + " columns, " + group(model.referenceRows()) + " rows");
      }
      out.append(esc(String.join(" \u00b7 ", parts))).append("</p>\n");
      Map<String, String> tags = model.tags();
      if (!tags.isEmpty()) {
        out.append("<p class=\"tags\">");
        tags.forEach((k, v) -> out.append("<span class=\"tag\">").append(esc(k)).append(" = ").append(esc(v))
            .append("</span> "));
        out.append("</p>\n");
      }
      if (model.hasReference()) {
        out.append("<p class=\"legend\"><span class=\"key\" style=\"background:").append(Svg.TARGET)
            .append("\"></span>profile <span class=\"key ref\" style=\"border-color:").append(Svg.REFERENCE)
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
            .append(d.category() == null ? "<span class=\"badge skip\">skipped</span>" : badge(d.category()))
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
      for (ReportModel.Column c : model.columns()) {
        out.append("<tr><td class=\"name\">").append(link(c.name())).append("</td><td>").append(esc(c.type()))
            .append("</td><td class=\"num\">").append(group(c.count())).append("</td><td class=\"num\">")
            .append(nullShare(c)).append("</td><td class=\"num\">").append(distinct(c)).append("</td>");
        double[] row = {c.mean(), c.stddev(), c.min(), c.median(), c.max()};
        for (int i = 0; i < row.length; i++) {
          double v = row[i];
          // the standard deviation of a time column stays in milliseconds (a duration, not an instant)
          out.append("<td class=\"num\">").append(Double.isNaN(v) ? "&ndash;" : i == 1 ? num(v) : val(c, v))
              .append("</td>");
        }
        if (drift != null) {
          ColumnDrift cd = c.drift();
          out.append("<td>").append(cd == null || cd.category() == null ? "<span class=\"badge skip\">&ndash;</span>"
              : badge(cd.category())).append("</td>");
        }
        out.append("</tr>\n");
      }
      out.append("</tbody></table></section>\n");
    }

    private void column(ReportModel.Column c) {
      ReportModel.Bars bars = c.bars();
      int charts = (c.histogram() != null ? 1 : 0) + (bars != null ? 1 : 0);
      out.append("<article class=\"col\" id=\"").append(anchor(c.name())).append("\"><h3><span class=\"name\">")
          .append(esc(c.name())).append("</span> <span class=\"type\">").append(esc(c.type())).append("</span>");
      if (c.drift() != null && c.drift().category() != null) {
        out.append(' ').append(badge(c.drift().category()));
      }
      out.append("</h3>\n<div class=\"panels n").append(charts).append("\">\n<dl class=\"stats\">");
      stat("count", group(c.count()));
      stat("nulls", nullShare(c));
      if (c.infinities() > 0) {
        stat("infinities", group(c.infinities()));
      }
      if (c.booleans() > 0) {
        stat("true", group(c.trues()) + " of " + group(c.booleans()));
      }
      stat("distinct &asymp;", distinct(c));
      if (c.values() > 0) {
        stat("mean", val(c, c.mean()) + refStat(c, c.refMean()));
        if (c.values() > 1) {
          stat("stddev", num(c.stddev()) + refStat(c.refStddev()));
        }
        stat("min", val(c, c.min()));
        stat("q 5% / 25%", val(c, c.q05()) + " / " + val(c, c.q25()));
        stat("median", val(c, c.median()) + refStat(c, c.refMedian()));
        stat("q 75% / 95%", val(c, c.q75()) + " / " + val(c, c.q95()));
        stat("max", val(c, c.max()));
      }
      out.append("</dl>\n");
      if (c.histogram() != null) {
        out.append("<figure class=\"chart\"><figcaption>Histogram (share of values)</figcaption>");
        Svg.histogram(out, c.histogram(), c::valueText);
        out.append("</figure>\n");
      }
      if (bars != null && !bars.booleans()) {
        out.append("<figure class=\"chart\"><figcaption>Frequent items (share of values)</figcaption>");
        Svg.bars(out, bars);
        if (bars.held() > bars.bars().size()) {
          out.append("<p class=\"muted small\">").append(bars.bars().size()).append(" most frequent of ")
              .append(bars.held()).append(" items held by the sketch.</p>");
        }
        out.append("</figure>\n");
      } else if (bars != null) {
        out.append("<figure class=\"chart\"><figcaption>True and false (share of booleans)</figcaption>");
        Svg.bars(out, bars);
        out.append("</figure>\n");
      }
      if (charts == 0) {
        out.append("<p class=\"muted empty\">No values to chart: only nulls or objects.</p>");
      }
      out.append("</div></article>\n");
    }

    private void stat(String label, String valueHtml) {
      out.append("<dt>").append(label).append("</dt><dd>").append(valueHtml).append("</dd>");
    }

    /** The reference's value beside the profile's; nothing without one. */
    private static String refStat(double v) {
      return Double.isNaN(v) ? "" : " <span class=\"ref\">ref " + num(v) + "</span>";
    }

    private static String refStat(ReportModel.Column c, double v) {
      return Double.isNaN(v) ? "" : " <span class=\"ref\">ref " + val(c, v) + "</span>";
    }

    /** A value of column {@code c} as HTML: an instant in a time column, else a number; a dash for none. */
    private static String val(ReportModel.Column c, double v) {
      return Double.isNaN(v) ? "&ndash;" : esc(c.valueText(v));
    }
  }

  // ---- page pieces ----

  private static String badge(DriftCategory c) {
    return badge(c, c.label().replace('_', ' '));
  }

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
  static String anchor(String column) {
    StringBuilder sb = new StringBuilder("col-");
    for (byte b : column.getBytes(StandardCharsets.UTF_8)) {
      sb.append(String.format("%02x", b & 0xff));
    }
    return sb.toString();
  }

  private static String nullShare(ReportModel.Column c) {
    if (c.nulls() == 0) {
      return "0";
    }
    return group(c.nulls()) + " (" + pct(c.nullShare()) + ")";
  }

  private static String distinct(ReportModel.Column c) {
    return c.distinct() < 0 ? "&ndash;" : group(c.distinct());
  }
}
