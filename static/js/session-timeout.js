// Warns a minute before the server's idle sign-out and offers "Stay signed in".
// The server enforces the timeout (portal/middleware.py); this only keeps people informed.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) {
    return;
  }
  var idleSeconds = parseInt(box.dataset.idleSeconds, 10);
  var warnSeconds = parseInt(box.dataset.warnSeconds, 10);
  var graceSeconds = parseInt(box.dataset.graceSeconds, 10);
  var countdown = box.querySelector("[data-countdown]");
  var live = document.getElementById("session-warning-live");
  var deadline = 0;
  var warnTimer = null;
  var tickTimer = null;
  var reloadTimer = null;

  function secondsLeft() {
    return Math.max(0, Math.round((deadline - Date.now()) / 1000));
  }

  function tick() {
    var left = secondsLeft();
    countdown.textContent = left + (left === 1 ? " second" : " seconds");
    if (left === 0) {
      clearInterval(tickTimer);
      // A fresh GET lets the server sign the session out and show the sign-in page. It
      // must arrive after the server's idle limit, or the server would count it as
      // activity; if another tab kept the session busy, it simply shows this page again.
      reloadTimer = setTimeout(function () {
        window.location.assign(window.location.href);
      }, graceSeconds * 1000);
    }
  }

  function warn() {
    box.hidden = false;
    live.textContent = "You will be signed out in one minute. Choose Stay signed in to continue.";
    box.querySelector("button").focus();
    tick();
    tickTimer = setInterval(tick, 1000);
  }

  function restart() {
    clearTimeout(warnTimer);
    clearTimeout(reloadTimer);
    clearInterval(tickTimer);
    box.hidden = true;
    live.textContent = "";
    deadline = Date.now() + idleSeconds * 1000;
    warnTimer = setTimeout(warn, Math.max(0, idleSeconds - warnSeconds) * 1000);
  }

  // Any successful htmx request (including "Stay signed in") counts as activity on the server.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      restart();
    }
  });
  restart();
})();
