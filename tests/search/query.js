// Runs the search the default theme ships (themes/default/static/search.js)
// against a built site's index, as a browser would, reading the index files
// from disk instead of fetching them:
//
//   node tests/search/query.js <output>/search '<query>' '{"level":["Builder"]}' [shown]
//
// `shown` limits how many results it reads, as the search page does (20
// at first); without it, all.
// Prints JSON: the results as the search page shows them (URL, title,
// section, excerpt HTML) and the index files the query read, with their
// sizes, so tests check what a reader finds and benchmarks what a query
// downloads.
"use strict";

const fs = require("fs");
const path = require("path");
const search = require("../../themes/default/static/search.js");

async function main() {
  const [index, query, filters, shown] = process.argv.slice(2);
  const read = [];
  const load = async (file) => {
    const at = path.join(index, file);
    if (!fs.existsSync(at)) return null;
    const bytes = fs.readFileSync(at);
    read.push({ file, bytes: bytes.length });
    return JSON.parse(bytes.toString("utf8"));
  };
  const found = await search.search(load, query || "", JSON.parse(filters || "{}"));
  const results = [];
  for (const hit of found.slice(0, shown ? Number(shown) : found.length)) {
    const page = await load("r/" + hit.page + ".json");
    results.push({
      url: page.u,
      title: page.t,
      section: page.s,
      excerpt: search.excerpt(page.x, hit.words),
    });
  }
  process.stdout.write(JSON.stringify({ found: found.length, results, read }, null, 1) + "\n");
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
