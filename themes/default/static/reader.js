// Progressive enhancement for readers: every page is complete without it.
// - a copy button on each code block (`.code-block`), announced in a live region;
// - the section being read marked in the table of contents (`.toc`);
// - task-list checkboxes tickable, remembered per browser and page;
// - the module filters (`[data-module-filters]`) become toggles that filter
//   the cards in place, with counts that follow and the choice in the URL;
// - `/` moves to the header's search box (`#site-search-q`), as on most
//   documentation sites, unless the reader is typing somewhere.
(function () {
  "use strict";

  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);

  function announce(text) {
    // Cleared first so the same words are announced again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function addCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".code-block").forEach(function (block) {
      var pre = block.querySelector("pre");
      if (!pre) return;
      var head = block.querySelector(".code-head");
      if (!head) {
        head = document.createElement("div");
        head.className = "code-head";
        block.insertBefore(head, pre);
      }
      var label = block.querySelector(".code-label");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "code-copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", label ? "Copy " + label.textContent + " code" : "Copy code");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.textContent).then(function () {
          button.textContent = "Copied";
          announce("Copied");
          window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
        }, function () {
          announce("Copying failed");
        });
      });
      head.appendChild(button);
    });
  }

  function markCurrentSection() {
    var toc = document.querySelector(".toc");
    if (!toc || !("IntersectionObserver" in window)) return;
    var links = {};
    var headings = [];
    toc.querySelectorAll("a[href^='#']").forEach(function (link) {
      var id = decodeURIComponent(link.getAttribute("href").slice(1));
      var heading = document.getElementById(id);
      if (heading) {
        links[id] = link;
        headings.push(heading);
      }
    });
    if (!headings.length) return;
    function mark() {
      // The current section is the last heading above the reading line.
      var current = headings[0];
      headings.forEach(function (h) {
        if (h.getBoundingClientRect().top < window.innerHeight * 0.3) current = h;
      });
      Object.keys(links).forEach(function (id) {
        if (id === current.id) links[id].setAttribute("aria-current", "true");
        else links[id].removeAttribute("aria-current");
      });
    }
    // Fires whenever a heading crosses the reading line, 30 % down the view.
    var observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -70% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
    mark();
  }

  function rememberTasks() {
    var boxes = document.querySelectorAll(".prose li > input[type='checkbox']");
    if (!boxes.length) return;
    var key = "proficio:tasks:" + window.location.pathname;
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(key)); } catch (e) { saved = null; }
    function save() {
      var state = [];
      boxes.forEach(function (box) { state.push(box.checked); });
      try { window.localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode */ }
    }
    boxes.forEach(function (box, index) {
      var item = box.parentElement;
      box.disabled = false;
      box.setAttribute("aria-label", item.textContent.trim());
      if (Array.isArray(saved) && typeof saved[index] === "boolean") box.checked = saved[index];
      box.addEventListener("change", save);
    });
  }

  function searchShortcut() {
    var box = document.getElementById("site-search-q");
    if (!box) return;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
      if (typing) return;
      event.preventDefault();
      box.focus();
    });
  }

  function filterModules() {
    var panel = document.querySelector("[data-module-filters]");
    if (!panel) return;
    var cards = Array.from(document.querySelectorAll(".card-module"));
    var status = panel.querySelector("[data-filter-status]");
    var asked = new URLSearchParams(window.location.search);
    var toggles = Array.from(panel.querySelectorAll("a[data-filter]")).map(function (link) {
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "filter-toggle";
      toggle.dataset.filter = link.dataset.filter;
      toggle.dataset.value = link.dataset.value;
      var on = asked.getAll(link.dataset.filter).indexOf(link.dataset.value) >= 0;
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      while (link.firstChild) toggle.appendChild(link.firstChild);
      link.replaceWith(toggle);
      toggle.addEventListener("click", function () {
        var pressed = toggle.getAttribute("aria-pressed") === "true";
        toggle.setAttribute("aria-pressed", pressed ? "false" : "true");
        apply(true);
      });
      return toggle;
    });
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "filter-clear";
    clear.textContent = "Clear filters";
    clear.addEventListener("click", function () {
      toggles.forEach(function (t) { t.setAttribute("aria-pressed", "false"); });
      apply(true);
    });
    status.after(clear);

    function filedUnder(card, name) {
      return (card.getAttribute("data-" + name) || "").split(" ").filter(Boolean);
    }
    // A card shows when, for every filter with a value chosen (but `except`),
    // it is filed under one of the chosen values.
    function shows(card, chosen, except) {
      return Object.keys(chosen).every(function (name) {
        if (name === except) return true;
        return filedUnder(card, name).some(function (v) { return chosen[name].indexOf(v) >= 0; });
      });
    }
    function apply(remember) {
      var chosen = {};
      toggles.forEach(function (t) {
        if (t.getAttribute("aria-pressed") !== "true") return;
        (chosen[t.dataset.filter] = chosen[t.dataset.filter] || []).push(t.dataset.value);
      });
      var shown = 0;
      cards.forEach(function (card) {
        card.hidden = !shows(card, chosen, null);
        if (!card.hidden) shown += 1;
      });
      // Each count says how many cards choosing that value would show.
      toggles.forEach(function (t) {
        var count = cards.filter(function (card) {
          return shows(card, chosen, t.dataset.filter) &&
            filedUnder(card, t.dataset.filter).indexOf(t.dataset.value) >= 0;
        }).length;
        t.querySelector(".filter-count").textContent = count;
      });
      var any = Object.keys(chosen).length > 0;
      clear.hidden = !any;
      status.textContent = any ? "Showing " + shown + " of " + cards.length + " modules" : "";
      if (remember) {
        var params = new URLSearchParams();
        Object.keys(chosen).forEach(function (name) {
          chosen[name].forEach(function (v) { params.append(name, v); });
        });
        var query = params.toString();
        history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
      }
    }
    apply(false);
  }

  // Print the numbers folded under each chart: open the closed ones before
  // printing and close them again after (the stylesheet unfolds them too,
  // where the browser lets it).
  function unfoldChartNumbersForPrint() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details.chart-numbers:not([open])").forEach(function (d) {
        d.open = true;
        opened.push(d);
      });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    });
  }

  addCopyButtons();
  unfoldChartNumbersForPrint();
  markCurrentSection();
  rememberTasks();
  searchShortcut();
  filterModules();
})();
