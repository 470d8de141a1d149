#!/usr/bin/env bash
# Several rows at once: pandas' to_json(orient="split") shape ("index" is ignored).
set -euo pipefail
curl -sS -X POST "${LOUPE_URL:-http://localhost:8080}/logs" \
  -H "X-API-Key: ${LOUPE_KEY:-secret}" -H 'Content-Type: application/json' \
  --data-raw '{
    "datasetId": "model-62",
    "multiple": {
      "columns": ["Brand", "Price", "InStock"],
      "index": [0, 1, 2, 3],
      "data": [
        ["Honda Civic", 22000, true],
        ["Toyota Corolla", 25000, false],
        ["Ford Focus", 27000, true],
        ["Audi A4", null, true]
      ]
    }
  }'
echo
