package dev.loupe.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one rule for column names that repeat within a table (a CSV header, the server's
 * {@code multiple.columns}, an Arrow schema, the keys of one JSON object): as pandas reads them,
 * an empty name is {@code "Unnamed: i"} and a repeated one gets the first free suffix
 * {@code ".1"}, {@code ".2"}, ..., so {@code [a, a, a.1]} becomes {@code [a, a.1, a.1.1]}. Each
 * name then counts its own values, so a column is never counted twice per row.
 */
public final class ColumnNames {
  private ColumnNames() {}

  /** The names as columns: empty ones named by position, repeats suffixed. */
  public static List<String> unique(List<String> names) {
    List<String> out = new ArrayList<>(names.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String base = names.get(i).isEmpty() ? "Unnamed: " + i : names.get(i);
      String name = base;
      for (int k = 1; !seen.add(name); k++) {
        name = repeat(base, k);
      }
      out.add(name);
    }
    return Collections.unmodifiableList(out);
  }

  /** True when {@code names} holds no repeat and no empty name (then {@link #unique} returns them as they are). */
  static boolean alreadyUnique(List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (n.isEmpty() || !seen.add(n)) {
        return false;
      }
    }
    return true;
  }

  /** The name of the {@code k}-th repeat of {@code base}: {@code a.1}, {@code a.2}, ... (the rule {@link #unique} follows). */
  public static String repeat(String base, int k) {
    return base + "." + k;
  }
}
