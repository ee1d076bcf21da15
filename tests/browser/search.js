// Search and module filters in a real browser (headless Chromium through
// playwright-core), on a built portal served from 127.0.0.1:
//
//   node tests/browser/search.js <built site>
//
// Checks what a reader does: `/` moves to the header's box, a query opens
// the search page with results and excerpts, a filter narrows them, the
// module filters hide cards and say how many show, axe finds nothing on the
// page with results, and no script error occurs. Exits non-zero, naming
// each failure.
"use strict";

const fs = require("fs");
const path = require("path");

const { home, serve, launch, check, failures } = require("./common");
const axeSource = fs.readFileSync(path.join(home, "node_modules/axe-core/axe.min.js"), "utf8");

async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] });
    return result.violations.map((v) => v.id + " (" + v.nodes.length + ")");
  });
}

async function main() {
  const root = path.resolve(process.argv[2] || "public");
  const server = await serve(root);
  const base = "http://127.0.0.1:" + server.address().port;
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(base + "/modules/qbr-narrative/");
  await page.keyboard.press("/");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check(focused === "site-search-q", "`/` focuses the header's search box");
  await page.keyboard.type("partner onboarding");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\/\?q=partner\+onboarding/);
  await page.waitForSelector("[data-search-results] li");
  const results = await page.$$eval("[data-search-results] li", (items) => items.length);
  const first = await page.$eval("[data-search-results] li a", (a) => a.textContent);
  check(results > 0, `the query finds pages (${results} shown)`);
  check(/onboarding/i.test(first), `the best result is about onboarding ("${first}")`);
  const marked = await page.$$eval("[data-search-results] mark", (marks) => marks.length);
  check(marked > 0, "excerpts mark the words found");
  const status = await page.textContent("[data-search-status]");
  check(/pages? for “partner onboarding”/.test(status), `the status says how many ("${status.trim()}")`);

  const axe = await axeViolations(page);
  check(axe.length === 0, "axe finds nothing on the search results" + (axe.length ? ": " + axe.join(", ") : ""));

  await page.click(".search-filters summary");
  const before = await page.$$eval("[data-search-results] li", (items) => items.length);
  await page.check("input[name=level][value=Practitioner]");
  await page.waitForFunction(() => /Practitioner/.test(window.location.search));
  await page.waitForTimeout(300);
  const after = await page.$$eval("[data-search-results] li", (items) => items.length);
  check(after > 0 && after < before, `a level filter narrows the results (${before} → ${after})`);

  await page.goto(base + "/modules/");
  const cards = await page.$$eval(".card-module", (all) => all.length);
  const toggle = await page.$("button.filter-toggle[data-filter=level]");
  check(toggle !== null, "the module filters become toggles");
  if (toggle) {
    const count = Number(await toggle.$eval(".filter-count", (c) => c.textContent));
    await toggle.click();
    const shown = await page.$$eval(".card-module", (all) => all.filter((c) => !c.hidden).length);
    check(shown === count && shown < cards, `a level shows its ${count} of ${cards} cards (${shown} shown)`);
    check(/[?&]level=/.test(page.url()), "the choice is kept in the address");
    const said = await page.textContent("[data-filter-status]");
    check(said.includes(`Showing ${count} of ${cards} modules`), `the status says so ("${said}")`);
    const axe = await axeViolations(page);
    check(axe.length === 0, "axe finds nothing on the filtered modules" + (axe.length ? ": " + axe.join(", ") : ""));
  }
  check(errors.length === 0, "no script errors" + (errors.length ? ": " + errors.join(" | ") : ""));

  await browser.close();
  server.close();
  if (failures.length > 0) {
    console.error(`${failures.length} search check(s) failed`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
