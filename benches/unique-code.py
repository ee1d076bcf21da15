#!/usr/bin/env python3
"""Makes every line of code in a corpus's fenced blocks unique, in place.

The suite's corpus builds its code blocks from a few templates, so most of
its code lines recur on many pages: a highlighter that reuses the parse of a
recurring line (proficio does) gains more there than on a site whose code
is all different. This appends a comment to every non-blank line of each
`python` and `yaml` block, naming a hash of the block and the line's number
in it, so the lines no longer recur. The comment depends only on the block's
text, never on the file's path, so the Markdown of the three engines'
corpora stays byte-identical.

    python3 benches/unique-code.py CORPUS_FOLDER
"""

import hashlib
import pathlib
import re
import sys

FENCE = re.compile(r"(```(?:python|yaml)\n)(.*?)(```)", re.S)


def unique(match: re.Match) -> str:
    block = match.group(2)
    tag = hashlib.sha1(block.encode()).hexdigest()[:10]
    lines = [
        f"{line}  # {tag}-{number}" if line.strip() else line
        for number, line in enumerate(block.split("\n"))
    ]
    return match.group(1) + "\n".join(lines) + match.group(3)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    changed = 0
    for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = FENCE.sub(unique, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    print(f"{changed} files with code made unique", file=sys.stderr)


if __name__ == "__main__":
    main()
