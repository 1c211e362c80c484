// Discovery page: apply filters without a full reload, keep them in the address, save creators in place.
// The page works without this file (the filters are a GET form); this only makes it quicker.
(function () {
  "use strict";

  var TEXT_DELAY = 350; // ms after the last keystroke before a text filter is applied
  var PAGING = ["partial", "cursor", "offset"];

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function formatCount(count) {
    return Number(count).toLocaleString("en-US");
  }

  ready(function () {
    var form = document.getElementById("discover-form");
    if (!form) return;
    var results = document.getElementById("discover-results");
    var filters = document.getElementById("discover-filters");
    var toggle = form.querySelector(".filters-toggle");
    var controller = null;
    var textTimer = null;
    document.documentElement.classList.add("js-discover");

    // ---- The query string the form describes (empty fields left out, so shared links stay short) ----
    function formQuery() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (typeof value === "string" && value.trim() !== "") params.append(key, value.trim());
      });
      return params;
    }

    function pageUrl(params) {
      var text = params.toString();
      return form.getAttribute("action") + (text ? "?" + text : "");
    }

    function partialUrl(url) {
      var parsed = new URL(url, window.location.href);
      parsed.searchParams.set("partial", "1");
      return parsed.pathname + parsed.search;
    }

    function setLoading(on) {
      form.classList.toggle("is-loading", on);
      results.setAttribute("aria-busy", on ? "true" : "false");
    }

    function fetchFragment(url) {
      if (controller) controller.abort();
      controller = new AbortController();
      setLoading(true);
      return fetch(partialUrl(url), {
        headers: { "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
        signal: controller.signal,
      }).then(function (response) {
        // 400 carries the fragment with the message about the bad filter.
        if (!response.ok && response.status !== 400) throw new Error("HTTP " + response.status);
        return response.text();
      }).then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        return template.content;
      }).finally(function () {
        setLoading(false);
      });
    }

    // ---- Facet counts beside the options come from the fragment's JSON ----
    function applyFacets(fragment) {
      var script = fragment.querySelector("#discover-facets");
      if (!script) return;
      var facets = JSON.parse(script.textContent || "{}");
      form.querySelectorAll("[data-facet]").forEach(function (element) {
        var counts = facets[element.dataset.facet];
        if (!counts) return;
        var count = counts[element.dataset.value] || 0;
        if (element.tagName === "OPTION") {
          element.textContent = element.dataset.label + (count ? " (" + formatCount(count) + ")" : "");
        } else {
          element.textContent = formatCount(count);
          element.classList.toggle("is-zero", count === 0);
        }
      });
    }

    function showResults(url, how) {
      return fetchFragment(url).then(function (fragment) {
        results.replaceChildren(fragment.cloneNode(true));
        applyFacets(fragment);
        if (how === "push") window.history.pushState({ discover: true }, "", url);
        else if (how === "replace") window.history.replaceState({ discover: true }, "", url);
      }).catch(function (error) {
        if (error.name === "AbortError") return;
        // Something went wrong in between: let the browser load the page the normal way.
        window.location.assign(url);
      });
    }

    function applyFilters(how) {
      var url = pageUrl(formQuery());
      var current = window.location.pathname + window.location.search;
      if (url === current && how !== "force") return;
      showResults(url, how === "replace" ? "replace" : "push");
    }

    // ---- Form events: checkboxes and selects at once, typing after a pause, Enter at once ----
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=text], input[type=search], input[type=number]")) {
        clearTimeout(textTimer);
      }
      applyFilters("push");
    });
    form.addEventListener("input", function (event) {
      if (!event.target.matches("input[type=text], input[type=search], input[type=number]")) return;
      clearTimeout(textTimer);
      // While typing, one history entry per search, not per letter.
      textTimer = setTimeout(function () { applyFilters("replace"); }, TEXT_DELAY);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(textTimer);
      applyFilters("push");
    });

    // ---- Back and forward: put the form back to what the address says and fetch those results ----
    function fillForm(params) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name) return;
        var values = params.getAll(field.name);
        if (field.type === "checkbox" || field.type === "radio") field.checked = values.indexOf(field.value) !== -1;
        else if (field.tagName === "SELECT" || field.tagName === "INPUT") field.value = values[0] || "";
      });
    }
    window.addEventListener("popstate", function () {
      var params = new URLSearchParams(window.location.search);
      PAGING.forEach(function (name) { params.delete(name); });
      fillForm(params);
      showResults(window.location.pathname + window.location.search, null);
    });

    // ---- Load more: append the next page's cards ----
    results.addEventListener("click", function (event) {
      var link = event.target.closest("[data-load-more]");
      if (!link) return;
      event.preventDefault();
      link.setAttribute("aria-disabled", "true");
      link.textContent = "Loading…";
      fetchFragment(link.href).then(function (fragment) {
        var grid = results.querySelector(".creator-grid");
        var more = fragment.querySelector(".creator-grid");
        var firstNew = more ? more.firstElementChild : null;
        if (grid && more) grid.append.apply(grid, Array.prototype.slice.call(more.children));
        var next = fragment.querySelector(".discover-more");
        var holder = link.closest(".discover-more");
        if (next) holder.replaceWith(next);
        else holder.remove();
        // Keyboard users continue from the first new card.
        var focusable = firstNew && firstNew.querySelector("a");
        if (focusable) focusable.focus({ preventScroll: true });
      }).catch(function (error) {
        if (error.name !== "AbortError") window.location.assign(link.href);
      });
    });

    // ---- Save / unsave on the brand's default list ----
    results.addEventListener("click", function (event) {
      var button = event.target.closest("[data-save]");
      if (!button || button.getAttribute("aria-busy") === "true") return;
      var saved = button.getAttribute("aria-pressed") === "true";
      button.setAttribute("aria-busy", "true");
      fetch("/api/v1/shortlists/creators/" + encodeURIComponent(button.dataset.save), {
        method: saved ? "DELETE" : "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/json", "Accept": "application/json" },
        body: saved ? null : "{}",
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        button.setAttribute("aria-pressed", saved ? "false" : "true");
        button.classList.toggle("is-saved", !saved);
        button.querySelector(".cc-save-label").textContent = saved ? "Save" : "Saved";
      }).catch(function () {
        button.querySelector(".cc-save-label").textContent = "Try again";
      }).finally(function () {
        button.removeAttribute("aria-busy");
      });
    });

    // ---- Phones: filters fold away behind a button ----
    if (toggle && filters) {
      var narrow = window.matchMedia("(max-width: 899px)");
      toggle.hidden = false;
      function fold(collapsed) {
        filters.classList.toggle("is-collapsed", collapsed);
        toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
        toggle.textContent = collapsed ? "Filters" : "Hide filters";
      }
      fold(narrow.matches);
      narrow.addEventListener("change", function () { fold(narrow.matches); });
      toggle.addEventListener("click", function () { fold(!filters.classList.contains("is-collapsed")); });
    }

    // ---- "Ask in a sentence": the AI search fills in the filters, then the results load as usual ----
    var ask = document.getElementById("discover-ask");
    var askResult = document.getElementById("ask-result");
    if (ask) {
      ask.addEventListener("submit", function (event) {
        event.preventDefault();
        var sentence = ask.elements.query.value.trim();
        if (!sentence) return;
        var button = ask.querySelector("button[type=submit]");
        button.disabled = true;
        askResult.hidden = false;
        askResult.textContent = "Reading your request…";
        fetch(ask.dataset.endpoint, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/json", "Accept": "application/json" },
          body: JSON.stringify({ query: sentence, limit: 1 }),
        }).then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        }).then(function (answer) {
          if (!answer.ok) {
            var error = answer.body && answer.body.error;
            askResult.textContent = error && error.message ? error.message : "That did not work. Try the filters.";
            return;
          }
          var insights = answer.body.search_insights || {};
          applyAskFilters(insights.filters_applied || {});
          askResult.textContent = insights.interpretation || "Filters updated.";
          applyFilters("force");
        }).catch(function () {
          askResult.textContent = "That did not work. Try the filters.";
        }).finally(function () {
          button.disabled = false;
        });
      });
    }

    // `filters_applied` names CreatorQuery's fields; the form uses the list API's parameter names.
    var ASK_FIELDS = { platforms: "platform", niches: "niche", countries: "country", languages: "language",
                       size_bands: "size" };

    function nicheCheckbox(value) {
      // A free-text niche the category list does not have gets its own (removable) checkbox.
      var list = form.querySelector("[data-niche-list]");
      var label = document.createElement("label");
      label.className = "check";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = "niche";
      input.value = value;
      var text = document.createElement("span");
      text.className = "check-label";
      text.textContent = value;
      label.append(input, " ", text);
      list.prepend(label);
      return input;
    }

    function applyAskFilters(applied) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name) return;
        if (field.type === "checkbox") field.checked = false;
        else if (field.tagName === "SELECT" || field.tagName === "INPUT") field.value = "";
      });
      Object.keys(applied).forEach(function (key) {
        var name = ASK_FIELDS[key] || key;
        var value = applied[key];
        if (value === null || value === undefined || value === "" || value === false) return;
        // "500.00" reads better as "500" in the box and in the address.
        var values = (Array.isArray(value) ? value : [value]).map(function (v) {
          return String(v).replace(/^(\d+)\.0+$/, "$1");
        });
        var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
        var matched = [];
        fields.forEach(function (field) {
          if (field.type === "checkbox") {
            field.checked = values.indexOf(field.value) !== -1;
            if (field.checked) matched.push(field.value);
          } else {
            // Selects and inputs hold one value: the first one asked for.
            field.value = values[0];
            matched = values;
          }
        });
        if (name === "niche") {
          values.filter(function (v) { return matched.indexOf(v) === -1; }).forEach(function (v) {
            nicheCheckbox(v).checked = true;
          });
        }
      });
    }
  });
})();
