package dev.loupe.core.monitor;

import java.time.Instant;

/**
 * One finding of the monitor: what ({@code check}, {@code message}), where ({@code window},
 * {@code column}), how big ({@code observed} against {@code expected}, {@code effect}, and the
 * test's {@code pValue} where there is one), against what ({@code baseline}).
 *
 * @param window the start of the window the alert is about
 * @param check what kind of alert
 * @param column the column, or null for a window-level alert (gap, late, rows)
 * @param message one line a person reads
 * @param observed the window's value (null fraction, row count, missing windows, ...); null if none
 * @param expected the baseline's value; null if none
 * @param effect the effect size (KS or total variation distance, null-fraction rise, robust z); null if none
 * @param pValue the test's p-value; null for checks that are not tests
 * @param baseline what the window was compared with
 */
public record Alert(Instant window, Check check, String column, String message, Double observed, Double expected,
    Double effect, Double pValue, String baseline) {}
