package dev.loupe.core;

/**
 * What a column is declared to hold, when its source says so (an Arrow, Parquet or Spark type). The declared
 * kind decides which metrics a column starts with, as whylogs' standard resolver does:
 * <ul>
 *   <li>INTEGRAL: counts, types, distribution, ints, cardinality, frequent_items</li>
 *   <li>FRACTIONAL: counts, types, cardinality, distribution</li>
 *   <li>STRING: counts, types, cardinality, distribution (numbers only), frequent_items</li>
 *   <li>TIME (dates, timestamps): as INTEGRAL, of epoch milliseconds; the column is marked as time</li>
 *   <li>OBJECT (booleans, times of day, binary, nested): counts, types</li>
 * </ul>
 * Values add the metrics they feed (an integer adds ints, a string adds frequent_items), so the
 * metric set depends only on the declared kind and on which kinds of value were seen, never on
 * their order: that keeps profiles of split data mergeable into the profile of the whole.
 */
public enum ColumnKind {
  INTEGRAL, FRACTIONAL, STRING, TIME, OBJECT
}
