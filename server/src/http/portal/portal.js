// Progressive enhancement only: a "copy" button for the tracking code. Without JavaScript the
// button stays hidden and the code can be selected by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        var status = document.getElementById("copy-status");
        if (status) {
          status.textContent = button.getAttribute("data-done");
        }
      });
    });
  });
})();
