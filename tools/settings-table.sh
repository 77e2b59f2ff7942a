#!/usr/bin/env bash
# Print the README's settings table rows from the programs themselves.
# Usage: tools/settings-table.sh [BIN_DIR]
set -euo pipefail
bin=${1:-build/bin}
for prog in producer worker sink digest nd-probe; do
	"$bin/$prog" --help-markdown
done
