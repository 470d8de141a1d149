package dev.loupe.server;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** The server's counters and gauges, rendered in the Prometheus text format for {@code GET /metrics}. */
final class Metrics {
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rows = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
  final LongAdder windowsHandedOut = new LongAdder();
  final LongAdder checkpoints = new LongAdder();
  final LongAdder checkpointFailures = new LongAdder();
  final LongAdder replayedRecords = new LongAdder();
  final LongAdder replayLateRecords = new LongAdder();
  final LongAdder quarantinedRecords = new LongAdder();
  final LongAdder damagedJournalRecords = new LongAdder();
  final LongAdder deliveryFailures = new LongAdder();
  final LongAdder rotationFailures = new LongAdder();
  private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();
  private final Map<String, LongSupplier> counters = new ConcurrentHashMap<>();
  private final List<Consumer<StringBuilder>> sections = new CopyOnWriteArrayList<>();

  void request(String endpoint) {
    requests.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
  }

  void rows(String format, long n) {
    rows.computeIfAbsent(format, k -> new LongAdder()).add(n);
  }

  void rejected(String reason) {
    rejected.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  long rejectedCount(String reason) {
    LongAdder a = rejected.get(reason);
    return a == null ? 0 : a.sum();
  }

  /** A value read at scrape time (bytes on disk, ...). */
  void gauge(String name, LongSupplier value) {
    gauges.put(name, value);
  }

  /** A counter kept elsewhere (the S3 writer's uploads, ...), read at scrape time. */
  void counter(String name, LongSupplier value) {
    counters.put(name, value);
  }

  /** Metric families their owner renders itself (the Kafka consumer's, with labels). */
  void section(Consumer<StringBuilder> renderer) {
    sections.add(renderer);
  }

  String render() {
    StringBuilder sb = new StringBuilder(2048);
    labelled(sb, "loupe_requests_total", "HTTP requests received, by endpoint", "endpoint", requests);
    labelled(sb, "loupe_rows_total", "rows accepted (journaled and tracked), by request format", "format", rows);
    labelled(sb, "loupe_rejected_total", "requests refused, by reason", "reason", rejected);
    counter(sb, "loupe_rotations_total", "windows (or window parts) handed to the destination",
        windowsHandedOut.sum());
    counter(sb, "loupe_checkpoints_total", "checkpoints written", checkpoints.sum());
    counter(sb, "loupe_checkpoint_failures_total", "checkpoints that could not be written", checkpointFailures.sum());
    counter(sb, "loupe_replayed_records_total", "journal records replayed at start-up", replayedRecords.sum());
    counter(sb, "loupe_replay_late_records_total",
        "replayed records whose window had closed, logged into the window of the replay clock instead",
        replayLateRecords.sum());
    counter(sb, "loupe_quarantined_records_total",
        "journal records start-up could not apply, moved to LOUPE_DATA_DIR/quarantine", quarantinedRecords.sum());
    counter(sb, "loupe_journal_damaged_records_total",
        "journal records found damaged at start-up and skipped (their bytes are in the quarantine directory)",
        damagedJournalRecords.sum());
    counter(sb, "loupe_delivery_failures_total",
        "attempts to hand a finished window to the destination that failed (the window is kept and retried)",
        deliveryFailures.sum());
    counter(sb, "loupe_rotation_failures_total",
        "rotations or checkpoints that failed (windows stay open, the journal is kept; retried)",
        rotationFailures.sum());
    new TreeMap<>(counters).forEach((name, v) -> counter(sb, name, null, v.getAsLong()));
    new TreeMap<>(gauges).forEach((name, v) -> {
      sb.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(v.getAsLong()).append('\n');
    });
    sections.forEach(r -> r.accept(sb));
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, String help, long value) {
    if (help != null) {
      sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    }
    sb.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
  }

  private static void labelled(StringBuilder sb, String name, String help, String label, Map<String, LongAdder> m) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
    if (m.isEmpty()) {
      sb.append(name).append(' ').append(0).append('\n');
    }
    new TreeMap<>(m).forEach((k, v) -> sb.append(name).append('{').append(label).append("=\"").append(k)
        .append("\"} ").append(v.sum()).append('\n'));
  }
}
