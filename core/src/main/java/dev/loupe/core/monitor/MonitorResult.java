package dev.loupe.core.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.core.internal.TextTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a monitor run found: every alert, window by window, and the same alerts grouped into
 * incidents (an incident is one check on one column over consecutive windows: a shift that lasts
 * makes one incident, not one line per window).
 */
public final class MonitorResult {
  /** The exit code of a run without alerts. */
  public static final int EXIT_OK = 0;
  /** The exit code of a run with alerts (the CLI's "drift or constraint failed"). */
  public static final int EXIT_ALERTS = 3;

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final List<Alert> alerts;
  private final int windows;
  private final Instant first;
  private final Instant last;
  private final Duration window;
  private final String baseline;

  MonitorResult(List<Alert> alerts, int windows, Instant first, Instant last, Duration window, String baseline) {
    List<Alert> sorted = new ArrayList<>(alerts);
    sorted.sort(Comparator.comparing(Alert::window));
    this.alerts = List.copyOf(sorted);
    this.windows = windows;
    this.first = first;
    this.last = last;
    this.window = window;
    this.baseline = baseline;
  }

  /** Every alert, by window. */
  public List<Alert> alerts() {
    return alerts;
  }

  /** How many windows were checked. */
  public int windows() {
    return windows;
  }

  public Instant first() {
    return first;
  }

  public Instant last() {
    return last;
  }

  public Duration window() {
    return window;
  }

  public String baseline() {
    return baseline;
  }

  public int exitCode() {
    return alerts.isEmpty() ? EXIT_OK : EXIT_ALERTS;
  }

  /**
   * One check on one column over consecutive windows.
   *
   * @param first the first window's start
   * @param last the last window's start
   * @param windows how many windows alerted
   * @param strongest the alert with the largest effect (or the first when none has one)
   */
  public record Incident(Check check, String column, Instant first, Instant last, int windows, Alert strongest) {}

  /** The alerts grouped into incidents, ordered by first window, then check, then column. */
  public List<Incident> incidents() {
    List<Incident> out = new ArrayList<>();
    List<Alert> sorted = new ArrayList<>(alerts);
    sorted.sort(Comparator.comparing(Alert::check).thenComparing(a -> a.column() == null ? "" : a.column())
        .thenComparing(Alert::window));
    Incident open = null;
    for (Alert a : sorted) {
      if (open != null && open.check() == a.check() && Objects.equals(open.column(), a.column())
          && open.last().plus(window).equals(a.window())) {
        Alert strongest = strength(a) > strength(open.strongest()) ? a : open.strongest();
        open = new Incident(open.check(), open.column(), open.first(), a.window(), open.windows() + 1, strongest);
        continue;
      }
      if (open != null) {
        out.add(open);
      }
      open = new Incident(a.check(), a.column(), a.window(), a.window(), 1, a);
    }
    if (open != null) {
      out.add(open);
    }
    out.sort(Comparator.comparing(Incident::first).thenComparing(Incident::check)
        .thenComparing(i -> i.column() == null ? "" : i.column()));
    return out;
  }

  private static double strength(Alert a) {
    return a.effect() == null ? -1 : Math.abs(a.effect());
  }

  /** The incidents as a text table, one line each. */
  public String toTable() {
    List<Incident> incidents = incidents();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d window(s) of %s, %s to %s; baseline: %s%n", windows, window,
        first, last, baseline));
    if (incidents.isEmpty()) {
      sb.append("no alerts\n");
      return sb.toString();
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"from", "to", "windows", "check", "column", "what (strongest)"});
    for (Incident i : incidents) {
      rows.add(new String[] {i.first().toString(), i.last().toString(), Integer.toString(i.windows()),
          i.check().label(), i.column() == null ? "-" : i.column(), i.strongest().message()});
    }
    sb.append(TextTable.render(rows));
    sb.append(String.format(Locale.ROOT, "%d alert(s) in %d incident(s)%n", alerts.size(), incidents.size()));
    return sb.toString();
  }

  /** The result as JSON: the run, every alert, and the incidents. */
  public ObjectNode toNode() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("windows", windows);
    root.put("window", window.toString());
    root.put("first", first == null ? null : first.toString());
    root.put("last", last == null ? null : last.toString());
    root.put("baseline", baseline);
    root.put("alertCount", alerts.size());
    ArrayNode arr = root.putArray("alerts");
    for (Alert a : alerts) {
      ObjectNode n = arr.addObject();
      n.put("window", a.window().toString());
      n.put("check", a.check().label());
      n.put("column", a.column());
      n.put("message", a.message());
      putNumber(n, "observed", a.observed());
      putNumber(n, "expected", a.expected());
      putNumber(n, "effect", a.effect());
      putNumber(n, "pValue", a.pValue());
      n.put("baseline", a.baseline());
    }
    ArrayNode inc = root.putArray("incidents");
    for (Incident i : incidents()) {
      ObjectNode n = inc.addObject();
      n.put("check", i.check().label());
      n.put("column", i.column());
      n.put("first", i.first().toString());
      n.put("last", i.last().toString());
      n.put("windows", i.windows());
      n.put("message", i.strongest().message());
    }
    return root;
  }

  private static void putNumber(ObjectNode n, String key, Double v) {
    if (v == null || !Double.isFinite(v)) {
      n.putNull(key);
    } else {
      n.put(key, v);
    }
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(toNode());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return toTable();
  }
}
