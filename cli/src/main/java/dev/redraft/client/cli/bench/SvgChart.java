package dev.redraft.client.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Two panels side by side: throughput and p99 latency against the number of clients, one line per
 * target. Every axis is logarithmic: targets differ by orders of magnitude. Plain SVG, no
 * dependencies.
 */
public final class SvgChart {
  private static final String[] COLORS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  private static final int PANEL_W = 440;
  private static final int PANEL_H = 300;
  private static final int LEFT = 70;
  private static final int TOP = 70;
  private static final int GAP = 90;

  private SvgChart() {}

  public static String render(Comparison comparison, String subtitle) {
    List<Integer> clients = comparison.clients();
    List<String> targets = comparison.targets();
    int width = LEFT + PANEL_W + GAP + PANEL_W + 30;
    int height = TOP + PANEL_H + 64 + 20 * ((targets.size() + 3) / 4);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">"
        + "Redraft bench: throughput and p99 latency by number of clients</text>%n", LEFT));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"40\" fill=\"#555\">%s</text>%n", LEFT, escape(subtitle)));

    double minThroughput = Double.MAX_VALUE;
    double maxThroughput = 0;
    double minP99 = Double.MAX_VALUE;
    double maxP99 = 0;
    for (Comparison.Row row : comparison.rows()) {
      if (row.throughput() > 0) {
        minThroughput = Math.min(minThroughput, row.throughput());
        maxThroughput = Math.max(maxThroughput, row.throughput());
      }
      if (row.p99() > 0) {
        minP99 = Math.min(minP99, row.p99());
        maxP99 = Math.max(maxP99, row.p99());
      }
    }
    if (maxP99 == 0) {
      minP99 = 0.1;
      maxP99 = 1;
    }
    if (maxThroughput == 0) {
      minThroughput = 1;
      maxThroughput = 10;
    }
    double tLo = Math.floor(Math.log10(minThroughput));
    double tHi = Math.max(tLo + 1, Math.ceil(Math.log10(maxThroughput)));
    double logLo = Math.floor(Math.log10(minP99));
    double logHi = Math.max(logLo + 1, Math.ceil(Math.log10(maxP99)));

    int x0 = LEFT;
    int x1 = LEFT + PANEL_W + GAP;
    panel(svg, x0, "throughput (operations/s, log scale)", clients);
    panel(svg, x1, "p99 latency (ms, log scale)", clients);
    // Throughput axis: decades.
    for (double d = tLo; d <= tHi + 1e-9; d++) {
      double y = TOP + PANEL_H - PANEL_H * (d - tLo) / (tHi - tLo);
      gridLine(svg, x0, y, formatCount(Math.pow(10, d)));
    }
    // Latency axis: decades.
    for (double d = logLo; d <= logHi + 1e-9; d++) {
      double y = TOP + PANEL_H - PANEL_H * (d - logLo) / (logHi - logLo);
      gridLine(svg, x1, y, formatMs(Math.pow(10, d)));
    }

    for (int t = 0; t < targets.size(); t++) {
      String color = COLORS[t % COLORS.length];
      List<double[]> thr = new ArrayList<>();
      List<double[]> lat = new ArrayList<>();
      for (int c : clients) {
        Optional<Comparison.Row> row = comparison.row(targets.get(t), c);
        if (row.isEmpty()) {
          continue;
        }
        double x = xOf(c, clients);
        if (row.get().throughput() > 0) {
          double ty = (Math.log10(row.get().throughput()) - tLo) / (tHi - tLo);
          thr.add(new double[] {x0 + x, TOP + PANEL_H - PANEL_H * ty});
        }
        if (row.get().p99() > 0) {
          double ly = (Math.log10(row.get().p99()) - logLo) / (logHi - logLo);
          lat.add(new double[] {x1 + x, TOP + PANEL_H - PANEL_H * ly});
        }
      }
      series(svg, thr, color);
      series(svg, lat, color);
      int lx = LEFT + (t % 4) * 220;
      int ly = TOP + PANEL_H + 52 + (t / 4) * 20;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
          + "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text>%n", lx, ly - 4, lx + 24, ly - 4, color, lx + 30, ly,
          escape(targets.get(t))));
    }
    return svg.append("</svg>\n").toString();
  }

  private static void panel(StringBuilder svg, int x, String title, List<Integer> clients) {
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#333\"/>%n", x, TOP, PANEL_W, PANEL_H));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">%s"
        + "</text>%n", x + PANEL_W / 2, TOP - 4, escape(title)));
    for (int c : clients) {
      double cx = x + xOf(c, clients);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", cx, TOP, cx, TOP + PANEL_H, cx,
          TOP + PANEL_H + 16, c));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">clients (log scale)"
        + "</text>%n", x + PANEL_W / 2, TOP + PANEL_H + 32));
  }

  private static void gridLine(StringBuilder svg, int x, double y, String label) {
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
        + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", x, y, x + PANEL_W, y, x - 6, y + 4, label));
  }

  private static void series(StringBuilder svg, List<double[]> points, String color) {
    if (points.isEmpty()) {
      return;
    }
    StringBuilder path = new StringBuilder();
    for (double[] p : points) {
      path.append(path.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", p[0], p[1]));
    }
    svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
        path, color));
    for (double[] p : points) {
      svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", p[0], p[1], color));
    }
  }

  /** Position of a client count on the log-scaled x axis of a panel. */
  private static double xOf(int clients, List<Integer> all) {
    double lo = Math.log10(all.get(0));
    double hi = Math.log10(all.get(all.size() - 1));
    double margin = 20;
    if (hi - lo < 1e-9) {
      return PANEL_W / 2.0;
    }
    return margin + (PANEL_W - 2 * margin) * (Math.log10(clients) - lo) / (hi - lo);
  }

  private static String formatCount(double v) {
    if (v >= 1000) {
      double k = v / 1000;
      return k == Math.rint(k) ? String.format(Locale.ROOT, "%.0fk", k) : String.format(Locale.ROOT, "%.1fk", k);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String formatMs(double v) {
    return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
