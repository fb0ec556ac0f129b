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

  function renderOne(el) {
    return loadSpec(el)
      .then(function (spec) {
        el.setAttribute("data-state", "rendering");
        return window.vegaEmbed(el, spec, {
          renderer: "svg",
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

  function renderAll() {
    views.forEach(function (result) { result.finalize(); });
    views = [];
    var charts = document.querySelectorAll(".segments-chart");
    return Promise.all(Array.prototype.map.call(charts, renderOne));
  }

  function start() {
    if (!window.vegaEmbed) {
      console.error("segments: the Vega bundle did not load");
      return;
    }
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { renderAll(); });
    } else {
      renderAll();
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
