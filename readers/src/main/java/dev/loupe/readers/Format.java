package dev.loupe.readers;

import java.nio.file.Path;
import java.util.Locale;

/** The data file formats Loupe reads, and how a file's name picks one. */
public enum Format {
  /** Comma-separated text with a header row ({@code .csv}, and any name not listed below). */
  CSV,
  /** Tab-separated text with a header row ({@code .tsv}, {@code .tab}). */
  TSV,
  /** Apache Parquet ({@code .parquet}, {@code .pq}); needs random access, so not gzipped. */
  PARQUET,
  /** One JSON object per line ({@code .jsonl}, {@code .ndjson}, {@code .json}). */
  JSONL,
  /** Arrow IPC, file or stream format, told apart by content ({@code .arrow}, {@code .arrows}, {@code .feather}, {@code .ipc}). */
  ARROW;

  /** The format a file name says, ignoring a {@code .gz} suffix; CSV when the name says nothing known. */
  public static Format detect(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    return switch (ext) {
      case "tsv", "tab" -> TSV;
      case "parquet", "pq" -> PARQUET;
      case "jsonl", "ndjson", "json" -> JSONL;
      case "arrow", "arrows", "feather", "ipc" -> ARROW;
      default -> CSV;
    };
  }

  /** A format by name, in any case: csv, tsv, parquet, jsonl (also json, ndjson), arrow (also ipc, feather). */
  public static Format of(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "csv" -> CSV;
      case "tsv" -> TSV;
      case "parquet" -> PARQUET;
      case "jsonl", "json", "ndjson" -> JSONL;
      case "arrow", "ipc", "feather" -> ARROW;
      default -> throw new IllegalArgumentException("unknown format '" + name
          + "'; expected one of csv, tsv, parquet, jsonl, arrow");
    };
  }

  /** The lower-case name {@link #of} accepts. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
