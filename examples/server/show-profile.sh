#!/usr/bin/env bash
# The current window's summary for one dataset.
set -euo pipefail
curl -sS "${LOUPE_URL:-http://localhost:8080}/profiles/${1:-model-62}" -H "X-API-Key: ${LOUPE_KEY:-secret}"
echo
