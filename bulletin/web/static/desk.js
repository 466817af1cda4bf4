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
