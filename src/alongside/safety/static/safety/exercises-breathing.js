// "Breathe along": one minute of 4-6 breathing with a circle that grows and shrinks. The page
// writes the steps out in full, so it works without this script. With reduced motion asked for,
// the circle stays still (see exercises-pages.css) and the words and count guide each breath.
(function () {
  "use strict";

  function setUp(root) {
    var inSeconds = parseInt(root.dataset.in, 10) || 4;
    var outSeconds = parseInt(root.dataset.out, 10) || 6;
    var breaths = parseInt(root.dataset.breaths, 10) || 6;
    var circle = root.querySelector(".breath-circle");
    var count = root.querySelector("[data-count]");
    var phase = root.querySelector("[data-phase]");
    var progress = root.querySelector("[data-progress]");
    var start = root.querySelector("[data-start]");
    var stop = root.querySelector("[data-stop]");
    var timer = null;
    var breath = 0;
    var breathingIn = true;
    var left = 0;

    function progressText() {
      return root.dataset.labelBreath.replace("%(n)s", String(breath)).replace("%(total)s", String(breaths));
    }

    function beginPhase(isIn) {
      breathingIn = isIn;
      left = isIn ? inSeconds : outSeconds;
      circle.classList.toggle("is-in", isIn);
      circle.classList.toggle("is-out", !isIn);
      phase.textContent = isIn ? root.dataset.labelIn : root.dataset.labelOut;
      progress.textContent = progressText();
      count.textContent = String(left);
    }

    function finish(message) {
      window.clearInterval(timer);
      timer = null;
      circle.classList.remove("is-in", "is-out");
      count.textContent = "";
      phase.textContent = message;
      progress.textContent = "";
      stop.hidden = true;
      start.hidden = false;
      start.focus();
    }

    function tick() {
      left -= 1;
      if (left > 0) {
        count.textContent = String(left);
        return;
      }
      if (breathingIn) {
        beginPhase(false);
      } else if (breath < breaths) {
        breath += 1;
        beginPhase(true);
      } else {
        finish(root.dataset.labelDone);
      }
    }

    start.addEventListener("click", function () {
      if (timer) return;
      breath = 1;
      start.hidden = true;
      stop.hidden = false;
      stop.focus();
      beginPhase(true);
      timer = window.setInterval(tick, 1000);
    });
    stop.addEventListener("click", function () { finish(root.dataset.labelReady); });
    root.hidden = false;
  }

  function ready() {
    document.querySelectorAll("[data-breathing]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
