#!/usr/bin/env bash
# The performance benchmarks, in one command: builds the programs in release
# mode (build-release/, -O2 -DNDEBUG) and prints
#   1. the NLP stages on one core (build-release/bin/nlp-bench), and
#   2. the pipeline on loopback: throughput with 1 and 2 workers against the
#      in-process worker step, distribution overhead, latency p50/p99 at half
#      the saturated rate, peak memory of each program and memory over a long
#      stream (bench/pipeline_bench.py).
# Each figure is the median of repeated runs with its spread; targets are
# marked PASS or MISS and never fail the run (shared machines are noisy).
#
# Usage: bench/run.sh [--quick] [BUILD_DIR]
#   --quick   a few seconds in all (CI runs it so the benchmark cannot rot)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=""
build=build-release
for a in "$@"; do
	case "$a" in
	--quick) quick=--quick ;;
	-h | --help)
		sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "bench/run.sh: unknown option $a (try --help)" >&2
		exit 2
		;;
	*) build=$a ;;
	esac
done
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target producer worker sink nlp-bench python_proto \
	>/dev/null
echo "== NLP stages, in process (nlp-bench)"
if [ -n "$quick" ]; then
	"$build/bin/nlp-bench" --quick
else
	"$build/bin/nlp-bench" --rounds 7
fi
echo
echo "== the pipeline on loopback (pipeline_bench.py)"
/usr/bin/python3 bench/pipeline_bench.py --bin "$build/bin" --py-gen "$build/python" $quick
