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

  // On a narrow screen the labels of a discrete axis would take half the width, and a legend,
  // which starts where the plot starts, would run off the right edge: wrap labels shorter and
  // stack legend entries in one column. (The specs wrap labels with a fixed expression,
  // "(.{1,N})"; only N changes here.)
  var NARROW = 520;
  var NARROW_WRAP = 18;

  function narrow(value) {
    if (Array.isArray(value)) {
      return value.map(narrow);
    }
    if (!value || typeof value !== "object") {
      return value;
    }
    var out = {};
    Object.keys(value).forEach(function (key) {
      var item = value[key];
      if (key === "labelExpr" && typeof item === "string") {
        item = item.replace(/\{1,(\d+)\}/g, function (all, n) {
          return "{1," + Math.min(+n, NARROW_WRAP) + "}";
        });
      } else if (key === "columns" && typeof item === "number") {
        item = 1;
      } else {
        item = narrow(item);
      }
      out[key] = item;
    });
    return out;
  }

  // The lines the shorter wrap makes of a label (the specs' expression, read the same way).
  function lines(text) {
    var found = String(text).match(new RegExp("(.{1," + NARROW_WRAP + "})(\\s+|$)", "g"));
    return Math.min(3, Math.max(1, found ? found.length : 1));
  }

  // Bands tall enough for the longest label of a discrete y axis once wrapped shorter.
  function bandFor(spec) {
    var fields = [];
    (function find(view) {
      var y = view.encoding && view.encoding.y;
      if (y && y.field && (y.type === "nominal" || y.type === "ordinal")) {
        fields.push(y.field);
      }
      (view.layer || []).forEach(find);
    })(spec);
    var most = 1;
    Object.keys(spec.datasets || {}).forEach(function (name) {
      spec.datasets[name].forEach(function (row) {
        fields.forEach(function (f) {
          if (typeof row[f] === "string") {
            most = Math.max(most, lines(row[f]));
          }
        });
      });
    });
    return most > 1 ? 13 * most + 6 : null;
  }

  function fitScreen(spec, width) {
    if (!width || width >= NARROW) {
      return spec;
    }
    var out = narrow(spec);
    var step = bandFor(out);
    if (step) {
      var view = Object.assign({}, (out.config || {}).view);
      var before = view.discreteHeight && view.discreteHeight.step;
      view.discreteHeight = { step: Math.max(step, before || 0) };
      out.config = Object.assign({}, out.config, { view: view });
    }
    return out;
  }

  // The words beside marks (a share, "hidden") are grey on the light page; lighter on dark.
  function forPalette(spec) {
    var style = spec.config && spec.config.style && spec.config.style["segments-note"];
    if (!style || !darkMode()) {
      return spec;
    }
    var styles = Object.assign({}, spec.config.style, {
      "segments-note": Object.assign({}, style, { color: "#cccccc" }),
    });
    return Object.assign({}, spec, { config: Object.assign({}, spec.config, { style: styles }) });
  }

  function renderOne(el) {
    return loadSpec(el)
      .then(function (spec) {
        el.setAttribute("data-state", "rendering");
        var width = el.clientWidth;
        return window.vegaEmbed(el, forPalette(fitScreen(wrapTitle(spec, width), width)), {
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
    // Folded sections (<details>) print open, and fold again afterwards.
    var unfolded = [];
    if (window.matchMedia) {
      var print = window.matchMedia("print");
      var redraw = function (event) {
        if (event.matches) {
          unfolded = Array.prototype.filter.call(
            document.querySelectorAll("article details:not([open])"),
            function (d) { return !d.closest(".segments-chart"); });
          unfolded.forEach(function (d) { d.setAttribute("open", ""); });
        } else {
          unfolded.forEach(function (d) { d.removeAttribute("open"); });
          unfolded = [];
        }
        window.dispatchEvent(new Event("resize"));
      };
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
