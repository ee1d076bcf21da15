#!/usr/bin/env bash
# Resident memory of `proficio serve`: generates an N-module, M-partner corpus
# (examples/gen_corpus.rs), starts the release binary on it, and reads the
# server's resident set size once the first build is served and again after
# EDITS one-file edits (a sentence added to a module, or a partner's owner
# changed), each waited for on the server's own rebuild line. Prints a
# Markdown table row: resident memory after the first build, after the
# edits, and the peak. Linux only (reads /proc).
#
#   benches/serve-memory.sh 10000 1000      # 10,000 modules, 1,000 partners
#   benches/serve-memory.sh --partner-edits 4 1000 30
#
# Options (before the numbers):
#   --partner-edits   edit a partner file rather than a module
#   --work DIR        where the corpus goes, removed at the end (default: a fresh
#                     temporary folder)
set -euo pipefail

work=""
partner_edits=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --work) work=$2; shift 2 ;;
    --partner-edits) partner_edits=1; shift ;;
    --help|-h) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
modules=${1:?usage: benches/serve-memory.sh [--partner-edits] [--work DIR] MODULES [PARTNERS] [EDITS]}
partners=${2:-0}
edits=${3:-10}

die() { echo "error: $*" >&2; exit 1; }
[[ -r /proc/self/status ]] || die "/proc is needed to read resident memory"
(( modules >= 4 )) || die "the corpus needs at least four modules (each links to three others)"
(( partner_edits == 0 || partners > 0 )) || die "--partner-edits needs partners"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$repo" && cargo build --quiet --release --bin proficio --example gen_corpus)

removable=""
if [[ -z $work ]]; then
  work=$(mktemp -d)
  removable=$work
fi
site="$work/serve-memory-site"
log="$work/serve-memory.log"
server=""
cleanup() {
  if [[ -n $server ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$site" "$log"
  [[ -n $removable ]] && rm -rf "$removable"
  return 0
}
trap cleanup EXIT

"$repo/target/release/examples/gen_corpus" --modules "$modules" --partners "$partners" \
  --seed "${SEED:-42}" --out "$site" >/dev/null

if (( partner_edits == 0 )); then
  edited=$(find "$site/content/modules" -name '*.md' ! -name '_index.md' | sort | sed -n 1p)
else
  edited=$(find "$site/content/partners" -name '*.yaml' | sort | sed -n 1p)
fi

(cd "$site" && exec "$repo/target/release/proficio" serve --port 0) >"$log" 2>&1 &
server=$!

# Waits until the server's log has COUNT lines matching PATTERN.
wait_for_lines() {
  local pattern=$1 count=$2
  for _ in $(seq 1 6000); do
    (( $(grep -c -- "$pattern" "$log" || true) >= count )) && return 0
    kill -0 "$server" 2>/dev/null || die "the server stopped: $(tail -n 3 "$log")"
    sleep 0.1
  done
  die "no '$pattern' line after ten minutes"
}

mebibytes() { awk -v key="$1:" '$1 == key { printf "%d", $2 / 1024 }' "/proc/$server/status"; }

wait_for_lines "^Serving " 1
first=$(mebibytes VmRSS)
for i in $(seq 1 "$edits"); do
  if (( partner_edits == 0 )); then
    printf '\nA sentence added by edit %d.\n' "$i" >>"$edited"
  else
    sed -i "s/^owner: .*/owner: Memory Owner $i/" "$edited"
  fi
  wait_for_lines " changed: " "$i"
  # The server frees the previous render's pages just after serving the new one.
  sleep 0.3
done
after=$(mebibytes VmRSS)
peak=$(mebibytes VmHWM)
pages=$(sed -n 's/^Built \([0-9]*\) pages.*/\1/p' "$log")

echo "| modules | partners | pages | after the first build | after $edits edits | peak |"
echo "|---|---|---|---|---|---|"
echo "| $modules | $partners | $pages | $first MiB | $after MiB | $peak MiB |"
