// The executive summary and scorecards in a real browser (headless Chromium
// through playwright-core), on a built portal served from 127.0.0.1:
//
//   node tests/browser/exec.js <built site>
//
// Checks what a reader sees first and what a printed handout holds: the ROI
// figure inside the first screen at 1366×900 and at 390×844, no page wider
// than a 390 px phone, the menu folded on a phone without script, and how
// many A4 pages the summary and every scorecard print on, each chart's
// numbers printed. Exits non-zero,
// naming each failure; prints every measure it takes.
"use strict";

const fs = require("fs");
const path = require("path");

const { serve, launch, check, failures } = require("./common");

// Page budgets of a printed handout, A4: the most pages the summary and any
// scorecard of the demo print on.
const PRINT_PAGES = { "/reports/executive/": 2, "/partners/": 3 };

// Pages of a PDF: its page objects, not the page tree's `/Pages`.
function pdfPages(pdf) {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
}

// One page of each type: the first link found under each listing.
function pageTypes(root) {
  const first = (folder) => {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) return null;
    const sub = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, "index.html")) && !d.startsWith("by-")).sort();
    return sub.length ? "/" + folder + "/" + sub[0] + "/" : null;
  };
  return ["/", "/modules/", first("modules"), "/tracks/", first("tracks"), "/partners/", first("partners"),
    "/reports/executive/", "/skills/", first("skills"), "/workflows/", first("workflows"), "/levels/",
    "/guides/", first("guides"), "/search/?q=partner", "/404.html"].filter(Boolean);
}

async function main() {
  const root = path.resolve(process.argv[2] || "public");
  const server = await serve(root);
  const base = "http://127.0.0.1:" + server.address().port;
  const browser = await launch();
  const errors = [];
  const scorecard = pageTypes(root).find((p) => /^\/partners\/[^/]+\/$/.test(p));
  check(Boolean(scorecard), `a scorecard to look at (${scorecard})`);
  const reports = ["/reports/executive/", scorecard].filter(Boolean);

  for (const [width, height] of [[1366, 900], [390, 844]]) {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    for (const url of reports) {
      await page.goto(base + url);
      const box = await page.$eval("[data-verdict=roi] .verdict-value", (e) => {
        const r = e.getBoundingClientRect();
        return { top: Math.round(r.top), bottom: Math.round(r.bottom), text: e.textContent.trim() };
      }).catch(() => null);
      check(box !== null && box.top >= 0 && box.bottom <= height,
        `${width}×${height} ${url}: the ROI figure is inside the first screen` +
        (box ? ` ("${box.text}" at y ${box.top}–${box.bottom})` : " (not found)"));
    }
    if (width === 390) {
      for (const url of pageTypes(root)) {
        await page.goto(base + url);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, `390 px ${url}: no sideways scrolling of the page (${overflow} px over)`);
      }
      await page.goto(base + "/");
      const folded = await page.$eval(".main-nav", (n) => getComputedStyle(n).display === "none");
      check(folded, "390 px: the menu is folded behind its button");
      await page.click(".menu-button");
      const open = await page.$eval(".main-nav", (n) => getComputedStyle(n).display !== "none");
      check(open, "390 px: the Menu button opens it");
    }
    await context.close();
  }

  const print = await browser.newPage();
  const scorecards = fs.readdirSync(path.join(root, "partners"))
    .filter((d) => !d.startsWith("by-") && fs.existsSync(path.join(root, "partners", d, "index.html")))
    .sort()
    .map((d) => "/partners/" + d + "/");
  for (const url of ["/reports/executive/", ...scorecards]) {
    await print.goto(base + url);
    await print.emulateMedia({ media: "print" });
    const pdf = await print.pdf({ format: "A4" });
    const pages = pdfPages(pdf);
    const budget = url.startsWith("/reports/") ? PRINT_PAGES["/reports/executive/"] : PRINT_PAGES["/partners/"];
    const numbers = await print.$$eval("details.chart-numbers table", (ts) => ts.filter((t) => t.getClientRects().length > 0).length);
    const charts = await print.$$eval("figure.chart", (fs) => fs.filter((f) => f.getClientRects().length > 0).length);
    check(numbers === charts, `print ${url}: every chart's numbers are shown (${numbers} of ${charts})`);
    check(pages <= budget, `print ${url}: ${pages} A4 page(s), at most ${budget}`);
    await print.emulateMedia({ media: "screen" });
  }

  check(errors.length === 0, "no script errors" + (errors.length ? ": " + errors.join(" | ") : ""));
  await browser.close();
  server.close();
  if (failures.length > 0) {
    console.error(`${failures.length} check(s) of the executive pages failed`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
