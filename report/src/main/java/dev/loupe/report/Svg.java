package dev.loupe.report;

import static dev.loupe.report.Html.esc;
import static dev.loupe.report.Html.pct;

import java.util.Locale;

/** The report's inline SVG charts, drawn from {@link ReportModel}'s numbers (nothing is computed here but geometry). */
final class Svg {
  static final String TARGET = "#2563eb";
  static final String REFERENCE = "#ea580c";
  /** The histogram's geometry: viewBox width and height, the plot's left margin, bottom margin and top margin. */
  static final int HIST_W = 420;
  static final int HIST_H = 190;
  static final int HIST_LEFT = 40;
  static final int HIST_BOTTOM = 24;
  static final int HIST_TOP = 10;
  static final int HIST_PLOT_W = HIST_W - HIST_LEFT - 8;
  static final int HIST_PLOT_H = HIST_H - HIST_BOTTOM - HIST_TOP;

  private Svg() {}

  /** The histogram: one bar per bucket, the reference as a step line, the range's ends and middle on the axis. */
  static void histogram(StringBuilder out, ReportModel.Histogram hist, java.util.function.DoubleFunction<String> label) {
    if (!hist.finite()) {
      out.append("<p class=\"muted empty\">Values are not finite; no histogram.</p>");
      return;
    }
    double[] p = hist.masses();
    double[] q = hist.referenceMasses();
    double top = hist.top();
    double lo = hist.lo();
    double hi = hist.hi();
    int w = HIST_W;
    int h = HIST_H;
    int left = HIST_LEFT;
    int plotW = HIST_PLOT_W;
    int plotH = HIST_PLOT_H;
    out.append("<svg viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\" aria-label=\"histogram\">");
    out.append("<line x1=\"").append(left).append("\" y1=\"").append(HIST_TOP + plotH).append("\" x2=\"").append(w - 8)
        .append("\" y2=\"").append(HIST_TOP + plotH).append("\" class=\"axis\"/>");
    out.append(text(left - 4, 14, "end", pct(top))).append(text(left - 4, HIST_TOP + plotH, "end", "0"));
    double bw = (double) plotW / p.length;
    for (int i = 0; i < p.length; i++) {
      double bh = p[i] / top * plotH;
      out.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
          + "<title>%s</title></rect>", left + i * bw + 0.5, HIST_TOP + plotH - bh, Math.max(0.5, bw - 1), bh, TARGET,
          esc(label.apply(hist.edges()[i]) + " to " + label.apply(hist.edges()[i + 1]) + ": " + pct(p[i]))));
    }
    if (q != null) {
      StringBuilder path = new StringBuilder();
      for (int i = 0; i < q.length; i++) {
        double y = HIST_TOP + plotH - q[i] / top * plotH;
        path.append(i == 0 ? String.format(Locale.ROOT, "M%.1f %.1f", (double) left, y)
                : String.format(Locale.ROOT, " L%.1f %.1f", left + i * bw, y))
            .append(String.format(Locale.ROOT, " L%.1f %.1f", left + (i + 1) * bw, y));
      }
      out.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(REFERENCE)
          .append("\" stroke-width=\"2\"><title>reference</title></path>");
    }
    out.append(text(left, h - 6, "start", label.apply(lo)))
        .append(text(left + plotW / 2, h - 6, "middle", label.apply((lo + hi) / 2)))
        .append(text(w - 8, h - 6, "end", label.apply(hi)));
    out.append("</svg>");
    if (hist.clipped() && hi > lo) {
      out.append("<p class=\"muted small\">From the 0.5% to the 99.5% quantile; values beyond (min ")
          .append(esc(label.apply(hist.min()))).append(", max ").append(esc(label.apply(hist.max())))
          .append(") are in the end buckets.</p>");
    }
  }

  /** Horizontal bars of shares, with the reference's share of the same label as a thin bar beneath. */
  static void bars(StringBuilder out, ReportModel.Bars bars) {
    double max = bars.top();
    boolean ref = bars.referenced();
    int row = ref ? 22 : 18;
    int w = 420;
    int labelW = 130;
    int plotW = w - labelW - 60;
    int h = Math.max(40, bars.bars().size() * row + 8);
    out.append("<svg viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\" aria-label=\"bar chart\">");
    int y = 4;
    for (ReportModel.Bar bar : bars.bars()) {
      String label = bar.label();
      String shown = label.codePointCount(0, label.length()) > 18
          ? label.substring(0, label.offsetByCodePoints(0, 17)) + "\u2026" : label;
      double bw = bar.share() / max * plotW;
      out.append("<g><title>").append(esc(label)).append(": ").append(pct(bar.share()));
      if (ref) {
        out.append(" (reference ").append(pct(bar.referenceShare())).append(')');
      }
      out.append("</title>").append(text(labelW - 6, y + 12, "end", shown));
      out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"13\" fill=\"%s\"/>",
          labelW, y + 2, Math.max(1, bw), TARGET));
      if (ref) {
        double rw = bar.referenceShare() / max * plotW;
        out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"4\" fill=\"%s\"/>",
            labelW, y + 16, Math.max(0, rw), REFERENCE));
      }
      out.append(text((int) (labelW + Math.max(1, bw) + 4), y + 12, "start", pct(bar.share()))).append("</g>");
      y += row;
    }
    out.append("</svg>");
  }

  static String text(int x, int y, String anchor, String s) {
    return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">" + esc(s) + "</text>";
  }
}
