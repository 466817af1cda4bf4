// Plays one sentence at a time through the page's single sentence player.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var player = document.getElementById("sentence-player");
  if (!player) { return; }
  var playing = null;
  function stop() {
    if (playing) { playing.classList.remove("playing"); playing.textContent = "▶"; playing = null; }
  }
  player.addEventListener("ended", stop);
  player.addEventListener("pause", stop);
  document.querySelectorAll("button.play").forEach(function (button) {
    button.addEventListener("click", function () {
      var again = playing === button;
      player.pause();
      stop();
      if (again) { return; }
      player.src = button.dataset.src;
      playing = button;
      button.classList.add("playing");
      button.textContent = "■";
      player.play().catch(stop);
    });
  });
});

// A form that is being sent says so and cannot be sent twice (an edit takes seconds: the
// sentence is spoken again and the bulletin produced again).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.sending) { event.preventDefault(); return; }
  form.dataset.sending = "1";
  var button = event.submitter || form.querySelector("button[type=submit]");
  if (!button) { return; }
  button.setAttribute("aria-busy", "true");
  if (button.dataset.busy) {
    button.dataset.label = button.textContent;
    button.textContent = button.dataset.busy;
  }
});
// Back to a page kept by the browser: its forms can be sent again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sending]").forEach(function (form) {
    delete form.dataset.sending;
  });
  document.querySelectorAll("button[aria-busy]").forEach(function (button) {
    button.removeAttribute("aria-busy");
    if (button.dataset.label) { button.textContent = button.dataset.label; }
  });
});
