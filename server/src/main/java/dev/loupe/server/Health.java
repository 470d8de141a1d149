package dev.loupe.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What is wrong right now, by name: a window the destination refused, a merge that ran out of
 * memory, an unwritable destination at start. Each problem is set where it is noticed and cleared
 * where it is fixed; {@code GET /health} reports "degraded" with the list while any is set. Nothing
 * is lost meanwhile (windows stay in memory and in the checkpoint); it needs an operator's look.
 */
final class Health {
  private final Map<String, String> problems = new ConcurrentHashMap<>();

  void set(String name, String what) {
    problems.put(name, what);
  }

  void clear(String name) {
    problems.remove(name);
  }

  boolean degraded() {
    return !problems.isEmpty();
  }

  /** The problems, sorted by name. */
  Map<String, String> problems() {
    return new TreeMap<>(problems);
  }
}
