/*
 * report.js - the interactive page of `prof-render report` (see
 * docs/report-data.md for the data it reads). Placeholder: shows the title.
 */
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("prf-data").textContent);
  var h = document.createElement("h1");
  h.textContent = data.title;
  document.body.appendChild(h);
})();
