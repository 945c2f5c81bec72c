// /cong-khai on a wall screen: the page must fit the screen, so the service table shows as many
// rows as fit and turns the page every few seconds. Phones scroll as usual.
(function () {
  "use strict";
  var PAGE_MS = 10000;
  var STORE = "luot.public.page";  // the page refreshes itself every minute: carry on from here
  var table = document.querySelector("table.services");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.services tbody tr"));
  var counter = document.getElementById("services-page");
  var pages = [rows];
  var current = 0;
  var timer = null;

  function onWall() { return window.innerWidth >= 900 && window.innerWidth > window.innerHeight; }

  function show(index) {
    current = pages.length ? index % pages.length : 0;
    rows.forEach(function (row) { row.hidden = pages[current].indexOf(row) < 0; });
    counter.hidden = pages.length < 2;
    counter.textContent = counter.dataset.template
      .replace("{page}", String(current + 1)).replace("{pages}", String(pages.length));
    try { sessionStorage.setItem(STORE, String(current)); } catch (error) { /* private mode */ }
  }

  function layout() {
    var start = 0;  // the page shown before the last refresh
    try { start = Number(sessionStorage.getItem(STORE)) || 0; } catch (error) { start = 0; }
    clearInterval(timer);
    rows.forEach(function (row) { row.hidden = false; });
    document.body.classList.toggle("wall", onWall());
    pages = [rows];
    if (onWall() && document.documentElement.scrollHeight > window.innerHeight) {
      // Room for rows: the screen below the table's first row, less what follows the table.
      var note = document.querySelector(".note");
      var after = note ? note.getBoundingClientRect().bottom - table.getBoundingClientRect().bottom : 0;
      var room = window.innerHeight - rows[0].getBoundingClientRect().top - after - 8;
      pages = [];
      var page = [];
      var used = 0;
      rows.forEach(function (row) {
        var height = row.getBoundingClientRect().height;
        if (page.length && used + height > room) {
          pages.push(page);
          page = [];
          used = 0;
        }
        page.push(row);
        used += height;
      });
      if (page.length) pages.push(page);
      // Margins the estimate missed: move rows on until each page truly fits.
      for (var index = 0; index < pages.length; index += 1) {
        show(index);
        while (pages[index].length > 1
               && document.documentElement.scrollHeight > window.innerHeight) {
          if (index + 1 === pages.length) pages.push([]);
          pages[index + 1].unshift(pages[index].pop());
          show(index);
        }
      }
    }
    show(pages.length > 1 ? (start + 1) % pages.length : 0);
    if (pages.length > 1) timer = setInterval(function () { show(current + 1); }, PAGE_MS);
  }

  layout();
  window.addEventListener("resize", layout);
  window.__luotPublic = { pages: function () { return pages.length; }, show: show };
}());
