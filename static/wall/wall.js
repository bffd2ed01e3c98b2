// The wall's own few lines, beside live.js (connection state, version guard, highlights):
// how old the figures are, the stale state, new feed rows, the clock, panel rotation.
(function () {
  "use strict";

  var body = document.body;
  var STALE_AFTER_MS = Number(body.dataset.staleAfter || 30) * 1000;
  var ROTATE_MS = Number(body.dataset.rotate || 0) * 1000;
  var PANELS = (body.dataset.panels || "").split(" ").filter(Boolean);
  var REFUSED = {4401: "Signed out", 4403: "This wall link is no longer valid"};
  var lastHeard = Date.now();
  var refused = null;
  var feedIds = null;

  // A TV is left alone for days: after a restart, come back within seconds, not the
  // ws extension's default of up to a minute (full jitter, capped at 8 s).
  htmx.config.wsReconnectDelay = function (retries) {
    return Math.random() * Math.min(8000, 500 * Math.pow(2, retries));
  };

  function seconds(ms) {
    var s = Math.floor(ms / 1000);
    return s < 90 ? s + " s" : Math.floor(s / 60) + " min";
  }

  function tick() {
    var age = Date.now() - lastHeard;
    document.getElementById("wall-age").textContent = age < 2000 ? "just now" : seconds(age) + " ago";
    var stale = refused !== null || age > STALE_AFTER_MS;
    if (stale !== (body.dataset.stale === "true")) {
      body.dataset.stale = stale ? "true" : "false";
      document.getElementById("wall-stale").hidden = !stale;
    }
    if (stale) {
      document.getElementById("wall-stale-reason").textContent = refused || "No update";
      document.getElementById("wall-stale-age").textContent = seconds(age);
    }
    var now = new Date();
    document.getElementById("wall-clock").textContent =
      now.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
  }

  function rowIds() {
    return new Set(Array.from(document.querySelectorAll("#wall-feed [data-id]"), function (row) {
      return row.dataset.id;
    }));
  }

  document.addEventListener("htmx:wsBeforeMessage", function () { feedIds = rowIds(); });
  document.addEventListener("htmx:wsAfterMessage", function () {
    lastHeard = Date.now();  // a frame or a heartbeat: the server is there and current
    if (feedIds && feedIds.size) {
      document.querySelectorAll("#wall-feed [data-id]").forEach(function (row) {
        if (!feedIds.has(row.dataset.id)) row.classList.add("new");
      });
    }
    feedIds = null;
    tick();
  });
  document.addEventListener("htmx:wsOpen", function () { refused = null; });
  document.addEventListener("htmx:wsClose", function (evt) {
    var code = evt.detail.event.code;
    if (REFUSED[code]) refused = REFUSED[code];
  });

  // Rotation: one panel at a time, in the order of the link's panels (for small screens).
  if (ROTATE_MS > 0 && PANELS.length > 1) {
    var index = 0;
    body.dataset.current = PANELS[0];
    setInterval(function () {
      index = (index + 1) % PANELS.length;
      body.dataset.current = PANELS[index];
    }, ROTATE_MS);
  }

  tick();
  setInterval(tick, 1000);
})();
