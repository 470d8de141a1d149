package dev.loupe.core.monitor;

import java.time.Instant;
import java.util.Map;

/**
 * One window's numbers: its rows (the largest counts/n of its columns), the files it was read
 * from, and each column's {@link ColumnPoint}, by column name.
 */
public record WindowPoint(Instant start, long rows, int files, Map<String, ColumnPoint> columns) {}
