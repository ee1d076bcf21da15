// The search page: finds pages in the index `proficio build` writes under
// /search/ (see docs/search.md), fetching only the files a query needs: the
// index's summary, one file of words per three-letter prefix of each word
// typed, the filters when one is chosen, and one small file per result shown.
// The core (`ProficioSearch`) runs in browsers and in Node, where the tests
// run it against a built site.
var ProficioSearch = (function () {
  "use strict";

  var LONGEST_WORD = 40;

  // Runs of letters and digits, lower-cased, as the index holds them.
  function terms(text) {
    return (String(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).filter(function (w) {
      return Array.from(w).length <= LONGEST_WORD;
    });
  }

  // A light English stemmer, applied to the typed word and to the index's
  // words alike, so that "running", "runs" and "run" find each other. It
  // never shortens a word below three letters, so a word and its stem share
  // their file of words.
  function stem(word) {
    var s = word;
    if (s.length <= 3) return s;
    if (/ies$|ied$/.test(s) && s.length > 4) s = s.slice(0, -3) + "y";
    else if (/sses$/.test(s)) s = s.slice(0, -2);
    else if (/[^sui]s$/.test(s)) s = s.slice(0, -1);
    var suffix = /(ing|ed)$/.exec(s);
    if (suffix) {
      var base = s.slice(0, -suffix[1].length);
      if (base.length >= 3 && /[aeiouy]/.test(base)) {
        s = base;
        if (/([^aeiouylsz])\1$/.test(s)) s = s.slice(0, -1);
      }
    }
    if (s.length > 3 && /e$/.test(s)) s = s.slice(0, -1);
    return s;
  }

  // The file of words `word` is in: its first three characters, as they are
  // when ASCII letters or digits, else the hex of their UTF-8 bytes after "x".
  function shardOf(word) {
    var prefix = Array.from(word).slice(0, 3).join("");
    if (/^[a-z0-9]+$/.test(prefix)) return prefix;
    var hex = "";
    new TextEncoder().encode(prefix).forEach(function (b) {
      hex += (b < 16 ? "0" : "") + b.toString(16);
    });
    return "x" + hex;
  }

  // Pages matching every word of `query` and every chosen filter, best
  // first: [{page, score, words}]. `load(path)` resolves to the parsed JSON
  // of the index file at `path` (relative to the index), or null.
  async function search(load, query, chosen) {
    var meta = await load("meta.json");
    if (!meta) return [];
    var allowed = await allowedPages(load, chosen || {});
    var typed = terms(query);
    if (typed.length === 0) {
      if (!allowed) return [];
      return Array.from(allowed).sort(function (a, b) { return a - b; }).map(function (page) {
        return { page: page, score: 0, words: [] };
      });
    }
    var shards = new Set(meta.shards);
    var totals = null;
    var found = new Map();
    for (var i = 0; i < typed.length; i++) {
      var q = typed[i];
      var key = shardOf(q);
      var shard = shards.has(key) ? await load("w/" + key + ".json") : null;
      var scores = matchWord(shard || {}, q, meta.pages, found);
      if (totals === null) {
        totals = scores;
      } else {
        var next = new Map();
        scores.forEach(function (score, page) {
          if (totals.has(page)) next.set(page, totals.get(page) + score);
        });
        totals = next;
      }
    }
    var results = [];
    totals.forEach(function (score, page) {
      if (!allowed || allowed.has(page)) {
        results.push({ page: page, score: score, words: found.get(page) || [] });
      }
    });
    results.sort(function (a, b) { return b.score - a.score || a.page - b.page; });
    return results;
  }

  // Scores by page for one typed word: its own form, words it begins
  // (a word being typed) and words of the same stem. How rare the word is
  // counts the pages of all its forms, so a rarer form (a plural) never
  // outweighs the word as typed.
  function matchWord(shard, q, pages, found) {
    var root = stem(q);
    var forms = Object.keys(shard).filter(function (word) {
      return word === q || word.indexOf(q) === 0 || stem(word) === root;
    });
    var matched = new Set();
    forms.forEach(function (word) {
      for (var i = 0; i < shard[word].length; i += 2) matched.add(shard[word][i]);
    });
    var rarity = Math.log(1 + pages / Math.max(matched.size, 1));
    var scores = new Map();
    forms.forEach(function (word) {
      var list = shard[word];
      var weight = word === q ? 1 : 0.7;
      for (var i = 0; i < list.length; i += 2) {
        var page = list[i];
        // The index stores each page's weight for the word times 100.
        var score = weight * rarity * list[i + 1] / 100;
        if (score > (scores.get(page) || 0)) scores.set(page, score);
        if (!found.has(page)) found.set(page, []);
        found.get(page).push(word);
      }
    });
    return scores;
  }

  // The pages every chosen filter allows (any chosen value of a filter, all
  // filters), or null when none is chosen.
  async function allowedPages(load, chosen) {
    var names = Object.keys(chosen).filter(function (n) { return chosen[n].length > 0; });
    if (names.length === 0) return null;
    var filters = (await load("filters.json")) || {};
    var allowed = null;
    names.forEach(function (name) {
      var pages = new Set();
      chosen[name].forEach(function (value) {
        ((filters[name] || {})[value] || []).forEach(function (p) { pages.add(p); });
      });
      allowed = allowed === null ? pages : new Set(Array.from(allowed).filter(function (p) { return pages.has(p); }));
    });
    return allowed;
  }

  // About 180 characters of `text` around the first of `words`, as HTML
  // with the words marked.
  function excerpt(text, words) {
    var lower = text.toLowerCase();
    var at = -1;
    words.forEach(function (w) {
      var i = lower.search(new RegExp("(^|[^\\p{L}\\p{N}])" + escapeRegExp(w), "u"));
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    var start = Math.max(0, at - 60);
    var end = Math.min(text.length, Math.max(at, 0) + 120);
    // Whole words only at both ends.
    var space = text.indexOf(" ", start);
    if (start > 0 && space >= 0 && space < at) start = space + 1;
    space = text.lastIndexOf(" ", end);
    if (end < text.length && space > Math.max(at, start)) end = space;
    var slice = text.slice(start, end);
    var html = escapeHtml(slice);
    if (words.length > 0) {
      // Marked in the text before escaping, so a word such as "amp" never
      // lands inside an entity.
      var pattern = new RegExp("(^|[^\\p{L}\\p{N}])((?:" + words.map(escapeRegExp).join("|") + ")[\\p{L}\\p{N}]*)", "giu");
      html = "";
      var last = 0;
      slice.replace(pattern, function (match, before, word, offset) {
        var from = offset + before.length;
        html += escapeHtml(slice.slice(last, from)) + "<mark>" + escapeHtml(word) + "</mark>";
        last = from + word.length;
        return match;
      });
      html += escapeHtml(slice.slice(last));
    }
    return (start > 0 ? "… " : "") + html + (end < text.length ? " …" : "");
  }

  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  return { terms: terms, stem: stem, shardOf: shardOf, search: search, excerpt: excerpt, escapeHtml: escapeHtml };
})();

if (typeof module !== "undefined" && module.exports) {
  module.exports = ProficioSearch;
} else {
  (function () {
    "use strict";
    var form = document.querySelector("[data-search-index]");
    if (!form) return;
    var base = form.getAttribute("data-search-index");
    var box = form.querySelector("input[name=q]");
    var filterArea = form.querySelector("[data-search-filters]");
    var status = document.querySelector("[data-search-status]");
    var list = document.querySelector("[data-search-results]");
    var more = document.querySelector("[data-search-more]");
    var PAGE = 20;
    var files = new Map();
    var shown = [];
    var run = 0;

    function load(path) {
      if (!files.has(path)) {
        files.set(path, fetch(base + path).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; }));
      }
      return files.get(path);
    }

    var NAMES = { level: "Level", track: "Track", skill: "Skill", workflow: "Workflow", tag: "Tag" };

    function chosen() {
      var picked = {};
      filterArea.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) {
        (picked[c.name] = picked[c.name] || []).push(c.value);
      });
      return picked;
    }

    // The filters, in the order of NAMES, in a panel that starts folded
    // unless the address chose one.
    function showFilters(meta, params) {
      var names = Object.keys(meta.filters || {}).sort(function (a, b) {
        var order = Object.keys(NAMES);
        return (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || (a < b ? -1 : 1);
      });
      if (names.length === 0) return;
      var sets = filterArea.querySelector(".search-filter-sets");
      names.forEach(function (name) {
        var set = document.createElement("fieldset");
        var legend = document.createElement("legend");
        legend.textContent = NAMES[name] || name;
        set.appendChild(legend);
        Object.keys(meta.filters[name]).forEach(function (value) {
          var label = document.createElement("label");
          var box = document.createElement("input");
          box.type = "checkbox";
          box.name = name;
          box.value = value;
          box.checked = params.getAll(name).indexOf(value) >= 0;
          box.addEventListener("change", update);
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + value + " "));
          var count = document.createElement("span");
          count.className = "search-count";
          count.textContent = "(" + meta.filters[name][value] + ")";
          label.appendChild(count);
          set.appendChild(label);
        });
        sets.appendChild(set);
      });
      filterArea.open = Object.keys(chosen()).length > 0;
      filterArea.hidden = false;
    }

    function remember(query, picked) {
      var params = new URLSearchParams();
      if (query) params.set("q", query);
      Object.keys(picked).forEach(function (name) {
        picked[name].forEach(function (v) { params.append(name, v); });
      });
      var url = location.pathname + (params.toString() ? "?" + params.toString() : "");
      history.replaceState(null, "", url);
    }

    async function update() {
      var mine = ++run;
      var query = box.value.trim();
      var picked = chosen();
      remember(query, picked);
      var count = Object.keys(picked).reduce(function (n, name) { return n + picked[name].length; }, 0);
      filterArea.querySelector("[data-search-chosen]").textContent = count ? "(" + count + " chosen)" : "";
      var meta = await load("meta.json");
      if (mine !== run) return;
      if (!meta) {
        status.textContent = "The search index could not be loaded.";
        return;
      }
      if (!query && Object.keys(picked).length === 0) {
        list.innerHTML = "";
        more.hidden = true;
        status.textContent = "Type a word to search " + meta.pages + " pages.";
        return;
      }
      var results = await ProficioSearch.search(load, query, picked);
      if (mine !== run) return;
      shown = results;
      list.innerHTML = "";
      var said = query ? " for “" + query + "”" : "";
      status.textContent = results.length === 0
        ? "No page matches" + said + ". Try fewer words, or fewer filters."
        : results.length + (results.length === 1 ? " page" : " pages") + said + ".";
      await showMore(mine);
    }

    async function showMore(mine) {
      var from = list.children.length;
      var batch = shown.slice(from, from + PAGE);
      var pages = await Promise.all(batch.map(function (r) { return load("r/" + r.page + ".json"); }));
      if (mine !== run) return;
      pages.forEach(function (page, i) {
        if (!page) return;
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = page.u;
        link.textContent = page.t || page.u;
        var section = document.createElement("span");
        section.className = "search-section";
        section.textContent = page.s;
        var heading = document.createElement("p");
        heading.className = "search-title";
        heading.appendChild(link);
        heading.appendChild(document.createTextNode(" "));
        heading.appendChild(section);
        var text = document.createElement("p");
        text.className = "search-excerpt";
        text.innerHTML = ProficioSearch.excerpt(page.x, batch[i].words);
        item.appendChild(heading);
        item.appendChild(text);
        list.appendChild(item);
      });
      more.hidden = list.children.length >= shown.length;
    }

    var params = new URLSearchParams(location.search);
    box.value = params.get("q") || "";
    load("meta.json").then(function (meta) {
      if (meta) showFilters(meta, params);
      update();
    });
    var timer = 0;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 150);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      update();
    });
    more.querySelector("button").addEventListener("click", function () { showMore(run); });
    if (!box.value) box.focus();
  })();
}
