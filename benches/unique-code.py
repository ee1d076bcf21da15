#!/usr/bin/env python3
"""How much of a site's code recurs, and a corpus whose code does not.

    python3 benches/unique-code.py --count SITE     # reads only
    python3 benches/unique-code.py CORPUS           # rewrites CORPUS/content

The suite's corpus builds its code blocks from a few templates, so most of
its code lines recur on many pages: a highlighter that reuses the parse of a
recurring line (proficio does) gains more there than on a site whose code
is all different. `--count` prints, for the fenced blocks under SITE/content,
how many code lines there are, how many distinct ones, and the share that
repeats an earlier line (the demo portal: `--count .`).

Without it, every non-blank line of each `python` and `yaml` block of a
generated corpus gets a comment naming a hash of the block and the line's
number in it, so the lines no longer recur. The comment depends only on the
block's text, never on the file's path, so the Markdown of the three
engines' corpora stays byte-identical. It rewrites files in place, so it
only touches a folder `gen_corpus.py` wrote (one with its `.gen_corpus.json`).
"""

import collections
import hashlib
import pathlib
import re
import sys

UNIQUE = re.compile(r"(```(?:python|yaml)\n)(.*?)(```)", re.S)
ANY_FENCE = re.compile(r"```(\w+)[^\n]*\n(.*?)```", re.S)
MARKER = ".gen_corpus.json"


def unique(match: re.Match) -> str:
    block = match.group(2)
    tag = hashlib.sha1(block.encode()).hexdigest()[:10]
    lines = [
        f"{line}  # {tag}-{number}" if line.strip() else line
        for number, line in enumerate(block.split("\n"))
    ]
    return match.group(1) + "\n".join(lines) + match.group(3)


def pages(site: pathlib.Path):
    return sorted((site / "content").rglob("*.md"))


def count(site: pathlib.Path) -> None:
    lines = collections.Counter()
    for path in pages(site):
        for fence in ANY_FENCE.finditer(path.read_text(encoding="utf-8")):
            for line in fence.group(2).splitlines():
                lines[(fence.group(1), line)] += 1
    total = sum(lines.values())
    repeats = total - len(lines)
    share = 100 * repeats / total if total else 0
    print(f"{total} code lines, {len(lines)} distinct, {share:.0f} % repeat an earlier one")


def make_unique(corpus: pathlib.Path) -> None:
    if not (corpus / MARKER).is_file():
        sys.exit(f"{corpus} has no {MARKER}: only a corpus gen_corpus.py wrote is rewritten")
    changed = 0
    for path in pages(corpus):
        text = path.read_text(encoding="utf-8")
        new = UNIQUE.sub(unique, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    print(f"{changed} files with code made unique", file=sys.stderr)


def main() -> None:
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--count":
        count(pathlib.Path(args[1]))
    elif len(args) == 1 and not args[0].startswith("-"):
        make_unique(pathlib.Path(args[0]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
