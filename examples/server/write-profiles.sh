#!/usr/bin/env bash
# Writes every open window now (to S3 or the local directory); later rows become the window's next part.
set -euo pipefail
curl -sS -X POST "${LOUPE_URL:-http://localhost:8080}/writeProfiles" -H "X-API-Key: ${LOUPE_KEY:-secret}"
echo
