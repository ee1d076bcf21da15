//! Writes a deterministic synthetic proficio site for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --modules 1000 --partners 100 --out ../bench-1000
//! proficio build --root ../bench-1000
//! ```
//!
//! Modules have the page shape of the engine-neutral benchmark corpus used for
//! the Hugo comparison (`gen_corpus.py` of the benchmark suite): about 800
//! words, 4–6 headings, a bullet and a numbered list, a table, a blockquote,
//! one ```` ```python ```` and one ```` ```yaml ```` block, three internal links
//! (here proficio's `@/` links), tags, spread round-robin over 20 sections
//! under `content/modules/`. On top of that each module carries proficio's
//! front matter: level, skills, workflows, a track and prerequisites (always
//! earlier modules, so never a cycle). Partner files have 50 people each,
//! eight quarters of KPIs and all six workflows; completions name generated
//! modules.
//!
//! Module `i`'s text depends only on the seed and `i` (the 1,000-module site
//! is a prefix of the 10,000-module one apart from link targets and
//! prerequisites), and the whole output is the same for the same arguments.
//! Nothing but the standard library and `chrono` is used; the random numbers
//! come from splitmix64.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{Days, NaiveDate};

const USAGE: &str = "\
usage: gen_corpus --modules N --partners M --out DIR [--seed S] [--sections K] [--no-code]

  --modules N    enablement modules to write (default 1000)
  --partners M   partner metrics files to write, 50 people each (default 100)
  --out DIR      folder for the site; must be absent or empty
  --seed S       random seed (default 42)
  --sections K   folders under content/modules/ (default 20)
  --no-code      leave out the fenced code blocks (to measure highlighting)

Prints a one-line JSON summary (modules, partners, words and bytes) on success.";

// ---------------------------------------------------------------- random numbers

/// splitmix64: tiny, fast and good enough for test data.
struct Rng(u64);

impl Rng {
    /// An independent stream for (seed, kind, index).
    fn stream(seed: u64, kind: u64, index: u64) -> Rng {
        let mut rng = Rng(seed ^ kind.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.0 ^= rng
            .next()
            .wrapping_add(index.wrapping_mul(0xE703_7ED1_A0B4_28DB));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &'a [&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    /// `k` distinct indices of `0..n`, in draw order.
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut pool: Vec<usize> = (0..n).collect();
        let k = k.min(n);
        for i in 0..k {
            let j = i + self.below(n - i);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }
}

const PAGE: u64 = 1;
const LINKS: u64 = 2;
const META: u64 = 3;
const PARTNER: u64 = 4;

// ---------------------------------------------------------------- vocabulary
// The same word lists as the engine-neutral corpus, so pages match in size and
// in the mix of prose, inline code and emphasis.

const TOPICS: &[&str] = &[
    "canary deployments",
    "blue-green releases",
    "feature flags",
    "service meshes",
    "observability pipelines",
    "log aggregation",
    "distributed tracing",
    "alert routing",
    "secret rotation",
    "access reviews",
    "single sign-on",
    "role-based access",
    "container images",
    "build caching",
    "artifact signing",
    "dependency updates",
    "database migrations",
    "backup verification",
    "disaster recovery",
    "capacity planning",
    "cost allocation",
    "autoscaling policies",
    "rate limiting",
    "API gateways",
    "event streaming",
    "message queues",
    "schema registries",
    "data contracts",
    "incident response",
    "postmortem reviews",
    "on-call handover",
    "runbook automation",
    "infrastructure as code",
    "policy as code",
    "drift detection",
    "golden paths",
    "developer portals",
    "sandbox environments",
    "preview environments",
    "load testing",
];
const TOOLS: &[&str] = &[
    "Kubernetes",
    "Terraform",
    "Argo CD",
    "Argo Rollouts",
    "Prometheus",
    "Grafana",
    "OpenTelemetry",
    "Vault",
    "GitHub Actions",
    "GitLab CI",
    "Helm",
    "Kustomize",
    "PostgreSQL",
    "Kafka",
    "Redis",
    "Envoy",
    "Istio",
    "Linkerd",
    "Backstage",
    "k6",
    "Open Policy Agent",
    "Crossplane",
    "Flux",
    "Tekton",
    "Datadog",
    "PagerDuty",
];
const VERBS_ING: &[&str] = &[
    "Configuring",
    "Operating",
    "Scaling",
    "Securing",
    "Automating",
    "Troubleshooting",
    "Rolling out",
    "Migrating to",
    "Monitoring",
    "Hardening",
    "Designing",
    "Testing",
];
const SUBJECTS: &[&str] = &[
    "the platform team",
    "each service owner",
    "the on-call engineer",
    "a new joiner",
    "the release manager",
    "the security reviewer",
    "your team",
    "the pipeline",
    "the cluster operator",
    "the product squad",
    "every environment",
    "the controller",
];
const VERBS: &[&str] = &[
    "reviews",
    "validates",
    "publishes",
    "rotates",
    "records",
    "promotes",
    "rolls back",
    "measures",
    "documents",
    "approves",
    "tags",
    "schedules",
    "replicates",
    "archives",
    "monitors",
    "enforces",
    "audits",
    "provisions",
    "benchmarks",
    "annotates",
];
const OBJECTS: &[&str] = &[
    "the deployment manifest",
    "the staging namespace",
    "a signed artifact",
    "the error budget",
    "the change request",
    "the service catalogue entry",
    "the dashboard",
    "the retention policy",
    "the access token",
    "the rollout plan",
    "the health check",
    "the runbook",
    "the audit log",
    "the release notes",
    "the baseline metrics",
    "the dependency graph",
    "the cost report",
    "the alert rule",
];
const CLAUSES: &[&str] = &[
    "before the change window opens",
    "so that reviewers can trace every decision",
    "without interrupting live traffic",
    "as part of the weekly readiness review",
    "once the smoke tests pass",
    "whenever a new region is added",
    "to keep the recovery time objective within target",
    "after the canary is promoted",
    "so the next shift has full context",
    "using the shared template",
    "while the previous version keeps serving",
    "to satisfy the compliance checklist",
];
const ADVERBS: &[&str] = &[
    "carefully",
    "automatically",
    "explicitly",
    "routinely",
    "incrementally",
    "consistently",
    "independently",
    "safely",
];
const COMMANDS: &[&str] = &[
    "kubectl apply -f",
    "terraform plan",
    "helm upgrade --install",
    "make test",
    "git tag -s",
    "vault kv get",
    "argo rollouts promote",
    "psql -c",
    "k6 run",
];
const TAGS: &[&str] = &[
    "kubernetes",
    "terraform",
    "security",
    "observability",
    "ci-cd",
    "gitops",
    "sre",
    "networking",
    "databases",
    "compliance",
    "cost",
    "onboarding",
    "incident",
    "testing",
    "automation",
    "cloud",
    "containers",
    "monitoring",
    "logging",
    "tracing",
    "identity",
    "policy",
    "release",
    "backup",
    "performance",
    "messaging",
    "api",
    "platform",
    "developer-experience",
    "governance",
    "data",
    "reliability",
    "scaling",
    "migration",
    "hardening",
    "runbooks",
    "architecture",
    "quality",
    "budgets",
    "tooling",
];
const SECTION_NAMES: &[&str] = &[
    "getting-started",
    "platform-basics",
    "kubernetes",
    "infrastructure-as-code",
    "ci-cd",
    "observability",
    "security",
    "identity-and-access",
    "data-platform",
    "messaging",
    "networking",
    "reliability",
    "incident-management",
    "cost-management",
    "compliance",
    "developer-experience",
    "release-engineering",
    "testing",
    "architecture",
    "leadership",
];
const PY_NAMES: &[&str] = &[
    "rollout", "budget", "replica", "artifact", "policy", "region", "quota", "probe", "release",
    "snapshot", "tenant", "metric", "window", "ticket",
];

// proficio's default catalogues.
const SKILLS: &[&str] = &[
    "prompting",
    "workflow-design",
    "data-interpretation",
    "output-validation",
    "light-automation",
    "actions-and-reporting",
];
const WORKFLOWS: &[&str] = &[
    "account-planning",
    "qbr",
    "onboarding",
    "co-selling",
    "performance-reporting",
    "ecosystem-mapping",
];
const LEVELS: &[&str] = &["nay-sayer", "experimenter", "practitioner"];
const TRACKS: &[(&str, &str)] = &[
    ("foundations", "Foundations"),
    ("delivery", "Delivery practice"),
    ("operations", "Operations"),
    ("security-track", "Security and compliance"),
    ("leadership-track", "Leading the program"),
];

// Partner files.
const NAME_FIRST: &[&str] = &[
    "Aurora",
    "Cordillera",
    "Halvorsen",
    "Ironbark",
    "Kestrel",
    "Lindqvist",
    "Meridian",
    "Pinecrest",
    "Quetzal",
    "Saltmarsh",
    "Tidewater",
    "Vantage",
    "Brightline",
    "Northgate",
    "Copperleaf",
    "Driftwood",
    "Everstone",
    "Foxglove",
    "Granite",
    "Harbor",
];
const NAME_SECOND: &[&str] = &[
    "Channel Partners",
    "Networks",
    "Digital",
    "Managed Services",
    "Advisory",
    "Data",
    "Solutions Group",
    "Software",
    "Tech Partners",
    "IT",
    "Cloud",
    "Integration",
    "Systems",
    "Consulting",
    "Labs",
];
const TIERS: &[&str] = &["platinum", "gold", "silver", "registered"];
const TYPES: &[&str] = &["reseller", "systems-integrator", "msp", "isv", "referral"];
const REGIONS: &[&str] = &["EMEA", "APAC", "North America", "LATAM", "DACH", "Nordics"];
const OWNERS: &[&str] = &[
    "Kenji Morota",
    "Dana Whitfield",
    "Sam Okafor",
    "Priya Raman",
    "Lena Fischer",
    "Tomás Ibarra",
    "Aisha Bello",
    "Mikael Berg",
];
const ROLES: &[&str] = &[
    "partner sales manager",
    "account manager",
    "sales engineer",
    "marketing manager",
    "business development manager",
    "solutions architect",
    "customer success manager",
    "operations lead",
    "enablement coordinator",
    "founder and principal",
];
/// Eight quarters: the first is the baseline.
pub const QUARTERS: usize = 8;
const FIRST_YEAR: i32 = 2025;
const PEOPLE: usize = 50;

// ---------------------------------------------------------------- arguments

/// What to generate.
pub struct Args {
    /// Number of modules.
    pub modules: usize,
    /// Number of partner files.
    pub partners: usize,
    /// Random seed.
    pub seed: u64,
    /// Folders under `content/modules/`.
    pub sections: usize,
    /// Site folder (absent or empty).
    pub out: PathBuf,
    /// Include the fenced code blocks.
    pub code: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        modules: 1000,
        partners: 100,
        seed: 42,
        sections: 20,
        out: PathBuf::new(),
        code: true,
    };
    let mut out = None;
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = |name: &str| given.next().ok_or(format!("{name} needs a value"));
        let number = |name: &str, text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{name}: `{text}` is not a whole number"))
        };
        match flag.as_str() {
            "--modules" => args.modules = number("--modules", value("--modules")?)? as usize,
            "--partners" => args.partners = number("--partners", value("--partners")?)? as usize,
            "--seed" => args.seed = number("--seed", value("--seed")?)?,
            "--sections" => args.sections = number("--sections", value("--sections")?)? as usize,
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--no-code" => args.code = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    args.out = out.ok_or("--out DIR is required")?;
    if args.modules < 4 {
        return Err("--modules must be at least 4 (each module links to three others)".into());
    }
    if args.sections == 0 {
        return Err("--sections must be at least 1".into());
    }
    Ok(args)
}

// ---------------------------------------------------------------- modules

/// What other pages need to know about a module: where it is and its title.
pub struct Head {
    /// Folder under `content/modules/`.
    pub section: String,
    /// File stem, which is also the module id.
    pub slug: String,
    /// Page title.
    pub title: String,
    topic: &'static str,
    tool: &'static str,
}

pub fn section_names(count: usize) -> Vec<String> {
    (0..count)
        .map(|k| match SECTION_NAMES.get(k) {
            Some(name) => (*name).to_string(),
            None => format!("track-{k:02}"),
        })
        .collect()
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// The module's place and title, and its random stream positioned for the body.
fn head(seed: u64, i: usize, sections: &[String]) -> (Head, Rng) {
    let mut rng = Rng::stream(seed, PAGE, i as u64);
    let topic: &'static str = rng.pick(TOPICS);
    let tool: &'static str = rng.pick(TOOLS);
    let title = format!(
        "{} {topic} with {tool} (module {})",
        rng.pick(VERBS_ING),
        i + 1
    );
    let head = Head {
        section: sections[i % sections.len()].clone(),
        slug: format!("m{:05}-{}", i + 1, slugify(topic)),
        title,
        topic,
        tool,
    };
    (head, rng)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn sentence(rng: &mut Rng, topic: &str, tool: &str) -> String {
    let r = rng.unit();
    let mut s = format!(
        "{} {} {} {}",
        capitalise(rng.pick(SUBJECTS)),
        rng.pick(ADVERBS),
        rng.pick(VERBS),
        rng.pick(OBJECTS)
    );
    if r < 0.25 {
        let _ = write!(s, " for {topic} in {tool}");
    } else if r < 0.45 {
        let _ = write!(s, " with `{} {}`", rng.pick(COMMANDS), rng.pick(PY_NAMES));
    } else if r < 0.55 {
        let mark = rng.pick(&["required", "blocking", "optional", "mandatory"]);
        let _ = write!(s, " and marks it **{mark}**");
    }
    if rng.chance(0.7) {
        let _ = write!(s, " {}", rng.pick(CLAUSES));
    }
    if rng.chance(0.15) {
        let _ = write!(
            s,
            ", because {} {} {}",
            rng.pick(OBJECTS),
            rng.pick(VERBS),
            rng.pick(OBJECTS)
        );
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut Rng, topic: &str, tool: &str, lo: usize, hi: usize) -> String {
    let count = rng.range(lo, hi);
    (0..count)
        .map(|_| sentence(rng, topic, tool))
        .collect::<Vec<_>>()
        .join(" ")
}

fn list(rng: &mut Rng, topic: &str, tool: &str, ordered: bool) -> String {
    let count = rng.range(4, 6);
    (0..count)
        .map(|k| {
            let mark = if ordered {
                format!("{}.", k + 1)
            } else {
                "-".to_string()
            };
            format!("{mark} {}", sentence(rng, topic, tool))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn table(rng: &mut Rng) -> String {
    let mut out = String::from("| Setting | Default | Recommended | Notes |\n|---|---|---|---|");
    for _ in 0..rng.range(4, 6) {
        let name = rng.pick(PY_NAMES);
        let suffix = rng.pick(&["timeout", "limit", "ratio", "interval", "retries"]);
        let default = rng.range(1, 60);
        let recommended = rng.range(1, 120);
        let note = capitalise(rng.pick(CLAUSES));
        let _ = write!(
            out,
            "\n| `{name}_{suffix}` | {default} | {recommended} | {note} |"
        );
    }
    out
}

fn yaml_block(rng: &mut Rng, topic: &str, tool: &str) -> String {
    let name = slugify(topic);
    let tool_label = tool.to_lowercase().replace(' ', "-");
    let lines = [
        "apiVersion: apps/v1".to_string(),
        "kind: Deployment".to_string(),
        "metadata:".to_string(),
        format!("  name: {name}"),
        "  labels:".to_string(),
        format!("    team: {}", rng.pick(SECTION_NAMES)),
        format!("    tool: {tool_label}"),
        "spec:".to_string(),
        format!("  replicas: {}", rng.range(2, 12)),
        "  strategy:".to_string(),
        "    type: RollingUpdate".to_string(),
        "    rollingUpdate:".to_string(),
        format!("      maxSurge: {}", rng.range(1, 4)),
        "      maxUnavailable: 0".to_string(),
        "  template:".to_string(),
        "    spec:".to_string(),
        "      containers:".to_string(),
        format!("        - name: {name}"),
        format!(
            "          image: registry.example.org/{name}:{}.{}.{}",
            rng.range(1, 9),
            rng.range(0, 30),
            rng.range(0, 9)
        ),
        "          resources:".to_string(),
        format!(
            "            limits: {{cpu: \"{}\", memory: \"{}\"}}",
            rng.pick(&["250m", "500m", "1"]),
            rng.pick(&["256Mi", "512Mi", "1Gi"])
        ),
    ];
    let keep = rng.range(14, lines.len());
    format!("```yaml\n{}\n```", lines[..keep].join("\n"))
}

fn python_block(rng: &mut Rng, topic: &str) -> String {
    let names = rng.sample(PY_NAMES.len(), 3);
    let (a, b, c) = (PY_NAMES[names[0]], PY_NAMES[names[1]], PY_NAMES[names[2]]);
    let class = capitalise(a);
    let threshold = rng.range(2, 95) as f64 / 100.0;
    let pass = rng.range(50, 99) as f64 / 100.0;
    let team = rng.pick(SECTION_NAMES);
    let score = rng.unit();
    let repeat = rng.range(3, 30);
    let lines = [
        "import json".to_string(),
        "from dataclasses import dataclass".to_string(),
        String::new(),
        String::new(),
        "@dataclass".to_string(),
        format!("class {class}Check:"),
        format!("    \"\"\"Gate for {topic}.\"\"\""),
        format!("    {b}: str"),
        format!("    threshold: float = {threshold:.2}"),
        String::new(),
        format!("    def evaluate(self, {c}s: list[dict]) -> bool:"),
        format!("        ok = [x for x in {c}s if x.get(\"score\", 0) >= self.threshold]"),
        format!("        ratio = len(ok) / max(len({c}s), 1)"),
        format!("        print(json.dumps({{\"{b}\": self.{b}, \"ratio\": round(ratio, 3)}}))"),
        format!("        return ratio > {pass:.2}"),
        String::new(),
        String::new(),
        "if __name__ == \"__main__\":".to_string(),
        format!("    check = {class}Check({b}=\"{team}\")"),
        format!("    print(check.evaluate([{{\"score\": {score:.2}}}] * {repeat}))"),
    ];
    format!("```python\n{}\n```", lines.join("\n"))
}

/// The Markdown body of module `i`, with its three links filled in.
fn body(head: &Head, rng: &mut Rng, links: &[(String, String)], code: bool) -> String {
    let (topic, tool) = (head.topic, head.tool);
    let mut blocks = vec![
        paragraph(rng, topic, tool, 2, 4),
        paragraph(rng, topic, tool, 2, 4),
    ];
    blocks.push("## Overview".to_string());
    blocks.push(paragraph(rng, topic, tool, 2, 4));
    blocks.push(list(rng, topic, tool, false));
    blocks.push(paragraph(rng, topic, tool, 1, 3));
    let extra = rng.range(0, 2); // headings: 4 + extra
    if extra >= 1 {
        blocks.push("## Prerequisites".to_string());
        blocks.push(paragraph(rng, topic, tool, 2, 3));
        blocks.push(list(rng, topic, tool, true));
    }
    blocks.push(format!("## Configure {topic} in {tool}"));
    blocks.push(paragraph(rng, topic, tool, 2, 4));
    let yaml = yaml_block(rng, topic, tool);
    if code {
        blocks.push(yaml);
    }
    blocks.push(paragraph(rng, topic, tool, 1, 3));
    blocks.push(table(rng));
    blocks.push(format!("## Implement the {topic} check"));
    blocks.push(paragraph(rng, topic, tool, 2, 4));
    let python = python_block(rng, topic);
    if code {
        blocks.push(python);
    }
    let note = paragraph(rng, topic, tool, 2, 3);
    let last = sentence(rng, topic, tool);
    blocks.push(format!("> **Note:** {note}\n>\n> {last}"));
    blocks.push(paragraph(rng, topic, tool, 1, 3));
    if extra >= 2 {
        blocks.push("### Troubleshooting".to_string());
        blocks.push(paragraph(rng, topic, tool, 2, 3));
        blocks.push(list(rng, topic, tool, false));
    }
    blocks.push("## Next steps".to_string());
    blocks.push(paragraph(rng, topic, tool, 2, 3));
    blocks.push(format!(
        "Continue with [{}]({}), then review [{}]({}); for background see [{}]({}).",
        links[0].0, links[0].1, links[1].0, links[1].1, links[2].0, links[2].1
    ));
    let mut text = blocks.join("\n\n");
    text.push('\n');
    text
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn id_list(items: &[&str]) -> String {
    format!("[{}]", items.join(", "))
}

/// The YAML front matter of module `i`.
fn front_matter(seed: u64, i: usize, head: &Head, prerequisites: &[String]) -> String {
    let mut rng = Rng::stream(seed, META, i as u64);
    let date =
        NaiveDate::from_ymd_opt(2023, 1, 2).expect("date") + Days::new(((i as u64) * 7919) % 1100);
    let count = rng.range(2, 4);
    let mut tags: Vec<&str> = rng
        .sample(TAGS.len(), count)
        .into_iter()
        .map(|k| TAGS[k])
        .collect();
    tags.sort_unstable();
    let count = rng.range(1, 3);
    let skills: Vec<&str> = rng
        .sample(SKILLS.len(), count)
        .into_iter()
        .map(|k| SKILLS[k])
        .collect();
    let count = rng.range(1, 2);
    let workflows: Vec<&str> = rng
        .sample(WORKFLOWS.len(), count)
        .into_iter()
        .map(|k| WORKFLOWS[k])
        .collect();
    let level = rng.pick(LEVELS);
    let track = TRACKS[rng.below(TRACKS.len())].0;
    let minutes = 5 * rng.range(3, 12);
    let prerequisites: Vec<&str> = prerequisites.iter().map(String::as_str).collect();
    let summary = format!(
        "How {} {} {} for {} in {}.",
        SUBJECTS[rng.below(SUBJECTS.len())],
        VERBS[rng.below(VERBS.len())],
        OBJECTS[rng.below(OBJECTS.len())],
        head.topic,
        head.tool
    );
    format!(
        "---\ntitle: {}\nsummary: {}\ndate: {date}\nweight: {}\nlevel: {level}\nskills: {}\nworkflows: {}\ntrack: {track}\nprerequisites: {}\nduration_minutes: {minutes}\ntags: {}\n---\n\n",
        quoted(&head.title),
        quoted(&summary),
        i / 20 + 1,
        id_list(&skills),
        id_list(&workflows),
        id_list(&prerequisites),
        id_list(&tags),
    )
}

/// Up to two earlier modules, from the 40 before this one: never a cycle.
fn prerequisites(seed: u64, i: usize, heads: &[Head]) -> Vec<String> {
    let mut rng = Rng::stream(seed, LINKS, (i as u64) | (1 << 40));
    if i == 0 || rng.chance(0.4) {
        return Vec::new();
    }
    let window = i.min(40);
    let count = rng.range(1, 2).min(window);
    let mut picked: Vec<usize> = rng
        .sample(window, count)
        .into_iter()
        .map(|k| i - 1 - k)
        .collect();
    picked.sort_unstable();
    picked.into_iter().map(|k| heads[k].slug.clone()).collect()
}

/// Three other modules to link to.
fn link_targets(seed: u64, i: usize, n: usize) -> Vec<usize> {
    let mut rng = Rng::stream(seed, LINKS, i as u64);
    let mut picked: Vec<usize> = rng.sample(n, 4).into_iter().filter(|&k| k != i).collect();
    picked.truncate(3);
    picked
}

/// The heads of modules `0..n`.
pub fn heads(seed: u64, n: usize, sections: &[String]) -> Vec<Head> {
    (0..n).map(|i| head(seed, i, sections).0).collect()
}

/// One generated module file.
pub struct Module {
    /// Key under `content/`: `modules/<section>/<id>.md`.
    pub source: String,
    /// Front matter and body.
    pub text: String,
    /// Words in the body.
    pub words: usize,
}

/// Module `i` of a site whose modules have `heads`.
pub fn module(seed: u64, i: usize, heads: &[Head], sections: &[String], code: bool) -> Module {
    let (head, mut rng) = head(seed, i, sections);
    let links: Vec<(String, String)> = link_targets(seed, i, heads.len())
        .into_iter()
        .map(|k| {
            let target = &heads[k];
            (
                target.title.clone(),
                format!("@/modules/{}/{}.md", target.section, target.slug),
            )
        })
        .collect();
    let text = body(&head, &mut rng, &links, code);
    let front = front_matter(seed, i, &head, &prerequisites(seed, i, heads));
    Module {
        source: format!("modules/{}/{}.md", head.section, head.slug),
        words: text.split_whitespace().count(),
        text: front + &text,
    }
}

fn section_title(name: &str) -> String {
    name.split('-')
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------- partners

pub fn quarter_label(q: usize) -> String {
    format!("{}-Q{}", FIRST_YEAR + (q / 4) as i32, q % 4 + 1)
}

/// A day inside quarter `q` (0-based from the first quarter).
fn date_in_quarter(rng: &mut Rng, q: usize) -> NaiveDate {
    let year = FIRST_YEAR + (q / 4) as i32;
    let month = (q % 4) as u32 * 3 + 1;
    NaiveDate::from_ymd_opt(year, month, 1).expect("date") + Days::new(rng.below(88) as u64)
}

fn partner_name(i: usize) -> String {
    let first = NAME_FIRST[i % NAME_FIRST.len()];
    let second = NAME_SECOND[(i / NAME_FIRST.len()) % NAME_SECOND.len()];
    let round = i / (NAME_FIRST.len() * NAME_SECOND.len());
    if round == 0 {
        format!("{first} {second}")
    } else {
        format!("{first} {second} {}", round + 1)
    }
}

pub fn partner_file(seed: u64, i: usize, module_ids: &[String]) -> (String, String) {
    let mut rng = Rng::stream(seed, PARTNER, i as u64);
    let name = partner_name(i);
    let id = format!("p{:04}-{}", i + 1, slugify(&name));
    let prefix = format!("p{:04}", i + 1);
    let mut out = String::with_capacity(64 * 1024);
    let _ = writeln!(out, "name: {}", quoted(&name));
    let _ = writeln!(out, "tier: {}", rng.pick(TIERS));
    let _ = writeln!(out, "region: {}", rng.pick(REGIONS));
    let _ = writeln!(out, "type: {}", rng.pick(TYPES));
    let _ = writeln!(out, "owner: {}", rng.pick(OWNERS));
    // Workflows first (people's AI use leans towards embedded ones).
    struct Workflow {
        id: &'static str,
        embedded_from: Option<usize>,
    }
    let workflows: Vec<Workflow> = WORKFLOWS
        .iter()
        .map(|id| Workflow {
            id,
            embedded_from: rng.chance(0.45).then(|| rng.range(1, QUARTERS - 1)),
        })
        .collect();
    // How far this partner gets: drives skill growth and AI adoption.
    let drive = 0.3 + 0.7 * rng.unit();
    out.push_str("people:\n");
    for p in 0..PEOPLE {
        let _ = writeln!(out, "  - id: {prefix}-{:02}", p + 1);
        let _ = writeln!(out, "    role: {}", rng.pick(ROLES));
        out.push_str("    assessments:\n");
        let mut scores: Vec<f64> = SKILLS.iter().map(|_| rng.range(0, 2) as f64).collect();
        let assessed: Vec<usize> = {
            let mut q = vec![0];
            q.extend((1..QUARTERS).filter(|_| rng.chance(0.3)));
            q
        };
        for q in assessed {
            let date = date_in_quarter(&mut rng, q);
            let _ = writeln!(out, "      - date: {date}");
            let listed: Vec<String> = SKILLS
                .iter()
                .zip(&scores)
                .map(|(skill, score)| format!("{skill}: {score}"))
                .collect();
            let _ = writeln!(out, "        scores: {{{}}}", listed.join(", "));
            for score in &mut scores {
                if rng.chance(0.35 * drive) {
                    *score = (*score + 1.0).min(4.0);
                }
            }
        }
        if rng.chance(0.25 + 0.6 * drive) {
            out.push_str("    ai_use:\n");
            let count = rng.range(1, 3);
            for k in rng.sample(WORKFLOWS.len(), count) {
                let start = rng.below(QUARTERS);
                let date = date_in_quarter(&mut rng, start);
                let _ = writeln!(
                    out,
                    "      - workflow: {}\n        since: {date}",
                    workflows[k].id
                );
            }
        }
        let completions = rng.range(0, 4);
        if completions > 0 {
            out.push_str("    completions:\n");
            for _ in 0..completions {
                let module = &module_ids[rng.below(module_ids.len())];
                let quarter = rng.below(QUARTERS);
                let date = date_in_quarter(&mut rng, quarter);
                let _ = writeln!(out, "      - module: {module}\n        date: {date}");
            }
        }
    }
    out.push_str("workflows:\n");
    for w in &workflows {
        let before = 15 * rng.range(2, 16);
        let runs = rng.range(2, 30);
        let _ = writeln!(out, "  - id: {}", w.id);
        match w.embedded_from {
            Some(q) => {
                let after = before * rng.range(30, 80) / 100;
                let _ = writeln!(
                    out,
                    "    embedded: true\n    since: {}\n    documented: true\n    quality_standard: {}\n    minutes_before: {before}\n    minutes_after: {after}\n    runs_per_quarter: {runs}",
                    quarter_label(q),
                    rng.chance(0.85)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "    embedded: false\n    documented: false\n    quality_standard: false\n    minutes_before: {before}\n    runs_per_quarter: {runs}"
                );
            }
        }
    }
    out.push_str("kpis:\n");
    let mut revenue = 100_000.0 * (1 + rng.below(40)) as f64;
    let mut cycle = rng.range(45, 120) as f64;
    let mut cost = (revenue * (0.04 + 0.04 * rng.unit())).round();
    let mut throughput = rng.below(10) as f64;
    let mut margin = (revenue * (0.08 + 0.1 * rng.unit())).round();
    for q in 0..QUARTERS {
        let _ = writeln!(
            out,
            "  - quarter: {}\n    partner_sourced_revenue: {revenue}\n    sales_cycle_days: {cycle}\n    cost_to_serve: {cost}\n    enablement_throughput: {throughput}\n    margin_contribution: {margin}",
            quarter_label(q)
        );
        let growth = 1.0 + (rng.unit() - 0.3) * 0.08 * (0.5 + drive);
        revenue = (revenue * growth / 1000.0).round() * 1000.0;
        margin = (margin * growth / 1000.0).round() * 1000.0;
        cost = (cost * (1.0 + (rng.unit() - 0.6) * 0.05) / 100.0).round() * 100.0;
        cycle = (cycle + rng.range(0, 4) as f64 - 2.5 * drive)
            .round()
            .max(10.0);
        throughput += rng.below(4) as f64;
    }
    (id, out)
}

// ---------------------------------------------------------------- site

pub fn site_toml() -> String {
    let mut out = String::from(
        "title = \"Enablement Bench\"\n\
         description = \"A generated partner enablement portal for build benchmarks.\"\n\
         base_url = \"https://example.org/\"\n\n",
    );
    for (id, title) in TRACKS {
        let _ = writeln!(
            out,
            "[[tracks]]\nid = \"{id}\"\ntitle = \"{title}\"\ndescription = \"Generated track {title}.\"\n"
        );
    }
    let _ = write!(
        out,
        "[program]\ncurrency = \"USD\"\nhourly_cost = 95\nbaseline_quarter = \"{}\"\nmargin_attribution = 0.25\nshow_people = false\n\n\
         [program.investment]\nlicences_per_quarter = 21000\nenablement_per_quarter = 34000\n",
        quarter_label(0)
    );
    out
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn generate(args: &Args) -> Result<String, String> {
    let out = &args.out;
    if out.exists() {
        let mut entries = fs::read_dir(out).map_err(|e| format!("{}: {e}", out.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "refusing to write into {}: it is not empty",
                out.display()
            ));
        }
    }
    let n = args.modules;
    let sections = section_names(args.sections);
    let heads = heads(args.seed, n, &sections);
    let content = out.join("content");
    write(&out.join("site.toml"), &site_toml())?;
    write(
        &content.join("_index.md"),
        "---\ntitle: \"Enablement Bench\"\nsummary: \"Generated modules and partner scorecards.\"\n---\n\nA generated portal for build benchmarks.\n",
    )?;
    write(
        &content.join("modules").join("_index.md"),
        "---\ntitle: \"Modules\"\nsummary: \"Every generated module, by section.\"\n---\n\nModules grouped into sections.\n",
    )?;
    for (w, name) in sections.iter().enumerate() {
        write(
            &content.join("modules").join(name).join("_index.md"),
            &format!(
                "---\ntitle: {}\nweight: {}\n---\n",
                quoted(&section_title(name)),
                w + 1
            ),
        )?;
    }
    let (mut words, mut bytes) = (0usize, 0usize);
    for i in 0..n {
        let module = module(args.seed, i, &heads, &sections, args.code);
        words += module.words;
        bytes += module.text.len();
        write(&content.join(&module.source), &module.text)?;
    }
    let module_ids: Vec<String> = heads.iter().map(|h| h.slug.clone()).collect();
    let mut partner_bytes = 0usize;
    for i in 0..args.partners {
        let (id, text) = partner_file(args.seed, i, &module_ids);
        partner_bytes += text.len();
        write(&content.join("partners").join(format!("{id}.yaml")), &text)?;
    }
    Ok(format!(
        "{{\"modules\": {n}, \"partners\": {}, \"sections\": {}, \"seed\": {}, \"code_blocks\": {}, \"avg_words_per_page\": {:.1}, \"content_bytes\": {bytes}, \"partner_bytes\": {partner_bytes}}}",
        args.partners,
        sections.len(),
        args.seed,
        args.code,
        words as f64 / n as f64
    ))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match generate(&args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
