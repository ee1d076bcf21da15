#!/usr/bin/env python3
"""What full-text search costs: build time and output size with the index
and without it, and what one query downloads.

    python3 benches/search-cost.py --proficio target/release/proficio SITE [SITE ...]

Each SITE is built `--runs` times with search on and as many with
`[search] enabled = false` (added to its site.toml for those builds, and
taken out again after), alternating, into a scratch folder, every build
cold (`--no-cache`); prints the median wall and CPU time
of each, their difference as a share of the build, the output's size and the
index's (`search/`), and for a few typical queries the files the shipped
`search.js` reads (run in Node, as in the tests) and their bytes, plain and
gzip-compressed as a web server sends JSON. Local only: nothing is fetched.
"""
import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QUERY = os.path.join(HERE, "..", "tests", "search", "query.js")
QUERIES = [
    ("a common word", "pipeline", "{}"),
    ("two words", "gateways datadog", "{}"),
    ("a word being typed", "deploym", "{}"),
    ("a word and a filter", "canary", None),
]
# The search page shows this many results first, fetching one file each.
SHOWN = "20"


def folder_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def timed_build(proficio, root, output, config_path, config_text):
    with open(config_path, "w") as config:
        config.write(config_text)
    # Cold builds, as compare.sh's: a build cache would hide the highlighting.
    args = [proficio, "build", "--no-cache", "--root", root, "--output", output]
    shutil.rmtree(output, ignore_errors=True)
    before = os.times()
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def query(index, words, filters):
    answer = subprocess.run(
        ["node", QUERY, index, words, filters, SHOWN], check=True, capture_output=True, text=True
    ).stdout
    answer = json.loads(answer)
    plain = compressed = 0
    for read in answer["read"]:
        data = open(os.path.join(index, read["file"]), "rb").read()
        plain += len(data)
        compressed += len(gzip.compress(data, 6))
    return answer["found"], len(answer["read"]), plain, compressed


def first_filter(index):
    meta = json.load(open(os.path.join(index, "meta.json")))
    for name in ("level", "track", "skill", "workflow", "tag"):
        values = meta["filters"].get(name)
        if values:
            return json.dumps({name: [sorted(values)[0]]})
    return "{}"


def measure(proficio, site, runs, scratch):
    config = os.path.join(site, "site.toml")
    original = open(config).read()
    without = original + "\n[search]\nenabled = false\n"
    on, off = [], []
    output_on = os.path.join(scratch, "on")
    output_off = os.path.join(scratch, "off")
    try:
        for _ in range(runs):
            on.append(timed_build(proficio, site, output_on, config, original))
            off.append(timed_build(proficio, site, output_off, config, without))
    finally:
        with open(config, "w") as restore:
            restore.write(original)
    index = os.path.join(output_on, "search")
    pages = json.load(open(os.path.join(index, "meta.json")))["pages"]
    median_on = statistics.median(w for w, _ in on)
    median_off = statistics.median(w for w, _ in off)
    cpu_on = statistics.median(c for _, c in on)
    cpu_off = statistics.median(c for _, c in off)
    print(f"\n## {os.path.basename(site.rstrip('/'))}: {pages} pages indexed")
    print(f"build with search    {median_on:6.2f} s wall, {cpu_on:6.2f} s CPU (medians of {runs})")
    print(f"build without search {median_off:6.2f} s wall, {cpu_off:6.2f} s CPU")
    share = (median_on - median_off) / median_on * 100
    cpu_share = (cpu_on - cpu_off) / cpu_on * 100
    print(f"search's share       {share:5.1f} % of the wall time, {cpu_share:.1f} % of the CPU time")
    total, search = folder_size(output_on), folder_size(index)
    print(f"output               {total / 1e6:8.1f} MB, index {search / 1e6:.1f} MB ({search / total * 100:.1f} %)")
    print("| query | results | files read | bytes | gzip |")
    print("|---|---|---|---|---|")
    for label, words, filters in QUERIES:
        filters = filters or first_filter(index)
        results, files, plain, compressed = query(index, words, filters)
        print(f"| {label} (`{words}` {filters}) | {results} | {files} | {plain:,} | {compressed:,} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proficio", required=True, help="the proficio binary (a release build)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scratch", help="where the builds go (default: the system's temporary folder)")
    parser.add_argument("sites", nargs="+")
    args = parser.parse_args()
    if shutil.which("node") is None:
        sys.exit("Node.js is needed to run the shipped search.js")
    with tempfile.TemporaryDirectory(prefix="proficio-search-cost-", dir=args.scratch) as scratch:
        for site in args.sites:
            measure(os.path.abspath(args.proficio), site, args.runs, scratch)


if __name__ == "__main__":
    main()
