// What the browser tests share: playwright-core and Chromium from the shared
// site validators' install, a static server for a built portal on
// 127.0.0.1, and checks that print as they go and are counted at the end.
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");

const home = process.env.VALIDATORS_HOME || path.join(process.env.HOME || "", ".cache/site-validators");
const { chromium } = require(path.join(home, "node_modules/playwright-core"));

const TYPES = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml" };

// Serves the built site at `root` on a free loopback port; a path that
// leaves `root` gets its 404 page.
function serve(root) {
  const server = http.createServer((request, response) => {
    let file = path.join(root, decodeURIComponent(new URL(request.url, "http://x").pathname));
    if (!file.startsWith(root)) file = path.join(root, "404.html");
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
    response.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function launch() {
  return chromium.launch({ executablePath: process.env.CHROME_PATH || "/usr/bin/chromium", args: ["--no-sandbox"] });
}

const failures = [];
function check(condition, what) {
  if (!condition) failures.push(what);
  console.log((condition ? "ok   " : "FAIL ") + what);
}

module.exports = { home, serve, launch, check, failures };
