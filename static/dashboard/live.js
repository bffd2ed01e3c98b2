// The few lines of the project's own JavaScript: connection state, version guard,
// change highlights and screen-reader announcements around htmx's ws extension.
(function () {
  "use strict";

  // htmx's ws extension reconnects by itself after abnormal closes (1006, 1011-1013).
  // After a clean close (a server restart sends 1001) we reconnect too; 4xxx means the
  // server refused us, and retrying would not help.
  var RETRY_CLEAN_CLOSE_MS = 1000;
  var REFUSED = {4401: "Signed out: reload the page to sign in again", 4403: "Access revoked"};
  var OFFLINE_AFTER_FAILURES = 3;
  var everOpened = false;
  var failures = 0;

  function setStatus(state, text) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.dataset.state = state;
    status.querySelector(".live-status-text").textContent = text;
    document.body.dataset.live = state;
  }

  function currentVersion() {
    var marker = document.getElementById("live-version");
    return marker ? Number(marker.dataset.version) : 0;
  }

  function frameVersion(html) {
    var match = /id="live-version" data-version="(\d+)"/.exec(html);
    return match ? Number(match[1]) : null;
  }

  function figures() {
    var values = {};
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      values[el.dataset.figure] = {label: el.dataset.label, text: el.textContent.trim()};
    });
    return values;
  }

  function rowIds() {
    return new Set(Array.from(document.querySelectorAll("#recent tr[data-id]"), function (row) {
      return row.dataset.id;
    }));
  }

  var before = null;

  document.addEventListener("htmx:wsConnecting", function () {
    if (failures < OFFLINE_AFTER_FAILURES) {
      setStatus("connecting", everOpened ? "Reconnecting…" : "Connecting…");
    }
  });
  document.addEventListener("htmx:wsOpen", function () {
    everOpened = true;
    failures = 0;
    setStatus("live", "Live");
  });
  document.addEventListener("htmx:wsClose", function (evt) {
    var code = evt.detail.event.code;
    if (code >= 4000 && code < 5000) {
      setStatus("offline", "Offline: " + (REFUSED[code] || "refused by the server"));
      return;
    }
    failures += 1;
    if (failures >= OFFLINE_AFTER_FAILURES) {
      setStatus("offline", "Offline: retrying…");
    } else {
      setStatus("connecting", "Reconnecting…");
    }
    if ([1006, 1011, 1012, 1013].indexOf(code) < 0) {
      var wrapper = evt.detail.socketWrapper;
      setTimeout(function () { wrapper.reconnect(); }, RETRY_CLEAN_CLOSE_MS);
    }
  });
  window.addEventListener("offline", function () { setStatus("offline", "Offline: no network"); });

  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    var incoming = frameVersion(evt.detail.message);
    // Never backwards: a state older than the one on screen is dropped.
    if (incoming !== null && incoming < currentVersion()) {
      evt.preventDefault();
      return;
    }
    before = {figures: figures(), rows: rowIds()};
  });

  document.addEventListener("htmx:wsAfterMessage", function () {
    if (!before) return;
    var after = figures();
    var changed = [];
    Object.keys(after).forEach(function (key) {
      var old = before.figures[key];
      if (old && old.text !== after[key].text) {
        changed.push(after[key].label + " " + after[key].text);
        var el = document.querySelector('[data-figure="' + key + '"]');
        el.classList.remove("changed");
        void el.offsetWidth;  // restart the highlight animation
        el.classList.add("changed");
      }
    });
    document.querySelectorAll("#recent tr[data-id]").forEach(function (row) {
      if (!before.rows.has(row.dataset.id)) row.classList.add("new");
    });
    before = null;
    if (changed.length) {
      // One polite summary per update, not one announcement per figure.
      document.getElementById("live-announcer").textContent = "Updated: " + changed.join(", ") + ".";
    }
  });
})();
