#!/usr/bin/env bash
# Run Table 2 jobs one after another, each process at most 85 minutes, resuming each
# (data set, model) from its checkpoint until its results file says "done".
#   nohup bash benchmarks/experiments/nll_queue.sh static-mnist:vhp-rewo static-mnist:vampprior > log &
set -u
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
for job in "$@"; do
  dataset=${job%%:*}
  model=${job##*:}
  result="docs/results/nll/${dataset}__${model}.json"
  until [ -f "$result" ] && grep -q '"status": "done"' "$result"; do
    "$PY" benchmarks/experiments/nll_table.py run --dataset "$dataset" --model "$model" --minutes 85 \
      || { echo "$job failed"; break; }
  done
done
