package dev.loupe.core.logging;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a window into a file name or object key. Tokens:
 * <table>
 *   <caption>tokens</caption>
 *   <tr><td>{datasetId}</td><td>the dataset id</td></tr>
 *   <tr><td>{yyyy} {MM} {dd} {HH} {mm}</td><td>the window start's UTC date and time fields</td></tr>
 *   <tr><td>{windowStart} {windowEnd}</td><td>UTC instants in compact ISO form, e.g. 20261121T230000Z</td></tr>
 *   <tr><td>{windowStartMillis}</td><td>the window start in epoch milliseconds</td></tr>
 *   <tr><td>{instanceId}</td><td>the writer's instance id</td></tr>
 *   <tr><td>{part}</td><td>empty for part 0, "-p1", "-p2", ... for later parts of a window</td></tr>
 * </table>
 * The same window always renders to the same key, so a retried write or upload replaces itself
 * and never makes a duplicate.
 */
public final class KeyTemplate {
  /** {@value}: a folder per dataset and day, one file per window and instance. */
  public static final String DEFAULT = "{datasetId}/{yyyy}/{MM}/{dd}/{datasetId}-{windowStart}-{instanceId}{part}.bin";

  private static final Pattern TOKEN = Pattern.compile("\\{([A-Za-z]+)}");
  private static final Set<String> KNOWN = Set.of("datasetId", "yyyy", "MM", "dd", "HH", "mm", "windowStart",
      "windowEnd", "windowStartMillis", "instanceId", "part");
  private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private final String template;
  private final Pattern keyPattern; // the inverse of render: a key back to its window

  private KeyTemplate(String template) {
    this.template = template;
    this.keyPattern = keyPattern(template);
  }

  /** What a key rendered by this template says about its window (see {@link #parse}). */
  public record Key(String datasetId, Instant windowStart, String instanceId, int part) {}

  /**
   * The window a key was rendered for, read back from the key itself, or empty when the key does
   * not have this template's shape. Tokens the template lacks are null ({@code datasetId},
   * {@code instanceId}) or 0 ({@code part}). An instance id that itself ends in "-p" and digits
   * cannot be told from a part number: the digits are read as the part.
   */
  public java.util.Optional<Key> parse(String key) {
    Matcher m = keyPattern.matcher(key);
    if (!m.matches()) {
      return java.util.Optional.empty();
    }
    Instant start;
    try {
      start = template.contains("{windowStart}")
          ? Instant.from(COMPACT.parse(m.group("windowStart")))
          : Instant.ofEpochMilli(Long.parseLong(m.group("windowStartMillis")));
    } catch (RuntimeException e) { // a 13th month, a number too long: not a key of ours
      return java.util.Optional.empty();
    }
    String dataset = template.contains("{datasetId}") ? m.group("datasetId") : null;
    String instance = template.contains("{instanceId}") ? m.group("instanceId") : null;
    String part = template.contains("{part}") ? m.group("part") : null;
    return java.util.Optional.of(new Key(dataset, start, instance,
        part == null || part.isEmpty() ? 0 : Integer.parseInt(part.substring(2))));
  }

  private static Pattern keyPattern(String template) {
    Matcher m = TOKEN.matcher(template);
    StringBuilder re = new StringBuilder();
    Set<String> seen = new java.util.HashSet<>();
    int last = 0;
    while (m.find()) {
      re.append(Pattern.quote(template.substring(last, m.start())));
      String token = m.group(1);
      if (!seen.add(token)) {
        re.append("\\k<").append(token).append('>');
      } else {
        String body = switch (token) {
          case "datasetId", "instanceId" -> "[^/]+?";
          case "yyyy" -> "\\d{4}";
          case "MM", "dd", "HH", "mm" -> "\\d{2}";
          case "windowStart", "windowEnd" -> "\\d{8}T\\d{6}Z";
          case "windowStartMillis" -> "-?\\d{1,19}";
          case "part" -> "(?:-p\\d{1,9})?";
          default -> throw new IllegalStateException(token);
        };
        re.append("(?<").append(token).append('>').append(body).append(')');
      }
      last = m.end();
    }
    re.append(Pattern.quote(template.substring(last)));
    return Pattern.compile(re.toString());
  }

  /** Parses a template; unknown tokens are an error that lists the known ones. */
  public static KeyTemplate of(String template) {
    Matcher m = TOKEN.matcher(template);
    List<String> unknown = new ArrayList<>();
    while (m.find()) {
      if (!KNOWN.contains(m.group(1))) {
        unknown.add(m.group());
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("key template '" + template + "' has unknown token(s) " + unknown
          + "; known tokens are " + new java.util.TreeSet<>(KNOWN));
    }
    if (!template.contains("{windowStart}") && !template.contains("{windowStartMillis}")) {
      throw new IllegalArgumentException("key template '" + template + "' must contain {windowStart} or "
          + "{windowStartMillis}, or windows would overwrite each other");
    }
    return new KeyTemplate(template);
  }

  public String render(WindowInfo w, String instanceId) {
    ZonedDateTime t = w.start().atZone(ZoneOffset.UTC);
    Map<String, String> values = Map.ofEntries(
        Map.entry("datasetId", w.datasetId()),
        Map.entry("yyyy", String.format("%04d", t.getYear())),
        Map.entry("MM", String.format("%02d", t.getMonthValue())),
        Map.entry("dd", String.format("%02d", t.getDayOfMonth())),
        Map.entry("HH", String.format("%02d", t.getHour())),
        Map.entry("mm", String.format("%02d", t.getMinute())),
        Map.entry("windowStart", compact(w.start())),
        Map.entry("windowEnd", compact(w.end())),
        Map.entry("windowStartMillis", Long.toString(w.start().toEpochMilli())),
        Map.entry("instanceId", instanceId),
        Map.entry("part", w.part() == 0 ? "" : "-p" + w.part()));
    Matcher m = TOKEN.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static String compact(Instant t) {
    return COMPACT.format(t);
  }

  @Override
  public String toString() {
    return template;
  }
}
