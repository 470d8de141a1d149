#!/usr/bin/env bash
# One row; nested objects become columns named "outer.inner" (here address.city).
set -euo pipefail
curl -sS -X POST "${LOUPE_URL:-http://localhost:8080}/logs" \
  -H "X-API-Key: ${LOUPE_KEY:-secret}" -H 'Content-Type: application/json' \
  --data-raw '{
    "datasetId": "model-62",
    "timestamp": '"$(($(date +%s) * 1000))"',
    "tags": {"env": "dev"},
    "single": {"Brand": "Honda Civic", "Price": 22000, "address": {"city": "Wellington"}}
  }'
echo
