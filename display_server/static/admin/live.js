// The live dashboard: draws /admin/live.json and polls it every few seconds (no library).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("live-config").textContent);
  var text = config.text;
  var SVG = "http://www.w3.org/2000/svg";
  var lastLate = [];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function svg(tag, attrs, label) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (label) {
      var title = document.createElementNS(SVG, "title");
      title.textContent = label;
      node.appendChild(title);
    }
    return node;
  }

  function minutes(value) { return value === null || value === undefined ? "—" : Number(value).toFixed(1); }
  function percent(value) { return value === null || value === undefined ? "—" : Math.round(value * 100) + "%"; }
  function clock(iso) { return iso ? iso.slice(11, 16) : ""; }

  function drawTotals(t) {
    var cards = [
      [t.issued, text.issued], [t.waiting, text.waiting], [t.served, text.served],
      [t.no_show, text.no_show], [minutes(t.average_wait_minutes), text.average_wait],
      [minutes(t.average_service_minutes), text.average_service],
      [minutes(t.longest_wait_minutes), text.longest], [percent(t.within_target_share), text.within],
      [percent(t.satisfaction_rate), text.satisfaction]
    ];
    var box = document.getElementById("totals");
    box.replaceChildren.apply(box, cards.map(function (card) {
      return el("div", {"class": "card"}, [el("span", {"class": "big", text: String(card[0])}),
        el("span", {text: card[1]})]);
    }));
  }

  function drawChart(services) {
    var width = 560, row = 30, left = 150, height = Math.max(1, services.length) * row + 10;
    var max = Math.max.apply(null, [1].concat(services.map(function (s) { return s.waiting; })));
    var chart = svg("svg", {"class": "chart", viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": text.chart});
    services.forEach(function (s, i) {
      var y = 5 + i * row;
      var late = s.past_target > 0;
      var label = svg("text", {x: left - 8, y: y + 18, "text-anchor": "end", "class": "label"});
      label.textContent = s.code + " – " + (s.name.length > 18 ? s.name.slice(0, 17) + "…" : s.name);
      chart.appendChild(label);
      var w = (width - left - 40) * s.waiting / max;
      chart.appendChild(svg("rect", {x: left, y: y + 4, width: Math.max(w, 1), height: row - 10,
        "class": "bar" + (late ? " late" : "")}, s.code + ": " + s.waiting));
      var value = svg("text", {x: left + w + 6, y: y + 18, "class": "value"});
      value.textContent = String(s.waiting);
      chart.appendChild(value);
    });
    var box = document.getElementById("waiting-chart");
    box.replaceChildren(chart);
  }

  function drawServices(services) {
    var body = document.querySelector("#services tbody");
    body.replaceChildren.apply(body, services.map(function (s) {
      var late = s.target_wait_minutes !== null && s.longest_wait_minutes > s.target_wait_minutes;
      return el("tr", {"class": (late ? "late" : "") + (s.active ? "" : " inactive")}, [
        el("td", {}, [el("strong", {text: s.code}), document.createTextNode(" " + s.name)]),
        el("td", {"class": "num", text: String(s.waiting)}),
        el("td", {"class": "num", text: String(s.priority_waiting)}),
        el("td", {"class": "num", text: minutes(s.longest_wait_minutes)}),
        el("td", {"class": "num", text: s.target_wait_minutes === null ? "—" : String(s.target_wait_minutes)}),
        el("td", {"class": "num", text: String(s.past_target)})
      ]);
    }));
  }

  // A plain "Quầy 3" reads "Counter 3" on the English page; a name of its own stays.
  function counterName(c) {
    return /^Quầy\s*\d+$/i.test(c.name || "") ? text.counter.replace("{number}", c.number) : c.name;
  }

  function drawCounters(counters) {
    var box = document.getElementById("counters");
    box.replaceChildren.apply(box, counters.map(function (c) {
      var ticket = c.ticket;
      var doing = ticket ? (ticket.status === "serving" ? text.serving : text.called) + " " + ticket.number
        + " (" + text.since + " " + clock(ticket.started_at || ticket.called_at) + ")"
        : (c.state === "open" ? text.idle : "");
      var silent = c.silent && c.state !== "closed";
      var label = silent ? text.silent : (text[c.state] || c.state);
      return el("article", {"class": "counter " + c.state + (silent ? " silent" : "")}, [
        el("header", {}, [el("strong", {text: counterName(c)}), el("span", {"class": "state " + (silent ? "silent" : c.state), text: label})]),
        el("p", {"class": "officer", text: c.officer ? c.officer.full_name : text.no_officer}),
        el("p", {"class": "doing", text: c.state === "paused" && c.pause_reason ? c.pause_reason : doing}),
        el("p", {"class": "services", text: c.services.join(" → ")})
      ]);
    }));
  }

  function drawLate(data) {
    lastLate = data.late;
    var body = document.querySelector("#late tbody");
    if (!data.late.length) {
      body.replaceChildren(el("tr", {}, [el("td", {colspan: "7", text: text.none_late})]));
      return;
    }
    body.replaceChildren.apply(body, data.late.map(function (t) {
      var button;
      var slip = t.apology_print;  // null: printed before slips were kept, or no job recorded
      if (t.apologised && slip === "pending") {
        button = el("span", {"class": "pending", text: text.slip_pending});
      } else if (t.apologised && slip !== "failed" && slip !== "dropped") {
        button = el("span", {"class": "done", text: text.printed});
      } else if (!data.printing) {
        button = el("button", {type: "button", disabled: "disabled", title: text.no_printing, text: text.print});
      } else {
        button = el("button", {type: "button", "class": "apology", "data-ticket": String(t.id), text: text.print});
      }
      var status = t.still_waiting ? text.waiting_status : (t.status === "serving" ? text.serving : text.called);
      return el("tr", {"class": "late"}, [
        el("td", {}, [el("strong", {text: t.number})]), el("td", {text: t.service + " – " + t.service_name}),
        el("td", {text: status}), el("td", {"class": "num", text: minutes(t.waited_minutes)}),
        el("td", {"class": "num", text: String(t.target_wait_minutes)}),
        el("td", {"class": "num over", text: "+" + minutes(t.over_minutes)}), el("td", {}, [button])
      ]);
    }));
  }

  // Counters whose officer's app has gone silent (shown "away" on the TVs), and those closed
  // today because it stayed silent: someone should go and look.
  function drawAlerts(alerts) {
    var box = document.getElementById("alerts");
    box.hidden = !alerts.length;
    box.replaceChildren.apply(box, alerts.map(function (a) {
      var words = (a.kind === "silent" ? text.alert_silent : text.alert_closed)
        .replace("{counter}", counterName({name: a.name, number: a.counter})).replace("{time}", clock(a.since));
      return el("p", {"class": "alert " + a.kind, role: "alert", text: words});
    }));
  }

  function draw(data) {
    drawAlerts(data.alerts || []);
    drawTotals(data.totals);
    drawChart(data.services);
    drawServices(data.services);
    drawCounters(data.counters);
    drawLate(data);
    document.getElementById("live-status").replaceChildren(document.createTextNode(text.updated + " "),
      el("time", {id: "updated-at", datetime: data.updated_at, text: clock(data.updated_at)}));
    var kiosk = document.getElementById("apology-kiosk");
    if (kiosk.options.length !== data.kiosks.length + 1) {
      kiosk.replaceChildren.apply(kiosk, [el("option", {value: "", text: text.ticket_kiosk})].concat(
        data.kiosks.map(function (k) { return el("option", {value: k.id, text: k.name}); })));
    }
  }

  function poll() {
    fetch(config.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { document.body.classList.remove("offline"); draw(data); })
      .catch(function () {
        document.body.classList.add("offline");
        document.getElementById("live-status").textContent = text.offline;
      })
      .finally(function () { window.setTimeout(poll, config.poll * 1000); });
  }

  var dialog = document.getElementById("apology-dialog");
  var current = null;
  document.getElementById("late").addEventListener("click", function (event) {
    var button = event.target.closest("button.apology");
    if (!button) { return; }
    current = Number(button.getAttribute("data-ticket"));
    var ticket = lastLate.filter(function (t) { return t.id === current; })[0];
    document.getElementById("apology-number").textContent = ticket ? ticket.number : "";
    document.getElementById("apology-result").textContent = "";
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", "open"); }
  });
  document.getElementById("apology-close").addEventListener("click", function () { dialog.close(); });
  document.getElementById("apology-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var result = document.getElementById("apology-result");
    result.textContent = text.sending;
    fetch(config.apology, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": config.csrf, "Accept": "application/json"},
      body: JSON.stringify({ticket: current, reason: document.getElementById("apology-reason").value,
        kiosk: document.getElementById("apology-kiosk").value || null, lang: "vi"})
    }).then(function (response) { return response.json(); })
      .then(function (body) { result.textContent = body.message || body.error; })
      .catch(function () { result.textContent = text.offline; });
  });

  draw(JSON.parse(document.getElementById("live-data").textContent));
  window.setTimeout(poll, config.poll * 1000);
}());
