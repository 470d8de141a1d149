package dev.loupe.core;

/**
 * The value table: what every kind of value is, whatever door it came through, and what it feeds.
 * Core owns it; readers and servers only decode their format and call the matching
 * {@link ColumnAppender} append. docs/concepts.md shows the same table.
 *
 * <table>
 * <caption>values by source</caption>
 * <tr><th>kind</th><th>Java ({@code appendValue}, rows, records)</th><th>JSON token</th><th>CSV cell</th>
 *     <th>Arrow / Parquet / Spark type</th><th>feeds</th></tr>
 * <tr><td>NULL</td><td>{@code null}</td><td>{@code null}; a key missing from a row of a table</td><td>empty cell</td>
 *     <td>null slot, Null type</td><td>counts/n, counts/null</td></tr>
 * <tr><td>INTEGRAL</td><td>Long, Integer, Short, Byte, atomic integers, BigInteger within 64 bits</td>
 *     <td>integer within 64 bits</td><td>integer text within 64 bits</td><td>all integer widths (uint64 above 2^63-1 is fractional)</td>
 *     <td>types/integral, distribution, ints, cardinality, frequent_items</td></tr>
 * <tr><td>FRACTIONAL</td><td>Double, Float, BigDecimal, other Number, BigInteger beyond 64 bits</td>
 *     <td>other numbers; {@code NaN}, {@code Infinity}, {@code -Infinity} literals</td><td>decimal, exponent, nan, inf text</td>
 *     <td>float16/32/64, decimal</td><td>types/fractional, distribution, cardinality; NaN is counts/null and counts/nan
 *     (not typed), ±inf also counts/inf</td></tr>
 * <tr><td>BOOLEAN</td><td>Boolean</td><td>{@code true}, {@code false}</td><td>true/false in any case</td><td>bool</td>
 *     <td>types/boolean, counts/true</td></tr>
 * <tr><td>STRING</td><td>CharSequence, Character</td><td>string (also empty)</td><td>any other text</td>
 *     <td>utf8, large utf8, utf8 view, dictionary of strings</td><td>types/string, cardinality, frequent_items</td></tr>
 * <tr><td>TIME</td><td>Instant, Date, LocalDate, LocalDateTime (as UTC), OffsetDateTime, ZonedDateTime</td>
 *     <td>(JSON has no time; strings stay strings)</td><td>ISO-8601 date or timestamp text, when every
 *     non-empty cell of the column's sample is one (no offset: UTC); other text stays text</td><td>date32/64, timestamp (any unit, any zone)</td>
 *     <td>as INTEGRAL of epoch milliseconds, the column marked as time</td></tr>
 * <tr><td>TENSOR</td><td>primitive numeric arrays, non-empty collections of numbers</td>
 *     <td>non-empty array whose leaves are all numbers, at any depth ({@code [[1,2]]})</td><td>-</td>
 *     <td>list / large list / fixed-size list of numbers</td><td>types/tensor</td></tr>
 * <tr><td>OBJECT</td><td>anything else (byte[], nested Map, ...)</td><td>object (also {@code {}} when it is a
 *     row's value), any other array (also {@code []})</td><td>-</td><td>binary, struct (Arrow), map, time of day,
 *     duration, interval, other lists</td><td>types/object</td></tr>
 * </table>
 *
 * A non-empty JSON object (or Parquet group) is not a value: its fields become columns named by the
 * dotted path ({@code {"a":{"b":1}}} is column {@code a.b}). Repeated column names in one table (a
 * CSV header, {@code multiple.columns}, an Arrow schema, a JSON object's keys) follow
 * {@link ColumnNames#unique}: the second {@code a} is {@code a.1}, as pandas names them.
 */
public enum ValueKind {
  NULL, INTEGRAL, FRACTIONAL, BOOLEAN, STRING, TIME, TENSOR, OBJECT;

  /** The kind of a Java value, as {@link ColumnAppender#appendValue} tracks it (NaN is FRACTIONAL here). */
  public static ValueKind of(Object v) {
    return RowValues.kindOf(v);
  }
}
