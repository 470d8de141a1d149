#!/usr/bin/env bash
# An Arrow IPC stream (what pa.ipc.new_stream or ArrowStreamWriter writes) to the fast path.
set -euo pipefail
file="${1:?usage: log-arrow.sh FILE.arrows [DATASET]}"
curl -sS -X POST "${LOUPE_URL:-http://localhost:8080}/logs/arrow?datasetId=${2:-model-62}" \
  -H "X-API-Key: ${LOUPE_KEY:-secret}" -H 'Content-Type: application/vnd.apache.arrow.stream' \
  --data-binary "@$file"
echo
