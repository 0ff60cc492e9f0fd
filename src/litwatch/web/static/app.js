/* litwatch web: keyboard screening and live job progress. No inline script anywhere (the CSP
   forbids it); everything from records is inserted with textContent, never as HTML. */
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // Keys i/e/u/s/n as in `litwatch screen`: a button or link with data-key="x" is pressed.
  function screeningKeys() {
    if (!document.body.classList.contains("screening")) return;
    var sent = false;
    document.addEventListener("submit", function (ev) {
      if (sent) { ev.preventDefault(); return; }  // one decision per key press, even if it repeats
      sent = true;
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (typing(ev.target)) {
        if (ev.key === "Escape") ev.target.blur();
        return;
      }
      var key = (ev.key || "").toLowerCase();
      var focus = document.querySelector('[data-focus-key="' + key + '"]');
      if (focus) { ev.preventDefault(); focus.focus(); return; }
      var target = document.querySelector('[data-key="' + key + '"]');
      if (!target) return;
      ev.preventDefault();
      if (target.tagName === "A") { window.location.assign(target.getAttribute("href")); }
      else { target.click(); }
    });
  }

  // A job page polls its JSON twin until the job is done.
  function jobProgress() {
    var box = document.getElementById("job");
    if (!box || box.getAttribute("data-done") === "yes") return;
    var url = box.getAttribute("data-poll");
    function text(id, value) { var el = document.getElementById(id); if (el) el.textContent = value || ""; }
    function describe(e) {
      var s = (e.job || "") + " · " + (e.stage || "");
      if (e.total) s += " " + e.done + "/" + e.total;
      if (e.message) s += " · " + e.message;
      return s;
    }
    function update(job) {
      text("job-status", job.status);
      var status = document.getElementById("job-status");
      if (status) status.className = "s-" + job.status;
      var bar = document.getElementById("job-progress");
      if (bar && job.last && job.last.total) { bar.max = job.last.total; bar.value = job.last.done; }
      if (bar && job.done) { bar.max = 1; bar.value = 1; }
      text("job-stage", job.last ? describe(job.last) : "");
      text("job-error", job.error);
      var list = document.getElementById("job-events");
      if (list) {
        while (list.firstChild) list.removeChild(list.firstChild);
        (job.events || []).forEach(function (e) {
          var li = document.createElement("li");
          li.textContent = describe(e);
          list.appendChild(li);
        });
      }
      var link = document.getElementById("job-link");
      if (link && job.link && job.link.charAt(0) === "/" && job.link.charAt(1) !== "/" && !link.firstChild) {
        var a = document.createElement("a");
        a.href = job.link;
        a.id = "job-result";
        a.textContent = "Open the result";
        link.appendChild(a);
      }
    }
    var timer = setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          var job = data && data.job;
          if (!job) return;
          update(job);
          if (job.done) { clearInterval(timer); box.setAttribute("data-done", "yes"); }
        })
        .catch(function () { /* the next tick tries again */ });
    }, 700);
  }

  document.addEventListener("DOMContentLoaded", function () {
    screeningKeys();
    jobProgress();
  });
})();
