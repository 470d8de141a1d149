#!/usr/bin/env bash
# `loupe profile` against DuckDB's SUMMARIZE, whole processes, alternating, on the four files of issue 15:
#   examples/data/weather.csv (2,922 rows), flights-3m.parquet (vega-datasets, fetched from the npm registry),
#   flights-30m.parquet (the same rows 10 times, written by DuckDB) and flights-30m.csv (the same 30M rows, ~1 GB).
# Prints a Markdown table: medians of wall time, CPU time (user + sys) and peak RSS, and the ratios.
# Usage: bench/run-comparison.sh [runs (default 5)] [extra files...]
# Needs /usr/bin/time (Debian package `time`), npm, and about 2 GB in bench/.data (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
data=bench/.data
mkdir -p "$data"
[[ -x /usr/bin/time ]] || { echo "run-comparison: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [[ ! -f $data/flights-3m.parquet ]]; then
  (cd "$data" && npm pack --silent vega-datasets@3.2.1 >/dev/null && tar xzf vega-datasets-3.2.1.tgz package/data/flights-3m.parquet \
    && mv package/data/flights-3m.parquet . && rm -rf package vega-datasets-3.2.1.tgz)
fi
./mvnw -q -B -DskipTests -pl cli,bench -am package
jar=bench/target/loupe-benchmarks.jar
if [[ ! -f $data/flights-30m.parquet ]]; then
  java -cp "$jar" dev.loupe.bench.DuckSql \
    "COPY (SELECT f.* FROM '$data/flights-3m.parquet' f, range(10)) TO '$data/flights-30m.parquet.tmp' (FORMAT parquet)"
  mv "$data/flights-30m.parquet.tmp" "$data/flights-30m.parquet"
fi
if [[ ! -f $data/flights-30m.csv ]]; then
  java -cp "$jar" dev.loupe.bench.DuckSql \
    "COPY (SELECT * FROM '$data/flights-30m.parquet') TO '$data/flights-30m.csv.tmp' (FORMAT csv, HEADER)"
  mv "$data/flights-30m.csv.tmp" "$data/flights-30m.csv"
fi
java -cp "$jar" dev.loupe.bench.Compare --runs "${1:-5}" examples/data/weather.csv "$data/flights-3m.parquet" \
  "$data/flights-30m.parquet" "$data/flights-30m.csv" "${@:2}"
