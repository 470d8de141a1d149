#!/usr/bin/env bash
# Drift verdicts on real public data, as a user would get them: disjoint random samples of
# vega-datasets' flights-3m.parquet (same distribution by construction) profiled with `loupe
# profile` and compared with `loupe drift --json`, then real shifts that must still be found.
#
#   mkdir /tmp/vega && (cd /tmp/vega && npm pack vega-datasets && tar xzf vega-datasets-*.tgz)
#   ./mvnw -B -q -pl bench -am package -DskipTests     # for DuckSql (DuckDB writes the samples)
#   bench/drift-real-data.sh /tmp/vega/package/data/flights-3m.parquet /tmp/vega/package/data/airports.csv
#
# Prints one line per comparison and a summary: the share of column tests that said "drift".
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

# pair NAME SQL_A SQL_B: writes both samples, profiles them, compares; prints the verdicts
pair() {
  local name="$1"
  "${duck[@]}" "CREATE TABLE f AS SELECT * FROM '$data'" \
    "CREATE TABLE airports AS SELECT * FROM read_csv_auto('$airports')" \
    "SELECT setseed($SEED)" \
    "CREATE TABLE s AS SELECT *, row_number() OVER (ORDER BY random()) AS rn FROM f" \
    "COPY ($2) TO '$work/a.parquet' (FORMAT parquet)" "COPY ($3) TO '$work/b.parquet' (FORMAT parquet)" >/dev/null
  "${loupe[@]}" profile -q "$work/a.parquet" -o "$work/a.bin" >/dev/null
  "${loupe[@]}" profile -q "$work/b.parquet" -o "$work/b.bin" >/dev/null
  "${loupe[@]}" drift "$work/a.bin" "$work/b.bin" --json > "$work/r.json" || [[ $? == 3 ]]
  python3 - "$name" "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
cells = []
for col, c in sorted(r["columns"].items()):
    if c["category"] is None:
        continue
    p = c["p_value"]
    cells.append(f'{col} {c["category"]} (p={p:.3g}, {c["effect_measure"]} {c["effect_size"]:.4f})')
    print(f'RESULT\t{sys.argv[1]}\t{col}\t{c["category"]}')
print(sys.argv[1] + ": " + "; ".join(cells))
PY
}

cols="* EXCLUDE (rn)"
# same distribution: disjoint random samples of n rows a side
for spec in 30000:8 300000:4 1500000:4; do
  n="${spec%%:*}"
  reps="${spec##*:}"
  for ((i = 1; i <= reps; i++)); do
    SEED="0.$((n % 97 + i * 13))"
    pair "same n=$n #$i" "SELECT $cols FROM s WHERE rn <= $n" "SELECT $cols FROM s WHERE rn > $n AND rn <= $((2 * n))"
  done
done | tee "$work/same.txt"
SEED=0.5
{
  # real shifts: a 3-minute delay shift, the sign of the delay, western against eastern airports
  pair "shift delay +3 min, n=300000" "SELECT $cols FROM s WHERE rn <= 300000" \
    "SELECT * EXCLUDE (rn, delay), delay + 3 AS delay FROM s WHERE rn > 300000 AND rn <= 600000"
  pair "delay < 0 vs delay >= 0" "SELECT $cols FROM s WHERE delay < 0" "SELECT $cols FROM s WHERE delay >= 0"
  pair "west vs east origin (longitude -100)" \
    "SELECT s.* EXCLUDE (rn) FROM s JOIN airports a ON s.origin = a.iata WHERE a.longitude < -100" \
    "SELECT s.* EXCLUDE (rn) FROM s JOIN airports a ON s.origin = a.iata WHERE a.longitude >= -100"
} | tee "$work/shift.txt"
python3 - "$work/same.txt" "$work/shift.txt" <<'PY'
import sys, collections
for f, what in ((sys.argv[1], "same distribution"), (sys.argv[2], "real shifts")):
    rows = [l.rstrip("\n").split("\t") for l in open(f) if l.startswith("RESULT")]
    by_n = collections.defaultdict(lambda: [0, 0])
    for _, name, col, cat in rows:
        key = name.split(" #")[0] if what == "same distribution" else name
        by_n[key][0] += cat == "drift"
        by_n[key][1] += 1
    total = sum(d for d, _ in by_n.values()), sum(t for _, t in by_n.values())
    print(f"{what}: drift in {total[0]} of {total[1]} column tests")
    for k, (d, t) in by_n.items():
        print(f"  {k}: {d} of {t}")
PY
