#!/usr/bin/env bash
# same_log.sh: runs `PARIGOT run APP --deterministic --seed N` twice and
# checks that the two logs are byte-identical (and that the app exited 0);
# on a difference it prints the diff.
#
#   same_log.sh PARIGOT APP SEED
set -uo pipefail
parigot=$1 app=$2 seed=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for run in 1 2; do
  timeout 60 "$parigot" run "$app" --deterministic --seed "$seed" \
    > "$dir/run$run.log" 2>&1
  status=$?
  if [ $status != 0 ]; then
    echo "FAIL run $run exited $status (want 0)"
    cat "$dir/run$run.log"
    exit 1
  fi
done
if ! cmp -s "$dir/run1.log" "$dir/run2.log"; then
  echo "FAIL the two --deterministic logs differ:"
  diff "$dir/run1.log" "$dir/run2.log" | head -40
  exit 1
fi
echo "ok: two --deterministic runs, $(wc -l < "$dir/run1.log") identical lines"
