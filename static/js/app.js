// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // The account menu is a <details>: close it on a click elsewhere or on Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // Flash messages can be dismissed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) button.closest(".alert, .message").remove();
  });

  // "I'm a brand" / "I'm a creator" links open signup with ?as=brand|creator: pre-select that role.
  document.addEventListener("DOMContentLoaded", function () {
    var role = new URLSearchParams(window.location.search).get("as");
    if (!role) return;
    var radio = document.querySelector('input[type="radio"][name="user_type"][value="' + CSS.escape(role) + '"]');
    if (radio && !document.querySelector('input[type="radio"][name="user_type"]:checked')) radio.checked = true;
  });
})();
