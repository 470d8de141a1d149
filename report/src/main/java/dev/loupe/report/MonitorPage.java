package dev.loupe.report;

import static dev.loupe.report.Html.esc;
import static dev.loupe.report.Html.numText;

import dev.loupe.core.monitor.Alert;
import dev.loupe.core.monitor.Check;
import dev.loupe.core.monitor.ColumnPoint;
import dev.loupe.core.monitor.MonitorResult;
import dev.loupe.core.monitor.WindowPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * A monitor run as one self-contained HTML page, like {@link HtmlReport}: inline CSS and SVG, no
 * scripts, nothing fetched. It shows the incidents, the rows per window, and per column its time
 * series (mean with the 25-75% quantile band and the 5% and 95% quantiles, null fraction, distinct
 * estimate, share of the top item), with the windows that raised an alert marked in red on the
 * column's charts (and gaps on every chart). Long histories are drawn in at most
 * {@value #MAX_POINTS} points: each point then averages its windows.
 *
 * <pre>{@code
 * List<WindowPoint> points = new ArrayList<>();
 * MonitorResult r = monitor.run(windows, listing.window(), (p, a) -> points.add(p));
 * MonitorPage.write(Path.of("monitor.html"), "orders", points, r);
 * }</pre>
 */
public final class MonitorPage {
  static final int MAX_POINTS = 600;
  static final int W = 760;
  static final int H = 150;
  static final int LEFT = 64;
  static final int RIGHT = 12;
  static final int TOP = 10;
  static final int BOTTOM = 24;
  private static final String LINE = "#2563eb";
  private static final String BAND = "#bfdbfe";
  private static final String ALERT = "#dc2626";
  private static final String CSS = Html.css("monitor.css");

  private MonitorPage() {}

  public static String render(String dataset, List<WindowPoint> points, MonitorResult result) {
    return new Page(dataset, points, result).html();
  }

  public static void write(Path out, String dataset, List<WindowPoint> points, MonitorResult result)
      throws IOException {
    Files.writeString(out, render(dataset, points, result), StandardCharsets.UTF_8);
  }

  private static final class Page {
    private final String dataset;
    private final List<WindowPoint> points;
    private final MonitorResult result;
    private final StringBuilder out = new StringBuilder(256 * 1024);
    private final long t0;
    private final long t1;

    Page(String dataset, List<WindowPoint> points, MonitorResult result) {
      this.dataset = dataset;
      this.points = points;
      this.result = result;
      this.t0 = points.isEmpty() ? 0 : points.get(0).start().toEpochMilli();
      this.t1 = points.isEmpty() ? 1 : Math.max(t0 + 1, points.get(points.size() - 1).start().toEpochMilli());
    }

    String html() {
      String title = "Monitor: " + dataset;
      out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .append("<title>").append(esc(title)).append("</title>\n<style>").append(CSS)
          .append("</style>\n</head>\n<body>\n<header><h1>").append(esc(title)).append("</h1>\n<p class=\"meta\">")
          .append(esc(result.windows() + " windows of " + result.window() + ", " + result.first() + " to "
              + result.last() + "; baseline: " + result.baseline()))
          .append("</p>\n</header>\n");
      incidents();
      out.append("<section id=\"rows\"><h2>Rows per window</h2>\n<article class=\"col\"><div class=\"grid\">");
      List<Instant> marks = marks(null);
      chart("rows", marks, p -> p.rows(), null);
      out.append("</div></article></section>\n<section id=\"columns\"><h2>Columns</h2>\n");
      TreeSet<String> names = new TreeSet<>();
      points.forEach(p -> names.addAll(p.columns().keySet()));
      for (String name : names) {
        column(name);
      }
      out.append("</section>\n<footer>Made by Loupe from a history of whylogs-compatible window profiles. "
          + "Red bands: windows with an alert (for a column: its own alerts, gaps and late windows). Quantiles "
          + "come from KLL sketches, distinct counts are HLL estimates.</footer>\n</body>\n</html>\n");
      return out.toString();
    }

    private void incidents() {
      List<MonitorResult.Incident> inc = result.incidents();
      out.append("<section id=\"alerts\"><h2>Alerts</h2>\n");
      if (inc.isEmpty()) {
        out.append("<p class=\"ok\">No alerts.</p></section>\n");
        return;
      }
      out.append("<p class=\"meta\">").append(result.alerts().size()).append(" alert(s) in ").append(inc.size())
          .append(" incident(s)</p>\n<table class=\"data\"><thead><tr><th>from</th><th>to</th><th class=\"num\">"
              + "windows</th><th>check</th><th>column</th><th>what (strongest window)</th><th>baseline</th>"
              + "</tr></thead><tbody>\n");
      for (MonitorResult.Incident i : inc) {
        out.append("<tr><td>").append(esc(i.first().toString())).append("</td><td>").append(esc(i.last().toString()))
            .append("</td><td class=\"num\">").append(i.windows()).append("</td><td><span class=\"badge\">")
            .append(esc(i.check().label())).append("</span></td><td class=\"name\">");
        if (i.column() != null) {
          out.append("<a href=\"#col-").append(anchor(i.column())).append("\">").append(esc(i.column())).append("</a>");
        } else {
          out.append("&ndash;");
        }
        out.append("</td><td>").append(esc(i.strongest().message())).append("</td><td class=\"note\">")
            .append(esc(i.strongest().baseline())).append("</td></tr>\n");
      }
      out.append("</tbody></table></section>\n");
    }

    /** The windows to mark on a column's charts (null: the window-level ones). */
    private List<Instant> marks(String column) {
      List<Instant> m = new ArrayList<>();
      for (Alert a : result.alerts()) {
        boolean everywhere = a.check() == Check.GAP || a.check() == Check.LATE;
        if (column == null ? a.column() == null : column.equals(a.column()) || everywhere) {
          m.add(a.window());
        }
      }
      return m;
    }

    private void column(String name) {
      ColumnPoint last = null;
      for (int i = points.size() - 1; i >= 0 && last == null; i--) {
        last = points.get(i).columns().get(name);
      }
      long alerts = result.alerts().stream().filter(a -> name.equals(a.column())).count();
      out.append("<article class=\"col\" id=\"col-").append(anchor(name)).append("\"><h3><span class=\"name\">")
          .append(esc(name)).append("</span><span class=\"type\">").append(esc(last == null ? "?" : last.type()))
          .append("</span>");
      if (alerts > 0) {
        out.append("<span class=\"badge bad\">").append(alerts).append(" alert(s)</span>");
      }
      out.append("</h3>\n<div class=\"grid\">\n");
      List<Instant> marks = marks(name);
      if (has(name, c -> c.mean())) {
        chart("mean, 25-75% band, 5% and 95%", marks, col(name, c -> c.mean()), new ToDoubleFunction[] {
            col(name, c -> c.quantiles()[1]), col(name, c -> c.quantiles()[3]),
            col(name, c -> c.quantiles()[0]), col(name, c -> c.quantiles()[4])});
      }
      chart("null fraction", marks, col(name, c -> c.nullFraction()), null);
      if (has(name, c -> c.distinct())) {
        chart("distinct (estimate)", marks, col(name, c -> c.distinct()), null);
      }
      if (has(name, c -> c.topShare())) {
        chart("share of the top item", marks, col(name, c -> c.topShare()), null);
      }
      out.append("</div></article>\n");
    }

    private boolean has(String name, ToDoubleFunction<ColumnPoint> f) {
      for (WindowPoint p : points) {
        ColumnPoint c = p.columns().get(name);
        if (c != null && !Double.isNaN(f.applyAsDouble(c))) {
          return true;
        }
      }
      return false;
    }

    private static ToDoubleFunction<WindowPoint> col(String name, ToDoubleFunction<ColumnPoint> f) {
      return p -> {
        ColumnPoint c = p.columns().get(name);
        return c == null ? Double.NaN : f.applyAsDouble(c);
      };
    }

    /** Averages of {@code f} over at most MAX_POINTS buckets of windows; NaN where a bucket has no value. */
    private double[][] series(ToDoubleFunction<WindowPoint> f) {
      int n = points.size();
      int buckets = Math.min(n, MAX_POINTS);
      double[] x = new double[buckets];
      double[] y = new double[buckets];
      for (int b = 0; b < buckets; b++) {
        int from = (int) ((long) b * n / buckets);
        int to = (int) ((long) (b + 1) * n / buckets);
        double sum = 0;
        int k = 0;
        for (int i = from; i < to; i++) {
          double v = f.applyAsDouble(points.get(i));
          if (!Double.isNaN(v) && Double.isFinite(v)) {
            sum += v;
            k++;
          }
        }
        x[b] = points.get(from).start().toEpochMilli();
        y[b] = k == 0 ? Double.NaN : sum / k;
      }
      return new double[][] {x, y};
    }

    @SuppressWarnings("unchecked")
    private void chart(String caption, List<Instant> marks, ToDoubleFunction<WindowPoint> main,
        ToDoubleFunction<WindowPoint>[] band) {
      double[][] m = series(main);
      double[][][] b = band == null ? new double[0][][] : new double[band.length][][];
      for (int i = 0; i < b.length; i++) {
        b[i] = series(band[i]);
      }
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double[][] s : concat(m, b)) {
        for (double v : s[1]) {
          if (!Double.isNaN(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
      }
      out.append("<figure class=\"chart\"><figcaption>").append(esc(caption)).append("</figcaption>\n")
          .append("<svg viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\" aria-label=\"")
          .append(esc(caption)).append(" over time\">");
      if (lo == Double.POSITIVE_INFINITY) {
        out.append("<text x=\"").append(LEFT).append("\" y=\"").append(H / 2).append("\">no values</text></svg></figure>\n");
        return;
      }
      if (hi == lo) {
        hi = lo + Math.max(1e-9, Math.abs(lo) * 0.05 + (lo == 0 ? 1 : 0));
      }
      double plotW = W - LEFT - RIGHT;
      double plotH = H - TOP - BOTTOM;
      // alert windows first, under the lines
      Set<Long> seen = new HashSet<>();
      double slot = Math.max(2, plotW / Math.max(1, Math.min(points.size(), MAX_POINTS)));
      for (Instant t : marks) {
        double x = x(t.toEpochMilli(), plotW);
        if (seen.add(Math.round(x)) && x >= LEFT - 1 && x <= W - RIGHT + 1) {
          out.append("<rect class=\"alert\" x=\"").append(f(x - slot / 2)).append("\" y=\"").append(TOP)
              .append("\" width=\"").append(f(slot)).append("\" height=\"").append(f(plotH)).append("\" fill=\"")
              .append(ALERT).append("\" fill-opacity=\"0.28\"><title>alert ").append(esc(t.toString()))
              .append("</title></rect>");
        }
      }
      if (b.length >= 2) {
        band(b[0], b[1], lo, hi, plotW, plotH);
      }
      for (int i = 2; i < b.length; i++) {
        polyline(b[i], lo, hi, plotW, plotH, LINE, "0.8", "3 3");
      }
      polyline(m, lo, hi, plotW, plotH, LINE, "1.6", null);
      out.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP + (int) plotH)
          .append("\" x2=\"").append(W - RIGHT).append("\" y2=\"").append(TOP + (int) plotH).append("\"/>")
          .append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"")
          .append(LEFT).append("\" y2=\"").append(TOP + (int) plotH).append("\"/>");
      out.append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(TOP + 8).append("\" text-anchor=\"end\">")
          .append(esc(numText(round(hi)))).append("</text><text x=\"").append(LEFT - 4).append("\" y=\"")
          .append(TOP + (int) plotH).append("\" text-anchor=\"end\">").append(esc(numText(round(lo))))
          .append("</text><text x=\"").append(LEFT).append("\" y=\"").append(H - 6).append("\">")
          .append(esc(Instant.ofEpochMilli(t0).toString())).append("</text><text x=\"").append(W - RIGHT)
          .append("\" y=\"").append(H - 6).append("\" text-anchor=\"end\">")
          .append(esc(Instant.ofEpochMilli(t1).toString())).append("</text></svg></figure>\n");
    }

    private static List<double[][]> concat(double[][] m, double[][][] b) {
      List<double[][]> all = new ArrayList<>();
      all.add(m);
      for (double[][] s : b) {
        all.add(s);
      }
      return all;
    }

    private double x(long t, double plotW) {
      return LEFT + (double) (t - t0) / (t1 - t0) * plotW;
    }

    private double y(double v, double lo, double hi, double plotH) {
      return TOP + (1 - (v - lo) / (hi - lo)) * plotH;
    }

    private void polyline(double[][] s, double lo, double hi, double plotW, double plotH, String color, String width,
        String dash) {
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i <= s[0].length; i++) {
        boolean end = i == s[0].length || Double.isNaN(s[1][i]);
        if (end) {
          if (pts.length() > 0) {
            out.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"").append(width)
                .append('"');
            if (dash != null) {
              out.append(" stroke-dasharray=\"").append(dash).append('"');
            }
            out.append(" points=\"").append(pts).append("\"/>");
            pts.setLength(0);
          }
          continue;
        }
        pts.append(f(x((long) s[0][i], plotW))).append(',').append(f(y(s[1][i], lo, hi, plotH))).append(' ');
      }
    }

    private void band(double[][] low, double[][] high, double lo, double hi, double plotW, double plotH) {
      StringBuilder up = new StringBuilder();
      StringBuilder down = new StringBuilder();
      for (int i = 0; i < low[0].length; i++) {
        if (Double.isNaN(low[1][i]) || Double.isNaN(high[1][i])) {
          continue;
        }
        double x = x((long) low[0][i], plotW);
        up.append(f(x)).append(',').append(f(y(high[1][i], lo, hi, plotH))).append(' ');
        down.insert(0, f(x) + "," + f(y(low[1][i], lo, hi, plotH)) + " ");
      }
      if (up.length() > 0) {
        out.append("<polygon fill=\"").append(BAND).append("\" fill-opacity=\"0.7\" stroke=\"none\" points=\"")
            .append(up).append(down).append("\"/>");
      }
    }

    private static double round(double v) {
      if (v == 0 || !Double.isFinite(v)) {
        return v;
      }
      double scale = Math.pow(10, 3 - Math.ceil(Math.log10(Math.abs(v))));
      return Math.round(v * scale) / scale;
    }

    private static String f(double v) {
      return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A fragment id from a column name: letters and digits kept, anything else as its code point. */
    private static String anchor(String name) {
      StringBuilder sb = new StringBuilder();
      name.codePoints().forEach(c -> {
        if (c < 128 && Character.isLetterOrDigit(c)) {
          sb.append((char) c);
        } else {
          sb.append('_').append(Integer.toHexString(c));
        }
      });
      return sb.toString();
    }
  }

}
