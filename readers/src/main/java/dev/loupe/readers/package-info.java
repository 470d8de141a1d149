/**
 * Data files into Loupe profiles: {@link dev.loupe.readers.CsvReader} profiles CSV and TSV files
 * (optionally gzipped), and {@link dev.loupe.readers.CsvBatchReader} exposes the same file as typed
 * Arrow batches.
 */
package dev.loupe.readers;
