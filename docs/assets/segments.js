/* Renders every chart on the page with vega-embed, on first load, after each instant-navigation
   page switch (Material's document$) and again when the reader toggles dark/light. Specs come
   inline (offline build) or from the JSON file named in data-spec. */
(function () {
  "use strict";
  var views = [];

  function darkMode() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  function loadSpec(el) {
    var inline = el.querySelector("script[type='application/json']");
    if (inline) {
      return Promise.resolve(JSON.parse(inline.textContent));
    }
    return fetch(el.getAttribute("data-spec")).then(function (response) {
      if (!response.ok) {
        throw new Error("chart spec " + el.getAttribute("data-spec") + ": HTTP " + response.status);
      }
      return response.json();
    });
  }

  // vega-embed's export menu toggle is an icon-only <summary>: give it a name screen readers read.
  function nameActionsMenu(el) {
    var summary = el.querySelector("details > summary");
    if (summary) {
      summary.setAttribute("aria-label", "Export chart: " + (el.getAttribute("data-title") || ""));
    }
  }

  // Centre each title on the whole chart, not on the plot area (which sits right of the axis
  // labels, so a long title ran off the right edge), and on a narrow screen wrap a long title
  // into lines that fit (Vega draws an array of strings as one line each). The margin leaves
  // room for the export menu and Vega's padding.
  var measure = document.createElement("canvas").getContext("2d");
  var TITLE_MARGIN = 64;

  function wrapTitle(spec, width) {
    var title = typeof spec.title === "string" ? { text: spec.title } : spec.title;
    if (!title || typeof title.text !== "string" || !width) {
      return spec;
    }
    measure.font = "bold 13px sans-serif"; // Vega's default title font
    var room = width - TITLE_MARGIN;
    if (measure.measureText(title.text).width <= room) {
      return Object.assign({}, spec, { title: Object.assign({}, title, { frame: "bounds" }) });
    }
    var lines = [];
    title.text.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && measure.measureText(lines[last] + " " + word).width <= room) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    var wrapped = Object.assign({}, title, { text: lines, frame: "bounds" });
    return Object.assign({}, spec, { title: wrapped });
  }

  function renderOne(el) {
    return loadSpec(el)
      .then(function (spec) {
        el.setAttribute("data-state", "rendering");
        return window.vegaEmbed(el, wrapTitle(spec, el.clientWidth), {
          renderer: "svg",
          // Parse expressions to an AST and run them with the expression interpreter that
          // vega-embed bundles (vega-interpreter) instead of generated code: no eval, so the
          // pages' Content-Security-Policy needs no 'unsafe-eval'.
          ast: true,
          theme: darkMode() ? "dark" : undefined,
          actions: { export: true, source: false, compiled: false, editor: false },
          downloadFileName: el.getAttribute("data-spec").split("/").pop().replace(".json", ""),
        });
      })
      .then(function (result) {
        views.push(result);
        nameActionsMenu(el);
        el.setAttribute("data-state", "rendered");
      })
      .catch(function (error) {
        el.setAttribute("data-state", "failed");
        el.textContent = "This chart could not be drawn.";
        console.error("segments chart failed:", error);
      });
  }

  // A page opened straight from disk (file://) cannot fetch its charts' specs: browsers refuse
  // it, and Material's instant navigation never starts there. Say in words how to see them
  // instead of leaving blank boxes. The offline build inlines every spec, so it draws.
  var FROM_FILE =
    "This chart cannot be drawn on a page opened straight from a file. To see the charts, " +
    "serve the site folder (for example: python3 -m http.server, in the folder that holds " +
    "index.html, then open http://localhost:8000/) or build a copy for reading from disk " +
    "with: segments build --offline (then open index.html in the unzipped site.zip).";

  function needsServer(el) {
    return window.location.protocol === "file:" &&
      !el.querySelector("script[type='application/json']");
  }

  function explain(el) {
    var note = document.createElement("p");
    note.className = "segments-chart-note";
    note.textContent = FROM_FILE;
    el.textContent = "";
    el.appendChild(note);
    el.setAttribute("data-state", "needs-server");
  }

  function renderAll() {
    views.forEach(function (result) { result.finalize(); });
    views = [];
    var charts = Array.prototype.slice.call(document.querySelectorAll(".segments-chart"));
    charts.filter(needsServer).forEach(explain);
    return Promise.all(charts.filter(function (el) { return !needsServer(el); }).map(renderOne));
  }

  function start() {
    if (Array.prototype.some.call(document.querySelectorAll(".segments-chart"), needsServer)) {
      renderAll();
      return;
    }
    if (!window.vegaEmbed) {
      console.error("segments: the Vega bundle did not load");
      return;
    }
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { renderAll(); });
    } else {
      renderAll();
    }
    // Printing lays the page out at the paper's width; Vega redraws a container-wide chart on
    // a window resize, and the redraw lands before the page is printed.
    if (window.matchMedia) {
      var print = window.matchMedia("print");
      var redraw = function () { window.dispatchEvent(new Event("resize")); };
      if (print.addEventListener) {
        print.addEventListener("change", redraw);
      }
    }
    new MutationObserver(function (changes) {
      if (changes.some(function (c) { return c.attributeName === "data-md-color-scheme"; })) {
        renderAll();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
