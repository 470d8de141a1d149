#!/usr/bin/env bash
# Drift verdicts on real public data, as a user would get them: disjoint random samples of
# vega-datasets' flights-3m.parquet (same distribution by construction) profiled with `loupe
# profile` and compared with `loupe drift --json`, then real shifts that must still be found.
#
#   mkdir /tmp/vega && (cd /tmp/vega && npm pack vega-datasets && tar xzf vega-datasets-*.tgz)
#   ./mvnw -B -q -pl bench -am package -DskipTests     # for DuckSql (DuckDB writes the samples)
#   bench/drift-real-data.sh /tmp/vega/package/data/flights-3m.parquet /tmp/vega/package/data/airports.csv
#
# Same distribution: 6 pairs of 30,000 rows a side, 3 of 300,000 and 3 of 1,500,000 (the whole file
# split in two), each pair's sides disjoint; 4 tested columns each (delay, distance, origin,
# destination; the timestamp column has no test), 48 column tests. Real shifts: delay + 3 minutes,
# the sign of the delay, western against eastern origin airports (longitude -100).
# Prints one line per comparison and a summary: how many column tests said "drift".
# DUCKDB_CP may name a classpath holding DuckDB's JDBC driver instead of the bench jar; LOUPE_JAR a
# built command-line jar to run instead of bin/loupe.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${1:?usage: drift-real-data.sh flights-3m.parquet airports.csv}"
airports="${2:?usage: drift-real-data.sh flights-3m.parquet airports.csv}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -n "${DUCKDB_CP:-}" ]]; then
  duck=(java -cp "$DUCKDB_CP" "$root/bench/src/main/java/dev/loupe/bench/DuckSql.java")
else
  duck=(java -cp "$root/bench/target/loupe-benchmarks.jar" dev.loupe.bench.DuckSql)
fi
if [[ -n "${LOUPE_JAR:-}" ]]; then
  loupe=(java --add-opens=java.base/java.nio=ALL-UNNAMED -jar "$LOUPE_JAR")
else
  loupe=("$root/bin/loupe")
fi

# the samples, in one DuckDB session: NAME.a.parquet and NAME.b.parquet per comparison
sql=("CREATE TABLE f AS SELECT * FROM '$data'" "CREATE TABLE airports AS SELECT * FROM read_csv_auto('$airports')")
shuffle() { # shuffle SEED: table s = f in a random order, numbered by rn
  sql+=("DROP TABLE IF EXISTS s" "SELECT setseed($1)"
    "CREATE TABLE s AS SELECT *, row_number() OVER (ORDER BY random()) AS rn FROM f")
}
sample() { # sample FILE QUERY
  sql+=("COPY ($2) TO '$work/$1.parquet' (FORMAT parquet)")
}
same=()
cols="* EXCLUDE (rn)"
shuffle 0.11
for i in 0 1 2 3 4 5; do
  n=30000
  sample "same-30000-$i.a" "SELECT $cols FROM s WHERE rn > $((2 * i * n)) AND rn <= $(((2 * i + 1) * n))"
  sample "same-30000-$i.b" "SELECT $cols FROM s WHERE rn > $(((2 * i + 1) * n)) AND rn <= $(((2 * i + 2) * n))"
  same+=("same-30000-$i")
done
shuffle 0.22
for i in 0 1 2; do
  n=300000
  sample "same-300000-$i.a" "SELECT $cols FROM s WHERE rn > $((2 * i * n)) AND rn <= $(((2 * i + 1) * n))"
  sample "same-300000-$i.b" "SELECT $cols FROM s WHERE rn > $(((2 * i + 1) * n)) AND rn <= $(((2 * i + 2) * n))"
  same+=("same-300000-$i")
done
for i in 0 1 2; do
  shuffle "0.3$i"
  sample "same-1500000-$i.a" "SELECT $cols FROM s WHERE rn <= 1500000"
  sample "same-1500000-$i.b" "SELECT $cols FROM s WHERE rn > 1500000"
  same+=("same-1500000-$i")
done
sample "shift-delay+3min.a" "SELECT $cols FROM s WHERE rn <= 300000"
sample "shift-delay+3min.b" "SELECT * EXCLUDE (rn, delay), delay + 3 AS delay FROM s WHERE rn > 300000 AND rn <= 600000"
sample "delay<0-vs-delay>=0.a" "SELECT $cols FROM s WHERE delay < 0"
sample "delay<0-vs-delay>=0.b" "SELECT $cols FROM s WHERE delay >= 0"
sample "west-vs-east.a" "SELECT s.* EXCLUDE (rn) FROM s JOIN airports a ON s.origin = a.iata WHERE a.longitude < -100"
sample "west-vs-east.b" "SELECT s.* EXCLUDE (rn) FROM s JOIN airports a ON s.origin = a.iata WHERE a.longitude >= -100"
shifts=("shift-delay+3min" "delay<0-vs-delay>=0" "west-vs-east")
"${duck[@]}" "${sql[@]}" >/dev/null

compare() { # compare NAME: profiles both samples, prints one RESULT line per tested column
  "${loupe[@]}" profile -q "$work/$1.a.parquet" -o "$work/$1.a.bin" >/dev/null
  "${loupe[@]}" profile -q "$work/$1.b.parquet" -o "$work/$1.b.bin" >/dev/null
  "${loupe[@]}" drift "$work/$1.a.bin" "$work/$1.b.bin" --json > "$work/$1.json" || [[ $? == 3 ]]
  python3 - "$1" "$work/$1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
cells = []
for col, c in sorted(r["columns"].items()):
    if c["category"] is None:
        continue
    cells.append(f'{col} {c["category"]} (p={c["p_value"]:.3g}, {c["effect_measure"]} {c["effect_size"]:.4f})')
    print(f'RESULT\t{sys.argv[1]}\t{col}\t{c["category"]}')
print(sys.argv[1] + ": " + "; ".join(cells))
PY
}
for name in "${same[@]}"; do compare "$name"; done | tee "$work/same.txt"
for name in "${shifts[@]}"; do compare "$name"; done | tee "$work/shift.txt"
python3 - "$work/same.txt" "$work/shift.txt" <<'PY'
import sys, collections
for f, what in ((sys.argv[1], "same distribution"), (sys.argv[2], "real shifts")):
    rows = [l.rstrip("\n").split("\t") for l in open(f) if l.startswith("RESULT")]
    groups = collections.defaultdict(lambda: [0, 0])
    for _, name, col, cat in rows:
        key = "n=" + name.split("-")[1] if what == "same distribution" else name
        groups[key][0] += cat == "drift"
        groups[key][1] += 1
    print(f"{what}: drift in {sum(d for d, _ in groups.values())} of {sum(t for _, t in groups.values())} column tests")
    for k, (d, t) in groups.items():
        print(f"  {k}: {d} of {t}")
PY
