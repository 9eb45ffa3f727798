#!/usr/bin/env bash
# Plants three bugs in the batch path one at a time, runs the batch path's tests against each,
# prints which tests caught it, and restores the code (issue 22: the suite got faster, not weaker).
# Refuses to run with uncommitted changes under packages/ (they would be restored away).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -n "$(git status --porcelain packages)" ]; then
  echo "uncommitted changes under packages/: commit or stash them first" >&2
  exit 1
fi
TESTS="tests/resolve.property.test.ts tests/exactness.property.test.ts tests/pipeline.test.ts tests/partitions.test.ts
       tests/corners.test.ts tests/poison.test.ts tests/faults.test.ts tests/state-tiers.test.ts
       packages/events/src/batch-resolution.test.ts"
status=0
plant() {
  local name=$1
  shift
  "$@" || { echo "could not plant: $name" >&2; status=1; return; }
  if git diff --quiet packages; then
    echo "planting changed nothing (the code moved?): $name" >&2
    status=1
    return
  fi
  echo "== planted: $name"
  local out
  # shellcheck disable=SC2086
  out=$(npx vitest run $TESTS 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
  echo "$out" | grep -E "^ FAIL |Test Files"
  if ! echo "$out" | grep -qE "Test Files .*failed"; then
    echo "   NOT CAUGHT"
    status=1
  fi
  git checkout -q -- packages
}
plant "lost retraction: a thumb flipped from up keeps its +1" \
  sed -i 's/^\(\s*\)change(ws, m\[1\], m\[3\], mid, e.event_id, oldSeg, \[-1, 0, 0, 0\]);/\1\/\/ planted/' \
  packages/events/src/batch-resolution.ts
plant "double count on retry: the signed changes are written again, under a new dedup token" \
  sed -i -e "s/if (!written.has('changes'))/if (true)/" packages/batch/src/stages/summaries.ts \
  -e 's/:changes`/:changes:${Math.random()}`/' packages/clickhouse/src/batch.repo.ts
plant "dedup miss across partitions: a batch's parts split by event id, not conversation" \
  sed -i 's/keys.partitionOf(item.e.conversation_id)/keys.partitionOf(item.e.event_id)/' \
  packages/batch/src/stages/resolve.ts
exit $status
