// Progressive enhancement for readers: every page is complete without it.
// - a copy button on each code block (`.code-block`), announced in a live region;
// - the section being read marked in the table of contents (`.toc`);
// - task-list checkboxes tickable, remembered per browser and page;
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

  addCopyButtons();
  markCurrentSection();
  rememberTasks();
  searchShortcut();
})();
