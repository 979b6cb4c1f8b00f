/* tidings reader: keyboard shortcuts and in-place state changes. The pages work without it:
   every action here posts the same form a button would, with the form's own CSRF token. */
(function () {
  "use strict";
  var body = document.body;
  var entries = Array.prototype.slice.call(document.querySelectorAll(".entry"));
  var help = document.getElementById("shortcuts");
  var status = document.getElementById("reader-status");
  var current = -1;
  var pendingG = false;
  var lastFocus = null;

  function say(text) { if (status) { status.textContent = text; } }

  function select(index) {
    if (!entries.length) { return; }
    index = Math.max(0, Math.min(entries.length - 1, index));
    if (current >= 0 && entries[current]) { entries[current].classList.remove("is-current"); }
    current = index;
    var entry = entries[current];
    entry.classList.add("is-current");
    var link = entry.querySelector(".entry-link");
    if (link) { link.focus({ preventScroll: true }); }
    entry.scrollIntoView({ block: "nearest" });
  }

  function currentEntry() {
    if (current < 0 && entries.length === 1) { select(0); }
    return current >= 0 ? entries[current] : null;
  }

  function stateForm(entry, kind) {
    return entry ? entry.querySelector('form.js-state[data-kind="' + kind + '"]') : null;
  }

  /* unread counts in the sidebar and the title follow a change made here */
  function bump(entry, delta) {
    var source = entry.getAttribute("data-source");
    var link = source && document.querySelector('.reader-side a[href="/reader?source=' + source + '"]');
    var counters = [document.querySelector('a[data-view="u"] .count')];
    if (link) {
      counters.push(link.querySelector(".count"));
      var folder = link.closest(".folder");
      if (folder) { counters.push(folder.querySelector(":scope > a .count")); }
    }
    counters.forEach(function (counter) {
      if (!counter) { return; }
      var n = Math.max(0, parseInt(counter.textContent.replace(/\D/g, ""), 10) + delta);
      counter.textContent = n.toLocaleString(document.documentElement.lang);
    });
    document.title = document.title.replace(/\((\d+)\)/, function (all, n) {
      return "(" + Math.max(0, parseInt(n, 10) + delta) + ")";
    });
  }

  /* apply the server's answer to the entry and flip the form to the opposite action */
  function apply(entry, kind, on) {
    var form = stateForm(entry, kind);
    if (kind === "read" && entry.classList.contains("is-read") !== on) { bump(entry, on ? -1 : 1); }
    entry.classList.toggle(kind === "read" ? "is-read" : "is-starred", on);
    if (!form) { return; }
    var op = form.querySelector('input[name="op"]');
    var button = form.querySelector("button");
    op.value = kind === "read" ? (on ? "unread" : "read") : (on ? "unstar" : "star");
    var label = on ? button.getAttribute("data-label-on") : button.getAttribute("data-label-off");
    var hidden = button.querySelector(".visually-hidden");
    button.textContent = label;
    if (hidden) { button.appendChild(hidden); }
    if (kind === "starred") { button.setAttribute("aria-pressed", on ? "true" : "false"); }
    say(label);
  }

  function post(form) {
    var entry = form.closest(".entry");
    var kind = form.getAttribute("data-kind");
    return fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) {
      if (entry) { apply(entry, kind, kind === "read" ? answer.read : answer.starred); }
    }).catch(function () { form.submit(); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.classList.contains("js-state")) {
      event.preventDefault();
      post(form);
    }
  });

  function toggle(kind) {
    var form = stateForm(currentEntry(), kind);
    if (form) { post(form); }
  }

  function open() {
    var entry = currentEntry();
    var link = entry && entry.querySelector(".entry-link");
    if (link) { window.location.href = link.href; }
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) { window.location.href = link.href; }
  }

  function showHelp(show) {
    if (!help) { return; }
    if (show) {
      lastFocus = document.activeElement;
      help.hidden = false;
      help.querySelector("button").focus();
    } else {
      help.hidden = true;
      if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
    }
  }
  if (help) {
    help.querySelector(".js-close-help").addEventListener("click", function () { showHelp(false); });
    help.addEventListener("click", function (event) { if (event.target === help) { showHelp(false); } });
  }

  var onList = entries.length > 1 || document.querySelector(".reader-list") !== null;

  function step(delta) {
    if (onList) { select(current < 0 ? 0 : current + delta); }
    else { follow(delta > 0 ? 'a[rel="next"]' : 'a[rel="prev"]'); }
  }

  function goTo(key) {
    var view = { u: "u", s: "s", a: "a" }[key];
    if (view) { follow('a[data-view="' + view + '"]'); }
  }

  var keys = {
    "j": function () { step(1); },
    "k": function () { step(-1); },
    "o": open,
    "m": function () { toggle("read"); },
    "s": function () { toggle("starred"); },
    "A": function () {
      var form = document.getElementById("mark-all");
      if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
    },
    "?": function () { showHelp(help && help.hidden); }
  };

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    if (help && !help.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); showHelp(false); }
      return;
    }
    if (pendingG) {
      pendingG = false;
      goTo(event.key);
      event.preventDefault();
      return;
    }
    if (event.key === "g") { pendingG = true; event.preventDefault(); return; }
    if (event.key === "Enter" && target && target.tagName === "BUTTON") { return; }
    if (event.key === "Enter" && onList && current >= 0) { event.preventDefault(); open(); return; }
    var action = keys[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  /* mark read on scroll: an unread entry that has scrolled up past the top is read */
  if (body.getAttribute("data-mark-read-on") === "scroll" && "IntersectionObserver" in window) {
    var watcher = new IntersectionObserver(function (seen) {
      seen.forEach(function (item) {
        var entry = item.target;
        if (!item.isIntersecting && item.boundingClientRect.bottom < 0 && !entry.classList.contains("is-read")) {
          var form = stateForm(entry, "read");
          if (form && form.querySelector('input[name="op"]').value === "read") { post(form); }
          watcher.unobserve(entry);
        }
      });
    });
    entries.forEach(function (entry) {
      if (!entry.classList.contains("is-read") && !entry.hasAttribute("data-current")) { watcher.observe(entry); }
    });
  }
})();
