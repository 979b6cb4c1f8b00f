/* Live pages from /api/events (Server-Sent Events): new headlines at the top of the front
   page's latest list, and a "3 new reports" notice on a story page (reports from outlets the
   story did not have: the `story` events). Without JavaScript, or
   without EventSource, the pages stay exactly as the server rendered them. Text from events
   is only ever set with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var latest = document.querySelector("[data-live-latest]");
  var story = document.querySelector("[data-live-story]");
  if (!("EventSource" in window) || (!latest && !story)) {
    return;
  }

  function grouped(n, symbol) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, symbol);
  }

  /* One row as the server's latest_list macro renders it (_lists.html). */
  function latestRow(item, section) {
    var li = document.createElement("li");
    li.className = "latest-item live-new";
    var link = document.createElement("a");
    link.className = "latest-title";
    link.href = "/articles/" + encodeURIComponent(item.id);
    link.textContent = item.title;
    var meta = document.createElement("div");
    meta.className = "latest-meta";
    var views = document.createElement("span");
    views.className = "views";
    views.title = section.dataset.viewsLabel;
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = section.dataset.viewsLabel + ": ";
    views.appendChild(hidden);
    views.appendChild(document.createTextNode(grouped(item.views || 0, section.dataset.group || ",")));
    var time = document.createElement("time");
    if (item.published_at) {
      time.setAttribute("datetime", item.published_at);
    }
    time.textContent = item.time_label;
    meta.appendChild(views);
    meta.appendChild(time);
    li.appendChild(link);
    li.appendChild(meta);
    return li;
  }

  function addToLatest(section, item) {
    var list = section.querySelector("ol");
    var href = "/articles/" + encodeURIComponent(item.id);
    if (!list || list.querySelector('a[href="' + href + '"]')) {
      return;
    }
    var limit = Number(section.dataset.limit) || 20;
    var empty = list.querySelector(".empty");
    if (empty) {
      list.removeChild(empty);
    }
    /* newest first, as the server orders them (ISO times in UTC compare as strings) */
    var rows = list.querySelectorAll(".latest-item");
    var before = null;
    for (var i = 0; i < rows.length; i++) {
      var when = rows[i].querySelector("time");
      var stamp = when ? when.getAttribute("datetime") || "" : "";
      if (!item.published_at || stamp <= item.published_at) {
        before = rows[i];
        break;
      }
    }
    if (!before && rows.length >= limit) {
      return; /* older than everything shown */
    }
    list.insertBefore(latestRow(item, section), before);
    rows = list.querySelectorAll(".latest-item");
    for (var j = rows.length - 1; j >= limit; j--) {
      list.removeChild(rows[j]);
    }
  }

  function storyNotice(page) {
    var notice = document.createElement("p");
    notice.className = "live-notice";
    notice.setAttribute("role", "status");
    notice.setAttribute("aria-live", "polite");
    var heading = page.querySelector("h1");
    page.insertBefore(notice, heading ? heading.nextSibling : page.firstChild);
    var seen = {};
    var count = 0;
    return function (storyId, articleId) {
      if (String(storyId) !== page.dataset.liveStory || seen[articleId]) {
        return;
      }
      seen[articleId] = true;
      count += 1;
      var words = count === 1 ? page.dataset.liveOne
                              : page.dataset.liveMany.replace("{n}", String(count));
      notice.textContent = words + " ";
      var reload = document.createElement("a");
      reload.href = window.location.pathname;
      reload.textContent = page.dataset.liveReload;
      notice.appendChild(reload);
    };
  }

  var noteReport = story ? storyNotice(story) : null;
  var events = new EventSource("/api/events");
  /* "open": listening (the server subscribed before answering, so nothing stored from
     now on is missed); "closed" between reconnects */
  events.addEventListener("open", function () {
    document.documentElement.setAttribute("data-live", "open");
  });
  events.addEventListener("error", function () {
    document.documentElement.setAttribute("data-live", "closed");
  });
  events.addEventListener("article", function (message) {
    var item = JSON.parse(message.data);
    if (latest) {
      addToLatest(latest, item);
    }
  });
  events.addEventListener("story", function (message) {
    var gained = JSON.parse(message.data);
    if (noteReport) {
      noteReport(gained.id, gained.article_id);
    }
  });
  window.addEventListener("pagehide", function () {
    events.close();
  });
})();
