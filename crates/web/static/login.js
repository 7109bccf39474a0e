// The captcha's refresh control: without script it is a link that reloads the sign-in page;
// with script it fetches a new image in place, so what the member typed stays.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var image = document.getElementById("captcha-image");
  var refresh = document.getElementById("captcha-refresh");
  var input = document.getElementById("captcha");
  if (!image || !refresh) {
    return;
  }
  refresh.setAttribute("role", "button");
  refresh.addEventListener("click", function (event) {
    event.preventDefault();
    image.src = "/captcha?n=" + Date.now();
    if (input) {
      input.value = "";
      input.focus();
    }
  });
  var alert = document.getElementById("form-alert");
  if (alert) {
    alert.focus();
  }
});
