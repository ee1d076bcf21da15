#!/usr/bin/env python3
"""What reading partner data from exports costs, against the same data in YAML.

    cargo run --release --example gen_corpus -- --modules 10000 --partners 1000 --out SITE
    python3 benches/sources-cost.py --proficio target/release/proficio --runs 3 --scratch /dev/shm SITE

From a generated site (`examples/gen_corpus.rs`) it writes two copies into
the scratch folder: `yaml/`, every partner file as generated (its people
renamed person-001, person-002, ... as imported people are), and `exports/`,
the same records as an LMS, a survey tool, an LRS and a CRM would export
them: `data/people.csv`, `data/assessments.csv` (a column per skill),
`data/completions.csv` and `data/lrs/statements.ndjson` (every fifth
completion as an xAPI statement), `data/ai-use.csv`, `data/kpis.csv`,
with the partner files keeping only their facts and workflow register. It
builds both `--runs` times, alternating and cold (`--no-cache`), prints the medians of wall time,
CPU time and peak memory (GNU time), and fails unless both builds give the
same `data/metrics.json`. Needs PyYAML. Local only: nothing is fetched.
"""
import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

import yaml

SKILLS = ["prompting", "workflow-design", "data-interpretation", "output-validation",
          "light-automation", "actions-and-reporting"]
KPIS = ["partner_sourced_revenue", "sales_cycle_days", "cost_to_serve",
        "enablement_throughput", "margin_contribution"]
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SOURCES = """
[[sources]]
file = "data/people.csv"
kind = "people"
[sources.columns]
person = "Email"
partner = "Partner ID"
role = "Job Title"
joined = "Joined"
left = "Left"

[[sources]]
file = "data/assessments.csv"
kind = "assessments"
[sources.columns]
person = "Email"
date = "Submitted"
[sources.scores]
""" + "".join(f'{s} = "{s.replace("-", " ").title()} (0-4)"\n' for s in SKILLS) + """
[[sources]]
file = "data/completions.csv"
kind = "completions"
[sources.columns]
person = "User Email"
module = "Course"
date = "Completed At"

[[sources]]
file = "data/lrs"
kind = "completions"
format = "xapi"

[[sources]]
file = "data/ai-use.csv"
kind = "ai_use"
[sources.columns]
person = "Email"
workflow = "Workflow"
since = "First Used"

[[sources]]
file = "data/kpis.csv"
kind = "kpis"
[sources.columns]
partner = "Partner ID"
quarter = "Quarter"
""" + "".join(f'{k} = "{k}"\n' for k in KPIS)


def copy_site(site, target):
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(site, target, ignore=shutil.ignore_patterns("public", ".proficio-*"))


def renamed_people(text):
    """The partner file with its people renamed as imports name them."""
    ids = re.findall(r"^  - id: (\S+)\n    role:", text, flags=re.M)
    for number, old in enumerate(ids, 1):
        text = re.sub(rf"^  - id: {re.escape(old)}\n", f"  - id: person-{number:03}\n", text, flags=re.M)
    return text


def write_exports(root):
    partners = os.path.join(root, "content", "partners")
    data = os.path.join(root, "data")
    os.makedirs(os.path.join(data, "lrs"))
    files = {name: open(os.path.join(data, name), "w", newline="") for name in
             ["people.csv", "assessments.csv", "completions.csv", "ai-use.csv", "kpis.csv"]}
    statements = open(os.path.join(data, "lrs", "statements.ndjson"), "w")
    writers = {name: csv.writer(f) for name, f in files.items()}
    writers["people.csv"].writerow(["Email", "Full Name", "Partner ID", "Job Title", "Joined", "Left"])
    writers["assessments.csv"].writerow(["Email", "Submitted"] + [f'{s.replace("-", " ").title()} (0-4)' for s in SKILLS])
    writers["completions.csv"].writerow(["User Email", "Course", "Completed At"])
    writers["ai-use.csv"].writerow(["Email", "Workflow", "First Used"])
    writers["kpis.csv"].writerow(["Partner ID", "Quarter"] + KPIS)
    seen = 0
    for name in sorted(os.listdir(partners)):
        path = os.path.join(partners, name)
        partner_id = name.rsplit(".", 1)[0]
        with open(path) as f:
            record = yaml.load(f, Loader=LOADER)
        for person in record.pop("people", []):
            email = f'{person["id"]}@{partner_id}.example.com'
            writers["people.csv"].writerow([email, f'Person {person["id"]}', partner_id, person["role"],
                                            person.get("joined", ""), person.get("left", "")])
            for a in person.get("assessments", []):
                writers["assessments.csv"].writerow([email, a["date"]] + [a["scores"].get(s, "") for s in SKILLS])
            for c in person.get("completions", []):
                seen += 1
                if seen % 5 == 0:
                    statements.write(json.dumps({
                        "actor": {"mbox": f"mailto:{email}"},
                        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                        "object": {"id": f'https://example.org/modules/{c["module"]}/'},
                        "timestamp": f'{c["date"]}T12:00:00Z'}) + "\n")
                else:
                    writers["completions.csv"].writerow([email, c["module"], c["date"]])
            for u in person.get("ai_use", []):
                writers["ai-use.csv"].writerow([email, u["workflow"], u["since"]])
        for k in record.pop("kpis", []):
            writers["kpis.csv"].writerow([partner_id, k["quarter"]] + [repr(k[key]) for key in KPIS])
        with open(path, "w") as f:
            yaml.safe_dump(record, f, sort_keys=False, allow_unicode=True)
    for f in list(files.values()) + [statements]:
        f.close()
    with open(os.path.join(root, "site.toml"), "a") as f:
        f.write(SOURCES)


def timed(proficio, root):
    output = os.path.join(root, "public")
    shutil.rmtree(output, ignore_errors=True)
    # Cold builds, as compare.sh's: a build cache would hide the highlighting.
    command = [proficio, "build", "--no-cache", "--root", root]
    run = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *command],
                         check=True, capture_output=True, text=True)
    wall, user, system, rss = run.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(rss) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proficio", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scratch", default="/tmp")
    parser.add_argument("site")
    args = parser.parse_args()
    proficio = os.path.abspath(args.proficio)
    yaml_root = os.path.join(args.scratch, "sources-cost-yaml")
    exports_root = os.path.join(args.scratch, "sources-cost-exports")
    copy_site(args.site, yaml_root)
    partners = os.path.join(yaml_root, "content", "partners")
    for name in os.listdir(partners):
        path = os.path.join(partners, name)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(renamed_people(text))
    copy_site(yaml_root, exports_root)
    write_exports(exports_root)
    size = lambda folder: sum(os.path.getsize(os.path.join(r, n)) for r, _, ns in os.walk(folder) for n in ns)
    print(f"partner YAML {size(partners) / 1e6:.1f} MB; exports {size(os.path.join(exports_root, 'data')) / 1e6:.1f} MB "
          f"+ YAML left {size(os.path.join(exports_root, 'content', 'partners')) / 1e6:.1f} MB")
    results = {"yaml": [], "exports": []}
    for _ in range(args.runs):
        for kind, root in [("yaml", yaml_root), ("exports", exports_root)]:
            results[kind].append(timed(proficio, root))
    for kind, runs in results.items():
        wall, cpu, rss = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"{kind:8} {wall:6.2f} s wall {cpu:6.2f} s CPU {rss:6.0f} MB peak (medians of {len(runs)})")
    same = [open(os.path.join(root, "public", "data", "metrics.json"), "rb").read() for root in (yaml_root, exports_root)]
    print("metrics.json", "identical" if same[0] == same[1] else "DIFFERS")
    sys.exit(0 if same[0] == same[1] else 1)


if __name__ == "__main__":
    main()
