// Password fields: a show/hide button (ASVS 2.1.12) and, where a new password is chosen, a
// length and strength meter (ASVS 2.1.8). Both are added here, so without script the fields
// are plain password inputs and nothing is shown that cannot work.
//
// The meter does not judge the password the way the server does: the server also runs zxcvbn
// with its dictionaries of common passwords, which are too large to send to the browser. So the
// meter counts characters against the minimum and gives a coarse estimate from how varied the
// characters are, and says that the final check happens on sending.
"use strict";

// Below this many different characters a long enough password is mostly repetition
// ("aaaaaaaaaaaa", "abcabcabcabc").
var FEW_DISTINCT = 6;

function addToggle(input) {
  var row = document.createElement("div");
  row.className = "password-row";
  input.parentNode.insertBefore(row, input);
  row.appendChild(input);
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button button-quiet password-toggle";
  button.textContent = input.getAttribute("data-reveal");
  button.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-controls", input.id);
  row.appendChild(button);
  button.addEventListener("click", function () {
    var shown = input.type === "password";
    input.type = shown ? "text" : "password";
    button.setAttribute("aria-pressed", shown ? "true" : "false");
  });
  // Masked again before sending, so the browser never offers to remember the field as text.
  if (input.form) {
    input.form.addEventListener("submit", function () {
      input.type = "password";
      button.setAttribute("aria-pressed", "false");
    });
  }
}

function distinctCount(text) {
  var seen = {};
  var count = 0;
  Array.from(text).forEach(function (ch) {
    if (!seen[ch]) {
      seen[ch] = true;
      count += 1;
    }
  });
  return count;
}

// 0: empty, 1: too short, 2: long enough but repetitive, 3: long enough and varied.
function level(text, min) {
  var length = Array.from(text).length;
  if (length === 0) {
    return 0;
  }
  if (length < min) {
    return 1;
  }
  return distinctCount(text) < FEW_DISTINCT ? 2 : 3;
}

function message(input, lvl, length, min) {
  var key = ["data-meter-empty", "data-meter-short", "data-meter-weak", "data-meter-ok"][lvl];
  return input.getAttribute(key).replace("{n}", String(length)).replace("{min}", String(min));
}

function addMeter(input) {
  var min = parseInt(input.getAttribute("data-meter-min"), 10) || 12;
  var meter = document.createElement("div");
  meter.className = "password-meter";
  var track = document.createElement("div");
  track.className = "meter-track";
  track.setAttribute("aria-hidden", "true");
  var bar = document.createElement("div");
  bar.className = "meter-bar";
  track.appendChild(bar);
  var status = document.createElement("p");
  status.className = "meter-text";
  status.id = input.id + "-meter";
  status.setAttribute("aria-live", "polite");
  var note = document.createElement("p");
  note.className = "hint";
  note.textContent = input.getAttribute("data-meter-note");
  meter.appendChild(track);
  meter.appendChild(status);
  meter.appendChild(note);
  var row = input.closest(".password-row") || input;
  row.parentNode.insertBefore(meter, row.nextSibling);
  function update() {
    var lvl = level(input.value, min);
    bar.setAttribute("data-level", String(lvl));
    status.textContent = message(input, lvl, Array.from(input.value).length, min);
  }
  input.addEventListener("input", update);
  update();
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-reveal]").forEach(addToggle);
  document.querySelectorAll("input[data-meter-short]").forEach(addMeter);
});
