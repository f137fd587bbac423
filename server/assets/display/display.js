// Lobby display: ticks the clock every second, re-marks the current item, and fetches today's
// agenda every minute (texts are set with textContent, never parsed as HTML).
"use strict";

(function () {
  const body = document.body;
  const source = body.dataset.source;
  const timeZone = body.dataset.timeZone || "Asia/Makassar";
  const zone = body.dataset.zone || "WITA";
  // "09.00" in Indonesian, "09:00" in English, as the server writes times.
  const english = document.documentElement.lang === "en";
  const clockFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone, hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function tick() {
    const now = Date.now() / 1000;
    document.getElementById("clock").textContent =
      (english ? clockFormat.format(new Date()) : clockFormat.format(new Date()).replace(":", ".")) +
      " " + zone;
    // Per column: hide what is over, except the last item when nothing runs now, so that the
    // running item and the next ones are always on screen however busy the day.
    for (const ol of document.querySelectorAll("ol.items")) {
      const items = Array.from(ol.querySelectorAll("li.item"));
      let over = 0;
      let running = false;
      for (const li of items) {
        const starts = Number(li.dataset.starts);
        const ends = Number(li.dataset.ends);
        li.classList.toggle("current", starts <= now && now < ends);
        li.classList.toggle("past", ends <= now);
        if (ends <= now && over === items.indexOf(li)) over += 1;
        if (starts <= now && now < ends) running = true;
      }
      const first = running || over === 0 ? over : over - 1;
      items.forEach((li, n) => li.classList.toggle("gone", n < first));
    }
  }

  function render(day) {
    document.getElementById("date").textContent = day.date;
    const columns = document.getElementById("columns");
    columns.dataset.count = String(day.leaders.length);
    columns.replaceChildren(...day.leaders.map((l) => {
      const section = el("section", "leader");
      const h2 = el("h2", "", l.title);
      if (l.name) h2.append(el("span", "name", l.name));
      section.append(h2);
      if (l.items.length === 0) {
        section.append(el("p", "empty", day.empty_label));
        return section;
      }
      const ol = el("ol", "items");
      for (const i of l.items) {
        const li = el("li", "item");
        li.dataset.starts = String(Date.parse(i.starts_at) / 1000);
        li.dataset.ends = String(Date.parse(i.ends_at) / 1000);
        li.append(el("div", "time", i.start + "–" + i.end));
        const what = el("div", "what");
        const title = el("div", "title", i.title);
        if (i.tentative) {
          li.classList.add("tentative");
          title.append(" ", el("span", "tag", day.tentative_label));
        }
        what.append(title, el("div", "place", i.location));
        if (i.note) what.append(el("div", "note", i.note));
        li.append(what);
        ol.append(li);
      }
      section.append(ol);
      return section;
    }));
    tick();
  }

  async function refresh() {
    try {
      const res = await fetch(source, { cache: "no-store" });
      if (res.ok) {
        render(await res.json());
        body.classList.remove("stale");
      } else {
        body.classList.add("stale");
      }
    } catch (_) {
      // The network is down: keep showing the last agenda, marked as stale.
      body.classList.add("stale");
    }
  }

  tick();
  setInterval(tick, 1000);
  setInterval(refresh, 60 * 1000);
})();
