#!/usr/bin/env bash
# Profiles the same files with `loupe profile` and with DuckDB's SUMMARIZE, in one run.
# Data: vega-datasets' flights-3m.parquet (fetched from the npm registry) and a generated ~1 GB CSV.
# Usage: bench/run-comparison.sh [csv-megabytes (default 1024)] [runs (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
data=bench/.data
mkdir -p "$data"
if [[ ! -f $data/flights-3m.parquet ]]; then
  (cd "$data" && npm pack --silent vega-datasets@3.2.1 >/dev/null && tar xzf vega-datasets-3.2.1.tgz package/data/flights-3m.parquet \
    && mv package/data/flights-3m.parquet . && rm -rf package vega-datasets-3.2.1.tgz)
fi
./mvnw -q -B -DskipTests -pl cli,bench -am package
jar=bench/target/loupe-benchmarks.jar
mb=${1:-1024}
if [[ ! -f $data/mixed-${mb}mb.csv ]]; then
  java -cp "$jar" dev.loupe.bench.GenerateCsv "$data/mixed-${mb}mb.csv" "$mb"
fi
java -cp "$jar" dev.loupe.bench.Compare --runs "${2:-3}" "$data/flights-3m.parquet" "$data/mixed-${mb}mb.csv"
