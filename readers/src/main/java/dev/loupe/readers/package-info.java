/**
 * Data files into Loupe profiles. {@link dev.loupe.readers.FileProfiler} profiles CSV, TSV, Parquet,
 * JSON lines and Arrow IPC files (text formats optionally gzipped) on all cores, splitting each file
 * into chunks, row groups or record batches, one profile per thread, merged at the end;
 * {@link dev.loupe.readers.Format} names the formats and detects them by file name.
 * {@link dev.loupe.readers.CsvReader} profiles CSV and TSV files on one thread, and
 * {@link dev.loupe.readers.CsvBatchReader} exposes the same file as typed Arrow batches.
 */
package dev.loupe.readers;
