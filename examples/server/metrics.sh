#!/usr/bin/env bash
# Health (no key needed) and Prometheus metrics.
set -euo pipefail
curl -sS "${LOUPE_URL:-http://localhost:8080}/health"; echo
curl -sS "${LOUPE_URL:-http://localhost:8080}/metrics"
