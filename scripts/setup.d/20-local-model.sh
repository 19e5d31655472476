#!/usr/bin/env bash
# The embedded model's tests run in CI, never skipped: pull SmolLM2 once into the machine-wide cache
# (~/.cache/threadline/models, kept between runs), verified by its sha256. A no-op when already cached.
set -euo pipefail
cd "$(dirname "$0")/../.."
node bin/threadline.js models pull --data-dir "${TMPDIR:-/tmp}/threadline-check-data"
