/* msa-analyzer report: the interactive dependency graph.
 *
 * The data (JSON in #report-data) lists units grouped by (service, module) and the edges
 * between units. Only what is expanded is drawn: a collapsed service is one node, a
 * collapsed module group is one node, so a large monolith opens with a few hundred nodes.
 * Text from the analysis is only ever put into the page with textContent.
 */
(function () {
  "use strict";

  var report = window.__reportError || function (text) { if (window.console) { console.error(text); } };
  var HARD_CAP = 1500; // never draw more nodes than this at once
  var KIND_LABEL = { m: "module top level", c: "class", f: "function", e: "entity" };
  var SHAPE = { m: "hexagon", c: "round-rectangle", f: "ellipse", e: "diamond" };

  try {
    main();
  } catch (err) {
    report("error: " + (err && err.stack ? err.stack : String(err)));
  }

  function main() {
    var data = JSON.parse(document.getElementById("report-data").textContent);
    var services = data.services, groups = data.groups, units = data.units, edges = data.edges;
    var kinds = data.kinds;
    var container = document.getElementById("cy");
    var status = document.getElementById("graph-status");

    // -- indexes -------------------------------------------------------------------------------
    var groupUnits = groups.map(function () { return []; });
    units.forEach(function (u, i) { groupUnits[u[0]].push(i); });
    var serviceGroups = services.map(function () { return []; });
    groups.forEach(function (g, i) { serviceGroups[g[0]].push(i); });
    var serviceEntities = services.map(function () { return []; });
    var serviceUnitCount = services.map(function () { return 0; });
    var serviceLines = services.map(function () { return 0; });
    var groupLines = groups.map(function () { return 0; });
    var groupHasCode = groups.map(function () { return false; });
    units.forEach(function (u, i) {
      var s = groups[u[0]][0];
      serviceUnitCount[s] += 1;
      serviceLines[s] += u[3];
      groupLines[u[0]] += u[3];
      if (u[1] === "e") { serviceEntities[s].push(i); } else { groupHasCode[u[0]] = true; }
    });
    var codeGroupsOf = serviceGroups.map(function (gs) { return gs.filter(function (g) { return groupHasCode[g]; }); });
    function svcOf(i) { return groups[units[i][0]][0]; }
    function svcName(s) { return services[s].shared ? "shared library" : services[s].name; }
    function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

    // -- state ---------------------------------------------------------------------------------
    var expandedSvc = new Set();
    var expandedGroup = new Set();
    var hiddenSvc = new Set();
    var kindOn = { call: true, "import": false, inherit: true, data: true, shared: false };
    var sharedIdx = -1;
    services.forEach(function (svc, i) { if (svc.shared) { sharedIdx = i; } });
    var query = "";
    var positions = {};
    var memberEdges = {}; // display edge id -> indices into `edges`

    var moduleLevelCount = 0;
    services.forEach(function (s, i) { moduleLevelCount += codeGroupsOf[i].length + serviceEntities[i].length + 1; });
    if (moduleLevelCount <= data.maxNodes) {
      services.forEach(function (s, i) { expandedSvc.add(i); });
    }
    if (data.focus >= 0) { expandedSvc.add(data.focus); }

    // -- what is drawn -------------------------------------------------------------------------
    function displayOf(i) {
      var u = units[i], g = u[0], s = groups[g][0];
      if (hiddenSvc.has(s)) { return null; }
      if (!expandedSvc.has(s)) { return "s" + s; }
      if (u[1] === "e") { return kindOn.data ? "u" + i : null; }
      if (!expandedGroup.has(g)) { return "g" + g; }
      return "u" + i;
    }

    function nodeCount(expSvc, expGroup) {
      var n = 0;
      services.forEach(function (s, i) {
        if (hiddenSvc.has(i)) { return; }
        n += 1;
        if (!expSvc.has(i)) { return; }
        n += kindOn.data ? serviceEntities[i].length : 0;
        codeGroupsOf[i].forEach(function (g) {
          n += 1;
          if (expGroup.has(g)) {
            groupUnits[g].forEach(function (u) { if (units[u][1] !== "e") { n += 1; } });
          }
        });
      });
      return n;
    }

    // node area grows with lines of code, relative to the largest node of the same kind
    var maxServiceLines = Math.max.apply(null, serviceLines.concat([1]));
    var maxGroupLines = Math.max.apply(null, groupLines.concat([1]));
    var maxUnitLines = 1;
    units.forEach(function (u) { if (u[1] !== "e" && u[3] > maxUnitLines) { maxUnitLines = u[3]; } });
    function sizeFor(lines, largest, base, span) {
      return base + span * Math.sqrt(Math.max(0, lines) / largest);
    }

    function shortModule(name) {
      var parts = name.split(".");
      return parts.length > 2 ? parts.slice(-2).join(".") : name;
    }

    function buildElements() {
      var nodes = [], out = [];
      memberEdges = {};
      services.forEach(function (svc, s) {
        if (hiddenSvc.has(s)) { return; }
        var color = svc.color;
        if (!expandedSvc.has(s)) {
          nodes.push({ group: "nodes", data: {
            id: "s" + s, type: "service", color: color,
            // the name whole (services of one package differ at its end), the count below it
            label: (svc.shared ? "shared library" : svc.name) + "\n" + serviceUnitCount[s] + " units",
            size: sizeFor(serviceLines[s], maxServiceLines, 40, 80)
          } });
          return;
        }
        nodes.push({ group: "nodes", data: {
          id: "s" + s, type: "svcbox", label: svc.shared ? "shared library" : svc.name, color: color
        } });
        codeGroupsOf[s].forEach(function (g) {
          var mod = groups[g][1];
          if (!expandedGroup.has(g)) {
            nodes.push({ group: "nodes", data: {
              id: "g" + g, parent: "s" + s, type: "group", label: shortModule(mod), color: color,
              size: sizeFor(groupLines[g], maxGroupLines, 18, 44)
            } });
            return;
          }
          nodes.push({ group: "nodes", data: { id: "g" + g, parent: "s" + s, type: "groupbox", label: mod, color: color } });
          groupUnits[g].forEach(function (i) {
            var u = units[i];
            if (u[1] === "e") { return; }
            nodes.push({ group: "nodes", data: {
              id: "u" + i, parent: "g" + g, type: "unit", kind: u[1], shape: SHAPE[u[1]],
              label: u[1] === "m" ? "(top level)" : u[2] + (u[1] === "f" ? "()" : ""),
              color: color, size: sizeFor(u[3], maxUnitLines, 12, 30)
            } });
          });
        });
        if (kindOn.data) {
          serviceEntities[s].forEach(function (i) {
            nodes.push({ group: "nodes", data: {
              id: "u" + i, parent: "s" + s, type: "entity", label: units[i][2], color: color, size: 24
            } });
          });
        }
      });

      var agg = {};
      edges.forEach(function (e, k) {
        var kind = kinds[e[2]];
        var cls = (kind === "read" || kind === "write") ? "data" : kind;
        if (!kindOn[cls]) { return; }
        var sa = svcOf(e[0]), sb = svcOf(e[1]);
        if (!kindOn.shared && sa !== sb && (sa === sharedIdx || sb === sharedIdx)) { return; }
        var a = displayOf(e[0]), b = displayOf(e[1]);
        if (a === null || b === null || a === b) { return; }
        var id = "e:" + a + ">" + b + ":" + cls;
        var slot = agg[id];
        if (!slot) {
          slot = agg[id] = { id: id, source: a, target: b, cls: cls, w: 0, used: 0, ignored: 0, cross: false };
          memberEdges[id] = [];
        }
        slot.w += e[3];
        slot.used += e[4];
        slot.ignored += e[5];
        if (sa !== sb) { slot.cross = true; }
        memberEdges[id].push(k);
      });
      Object.keys(agg).sort().forEach(function (id) {
        var d = agg[id];
        d.width = Math.min(9, 1 + Math.log2(1 + d.w));
        out.push({ group: "edges", data: d, classes: d.cross ? "cross " + d.cls : d.cls });
      });
      return nodes.concat(out);
    }

    // -- cytoscape -----------------------------------------------------------------------------
    var cy = cytoscape({
      container: container,
      elements: [],
      wheelSensitivity: 0.25,
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      textureOnViewport: true,
      hideEdgesOnViewport: false,
      style: [
        { selector: "node", style: {
          "label": "data(label)", "font-size": 12, "color": "#334155", "min-zoomed-font-size": 5,
          "text-wrap": "ellipsis", "text-max-width": 140, "font-family": "system-ui, sans-serif"
        } },
        { selector: "node[type='service']", style: {
          "shape": "round-rectangle", "width": "data(size)", "height": "data(size)",
          "background-color": "data(color)", "border-width": 2, "border-color": "#ffffff",
          "text-valign": "bottom", "text-margin-y": 5, "font-size": 13, "font-weight": 600, "color": "#1f2933",
          "text-wrap": "wrap", "text-max-width": 170, "text-overflow-wrap": "anywhere"
        } },
        { selector: "node[type='svcbox']", style: {
          "shape": "round-rectangle", "background-color": "data(color)", "background-opacity": 0.07,
          "border-width": 2, "border-color": "data(color)", "border-opacity": 0.8, "padding": 18,
          "text-valign": "top", "text-halign": "center", "text-margin-y": -4, "font-size": 14,
          "font-weight": 700, "color": "#1f2933", "text-max-width": 260
        } },
        { selector: "node[type='group']", style: {
          "shape": "ellipse", "width": "data(size)", "height": "data(size)", "background-color": "data(color)",
          "border-width": 1.5, "border-color": "#ffffff", "text-valign": "bottom", "text-margin-y": 3
        } },
        { selector: "node[type='groupbox']", style: {
          "shape": "round-rectangle", "background-color": "#ffffff", "background-opacity": 0.85,
          "border-width": 1.5, "border-style": "dashed", "border-color": "data(color)", "padding": 10,
          "text-valign": "top", "text-halign": "center", "font-size": 10, "color": "#52606d"
        } },
        { selector: "node[type='unit']", style: {
          "shape": "data(shape)", "width": "data(size)", "height": "data(size)", "background-color": "data(color)",
          "background-opacity": 0.85, "border-width": 1, "border-color": "#ffffff",
          "text-valign": "bottom", "text-margin-y": 2, "font-size": 10
        } },
        { selector: "node[type='entity']", style: {
          "shape": "diamond", "width": "data(size)", "height": "data(size)", "background-color": "#ffffff",
          "border-width": 3, "border-color": "data(color)", "text-valign": "bottom", "text-margin-y": 2,
          "font-size": 11, "font-style": "italic"
        } },
        { selector: "edge", style: {
          "width": "data(width)", "line-color": "#b6c0cc", "target-arrow-color": "#b6c0cc",
          "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "bezier", "opacity": 0.75
        } },
        { selector: "edge.cross", style: { "line-color": "#64748b", "target-arrow-color": "#64748b", "opacity": 0.7 } },
        { selector: "edge.import", style: { "line-style": "dotted" } },
        { selector: "edge.inherit", style: { "line-style": "dashed", "target-arrow-shape": "triangle-backcurve" } },
        { selector: "edge.data", style: { "line-color": "#d97706", "target-arrow-color": "#d97706", "target-arrow-shape": "vee" } },
        { selector: ".faded", style: { "opacity": 0.12 } },
        { selector: "node.match", style: { "border-width": 4, "border-color": "#f59e0b", "opacity": 1 } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#111827" } },
        { selector: "edge:selected", style: { "line-color": "#2563eb", "target-arrow-color": "#2563eb", "opacity": 1 } }
      ]
    });

    // radius of a drawn node, with room for its label underneath
    function leafRadius(d) {
      var perChar = d.type === "service" ? 7.5 : (d.type === "group" ? 6 : 5.5);
      var longest = Math.max.apply(null, (d.label || "").split("\n").map(function (line) { return line.length; }));
      var label = Math.min(d.type === "service" ? 170 : 140, longest * perChar);
      // squares need the disc around their corners; labels sit under the node
      var body = d.type === "service" ? d.size * 0.71 : d.size / 2;
      return Math.max(body, label * 0.45) + (d.type === "service" ? 16 : 8);
    }

    function nestedPositions(elements) {
      var tree = { id: "__root", children: [] };
      var byId = { __root: tree };
      elements.forEach(function (e) {
        if (e.group !== "nodes") { return; }
        var box = e.data.type === "svcbox" || e.data.type === "groupbox";
        byId[e.data.id] = box ? { id: e.data.id, children: [] } : { id: e.data.id, r: leafRadius(e.data) };
      });
      elements.forEach(function (e) {
        if (e.group !== "nodes") { return; }
        byId[e.data.parent || "__root"].children.push(byId[e.data.id]);
      });
      var links = [];
      elements.forEach(function (e) {
        if (e.group === "edges") { links.push([e.data.source, e.data.target, e.data.w]); }
      });
      return window.msaNestedLayout(tree, links, positions, {
        gap: [48, 26, 14], pad: 24, aspect: container.clientWidth / Math.max(1, container.clientHeight)
      });
    }

    function rememberPositions() {
      cy.nodes().forEach(function (n) {
        var p = n.position();
        positions[n.id()] = { x: p.x, y: p.y };
      });
    }

    var firstLayout = true;
    function redraw(message, then, fresh) {
      if (fresh) { positions = {}; } else { rememberPositions(); }
      var elements = buildElements();
      var started = performance.now();
      cy.startBatch();
      cy.elements().remove();
      cy.add(elements);
      cy.endBatch();
      var n = cy.nodes().length;
      var placed = nestedPositions(elements);
      var layout = cy.layout({
        name: "preset",
        positions: function (node) { return placed[node.id()]; },
        fit: true,
        padding: 30,
        animate: false
      });
      layout.one("layoutstop", function () {
        var ms = Math.round(performance.now() - started);
        rememberPositions();
        applySearchHighlight();
        var text = n + " nodes · " + cy.edges().length + " edges · laid out in " + ms + " ms";
        status.textContent = message ? message + " — " + text : text;
        document.body.setAttribute("data-node-count", String(n));
        document.body.setAttribute("data-edge-count", String(cy.edges().length));
        document.body.setAttribute("data-layout-ms", String(ms));
        if (firstLayout) {
          firstLayout = false;
          if (data.focus >= 0) {
            var f = cy.getElementById("s" + data.focus);
            if (f.nonempty()) { f.select(); showNode(f); }
          }
          document.body.setAttribute("data-graph-ready", "true");
        }
        syncLevelButtons();
        if (then) { then(); }
      });
      layout.run();
    }

    // -- expansion -----------------------------------------------------------------------------
    function tryExpand(nextSvc, nextGroup, message, then, fresh) {
      var n = nodeCount(nextSvc, nextGroup);
      if (n > HARD_CAP) {
        status.textContent = "That would draw " + n + " nodes (limit " + HARD_CAP + "): expand one service or module at a time, or hide services.";
        return false;
      }
      expandedSvc = nextSvc;
      expandedGroup = nextGroup;
      redraw(message, then, fresh);
      return true;
    }

    function expandNode(id) {
      var nextSvc = new Set(expandedSvc), nextGroup = new Set(expandedGroup);
      if (id[0] === "s") { nextSvc.add(Number(id.slice(1))); }
      else if (id[0] === "g") { nextGroup.add(Number(id.slice(1))); }
      else { return; }
      tryExpand(nextSvc, nextGroup);
    }

    function collapseNode(id) {
      if (id[0] === "s") {
        var s = Number(id.slice(1));
        expandedSvc.delete(s);
        serviceGroups[s].forEach(function (g) { expandedGroup.delete(g); });
      } else if (id[0] === "g") {
        expandedGroup.delete(Number(id.slice(1)));
      } else {
        return;
      }
      redraw();
    }

    function reveal(i) {
      var s = svcOf(i), g = units[i][0];
      hiddenSvc.delete(s);
      syncFilter();
      var nextSvc = new Set(expandedSvc), nextGroup = new Set(expandedGroup);
      nextSvc.add(s);
      if (units[i][1] !== "e") { nextGroup.add(g); }
      if (units[i][1] === "e" && !kindOn.data) {
        kindOn.data = true;
        document.querySelector("#kind-toggles input[data-kind='data']").checked = true;
      }
      var target = "u" + i;
      var after = function () {
        var node = cy.getElementById(target);
        if (node.nonempty()) {
          cy.elements().unselect();
          node.select();
          cy.zoom(Math.max(cy.zoom(), 1.1));
          cy.center(node);
          showNode(node);
        }
      };
      if (!tryExpand(nextSvc, nextGroup, null, after)) { after(); }
    }

    // -- details panel -------------------------------------------------------------------------
    var details = document.getElementById("details");

    function el(tag, cls, text) {
      var node = document.createElement(tag);
      if (cls) { node.className = cls; }
      if (text !== undefined && text !== null) { node.textContent = String(text); }
      return node;
    }

    function button(label, onClick) {
      var b = el("button", null, label);
      b.type = "button";
      b.addEventListener("click", onClick);
      return b;
    }

    function clearDetails() {
      details.textContent = "";
    }

    function neighbours(i) {
      var out = {}, inc = {};
      edges.forEach(function (e) {
        if (e[0] === i) { out[e[1]] = (out[e[1]] || 0) + e[3]; }
        if (e[1] === i) { inc[e[0]] = (inc[e[0]] || 0) + e[3]; }
      });
      function top(map) {
        return Object.keys(map).map(Number).sort(function (a, b) {
          return map[b] - map[a] || (units[a][5] < units[b][5] ? -1 : 1);
        }).slice(0, 8).map(function (k) { return [k, map[k]]; });
      }
      return { out: top(out), inc: top(inc), nOut: Object.keys(out).length, nIn: Object.keys(inc).length };
    }

    function unitList(title, items, total) {
      var wrap = el("div");
      wrap.appendChild(el("p", "sub", title + " (" + total + ")"));
      var ul = el("ul");
      items.forEach(function (pair) {
        var li = el("li");
        var a = el("a", null, units[pair[0]][5]);
        a.href = "#graph";
        a.addEventListener("click", function (ev) { ev.preventDefault(); reveal(pair[0]); });
        li.appendChild(a);
        li.appendChild(el("span", "sub", " ×" + pair[1] + " · " + svcName(svcOf(pair[0]))));
        ul.appendChild(li);
      });
      wrap.appendChild(ul);
      return wrap;
    }

    function showNode(node) {
      clearDetails();
      var id = node.id(), type = node.data("type");
      var actions = el("div", "actions");
      if (id[0] === "s") {
        var s = Number(id.slice(1));
        details.appendChild(el("h5", null, services[s].shared ? "shared library" : services[s].name));
        details.appendChild(el("p", "sub", services[s].shared ? "members every service may use" : "service"));
        details.appendChild(el("p", null, serviceUnitCount[s] + " units · " + serviceLines[s] + " lines · "
          + codeGroupsOf[s].length + " modules · " + serviceEntities[s].length + " entities"));
        if (type === "service") { actions.appendChild(button("Expand", function () { expandNode(id); })); }
        else { actions.appendChild(button("Collapse", function () { collapseNode(id); })); }
        // cards follow the same sorted order; the shared library's card comes last
        var card = document.getElementById(services[s].shared ? "service-shared" : "service-" + s);
        if (card) { actions.appendChild(button("Open card", function () { card.scrollIntoView(); })); }
      } else if (id[0] === "g") {
        var g = Number(id.slice(1));
        details.appendChild(el("h5", null, groups[g][1]));
        details.appendChild(el("p", "sub", "module in " + svcName(groups[g][0])));
        details.appendChild(el("p", null, groupUnits[g].length + " units · " + groupLines[g] + " lines"));
        if (type === "group") { actions.appendChild(button("Expand", function () { expandNode(id); })); }
        else { actions.appendChild(button("Collapse", function () { collapseNode(id); })); }
      } else {
        var i = Number(id.slice(1)), u = units[i];
        details.appendChild(el("h5", null, u[2]));
        details.appendChild(el("p", "sub", KIND_LABEL[u[1]] + " in " + svcName(svcOf(i))));
        var idLine = el("p");
        idLine.appendChild(el("code", null, u[5]));
        details.appendChild(idLine);
        if (u[6]) {
          var sig = el("p");
          sig.appendChild(el("code", null, u[2] + u[6]));
          details.appendChild(sig);
        }
        if (u[7]) { details.appendChild(el("p", "doc", u[7])); }
        if (u[4]) { details.appendChild(el("p", "sub", "line " + u[4] + " · " + u[3] + " lines")); }
        var nb = neighbours(i);
        if (nb.nIn) { details.appendChild(unitList(u[1] === "e" ? "Read or written by" : "Used by", nb.inc, nb.nIn)); }
        if (nb.nOut) { details.appendChild(unitList("Uses", nb.out, nb.nOut)); }
        if (node.parent().nonempty()) {
          var parentId = node.parent().id();
          actions.appendChild(button("Collapse module", function () { collapseNode(parentId[0] === "g" ? parentId : "s" + svcOf(i)); }));
        }
      }
      if (actions.childNodes.length) { details.appendChild(actions); }
    }

    function showEdge(edge) {
      clearDetails();
      var d = edge.data();
      var src = cy.getElementById(d.source), tgt = cy.getElementById(d.target);
      details.appendChild(el("h5", null, src.data("label") + " → " + tgt.data("label")));
      var what = d.cls === "call" ? "calls" : d.cls === "data" ? "reads / writes" : d.cls === "inherit" ? "inheritance" : "imports";
      details.appendChild(el("p", "sub", what + (d.cross ? " across services" : " inside a service")));
      var line = plural(d.w, "site");
      if (d.cls === "call") { line += " · result used at " + d.used + ", ignored at " + d.ignored; }
      details.appendChild(el("p", null, line));
      if (d.cls === "call" && d.cross) {
        details.appendChild(el("p", null, d.used > 0 ? "Synchronous: the caller uses the result (HTTP call)."
          : "Event candidate: every call site ignores the result."));
      }
      var members = (memberEdges[d.id] || []).slice().sort(function (a, b) { return edges[b][3] - edges[a][3] || a - b; });
      var ul = el("ul");
      members.slice(0, 10).forEach(function (k) {
        var e = edges[k];
        ul.appendChild(el("li", null, units[e[0]][5] + " → " + units[e[1]][5] + " ×" + e[3]));
      });
      details.appendChild(ul);
      if (members.length > 10) { details.appendChild(el("p", "sub", "… and " + (members.length - 10) + " more")); }
    }

    cy.on("tap", "node", function (evt) {
      var node = evt.target, type = node.data("type");
      showNode(node);
      if (type === "service" || type === "group") { expandNode(node.id()); }
    });
    cy.on("dbltap", "node", function (evt) {
      var node = evt.target, type = node.data("type");
      if (type === "svcbox" || type === "groupbox") { collapseNode(node.id()); }
    });
    cy.on("tap", "edge", function (evt) { showEdge(evt.target); });
    cy.on("tap", function (evt) {
      if (evt.target === cy) {
        clearDetails();
        details.appendChild(el("p", "muted", "Click a node or an edge."));
      }
    });

    // -- search --------------------------------------------------------------------------------
    var searchBox = document.getElementById("graph-search");
    var results = document.getElementById("search-results");
    var searchTimer = null;

    function matches() {
      if (query.length < 2) { return []; }
      var out = [];
      units.forEach(function (u, i) {
        if (u[2].toLowerCase().indexOf(query) >= 0 || u[5].toLowerCase().indexOf(query) >= 0) { out.push(i); }
      });
      return out;
    }

    function applySearchHighlight() {
      cy.elements().removeClass("match faded");
      if (query.length < 2) { return; }
      var hit = {};
      matches().forEach(function (i) {
        var d = displayOf(i);
        if (d) { hit[d] = true; }
        // a matching unit inside a collapsed box lights up the box
      });
      var any = Object.keys(hit).length > 0;
      if (!any) { return; }
      cy.batch(function () {
        cy.nodes().forEach(function (n) {
          if (hit[n.id()]) { n.addClass("match"); }
          else if (!n.isParent()) { n.addClass("faded"); }
        });
        cy.edges().addClass("faded");
      });
    }

    function renderResults() {
      results.textContent = "";
      if (query.length < 2) {
        results.appendChild(el("li", "muted", "Type at least two characters."));
        return;
      }
      var found = matches();
      if (!found.length) {
        results.appendChild(el("li", "muted", "No match."));
        return;
      }
      found.sort(function (a, b) {
        var ea = units[a][2].toLowerCase() === query ? 0 : 1, eb = units[b][2].toLowerCase() === query ? 0 : 1;
        return ea - eb || (units[a][5] < units[b][5] ? -1 : units[a][5] > units[b][5] ? 1 : 0);
      });
      found.slice(0, 40).forEach(function (i) {
        var li = el("li");
        li.title = units[i][5];
        li.appendChild(el("span", null, units[i][2] + " "));
        li.appendChild(el("span", "sub", KIND_LABEL[units[i][1]] + " · " + svcName(svcOf(i)) + " · " + groups[units[i][0]][1]));
        li.addEventListener("click", function () { reveal(i); });
        results.appendChild(li);
      });
      if (found.length > 40) { results.appendChild(el("li", "muted", "… " + (found.length - 40) + " more; refine the search")); }
    }

    searchBox.addEventListener("input", function () {
      if (searchTimer) { clearTimeout(searchTimer); }
      searchTimer = setTimeout(function () {
        query = searchBox.value.trim().toLowerCase();
        renderResults();
        applySearchHighlight();
      }, 120);
    });
    searchBox.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { searchBox.value = ""; query = ""; renderResults(); applySearchHighlight(); }
      if (ev.key === "Enter") {
        var found = matches();
        if (found.length) { reveal(found[0]); }
      }
    });

    // -- service filter ------------------------------------------------------------------------
    var filter = document.getElementById("service-filter");
    var filterBoxes = [];
    services.forEach(function (svc, s) {
      var li = el("li");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.addEventListener("change", function () {
        if (box.checked) { hiddenSvc.delete(s); } else { hiddenSvc.add(s); }
        redraw();
      });
      filterBoxes.push(box);
      label.appendChild(box);
      var chip = el("i", "chip");
      chip.style.background = svc.color;
      label.appendChild(chip);
      label.appendChild(el("span", null, svc.shared ? "shared library" : svc.name));
      li.appendChild(label);
      li.appendChild(el("span", "n", String(serviceUnitCount[s])));
      filter.appendChild(li);
    });
    function syncFilter() {
      filterBoxes.forEach(function (box, s) { box.checked = !hiddenSvc.has(s); });
    }
    document.getElementById("svc-all").addEventListener("click", function () { hiddenSvc.clear(); syncFilter(); redraw(); });
    document.getElementById("svc-none").addEventListener("click", function () {
      services.forEach(function (svc, s) { hiddenSvc.add(s); });
      syncFilter();
      redraw();
    });

    // -- toolbar -------------------------------------------------------------------------------
    var levelServices = document.getElementById("level-services");
    var levelModules = document.getElementById("level-modules");
    function syncLevelButtons() {
      var visible = services.map(function (s, i) { return i; }).filter(function (i) { return !hiddenSvc.has(i); });
      var allOpen = visible.length > 0 && visible.every(function (i) { return expandedSvc.has(i); });
      levelServices.classList.toggle("active", expandedSvc.size === 0);
      levelModules.classList.toggle("active", allOpen && expandedGroup.size === 0);
    }
    // a change of level is a new picture: lay it out from scratch
    levelServices.addEventListener("click", function () { tryExpand(new Set(), new Set(), null, null, true); });
    levelModules.addEventListener("click", function () {
      tryExpand(new Set(services.map(function (s, i) { return i; })), new Set(), null, null, true);
    });
    document.getElementById("graph-fit").addEventListener("click", function () { cy.fit(undefined, 30); });
    Array.prototype.forEach.call(document.querySelectorAll("#kind-toggles input"), function (box) {
      box.checked = !!kindOn[box.getAttribute("data-kind")];
      box.addEventListener("change", function () {
        kindOn[box.getAttribute("data-kind")] = box.checked;
        redraw();
      });
    });

    // a small handle for automation and debugging (the browser test drives the page with it)
    window.msaGraph = {
      cy: cy,
      expand: expandNode,
      collapse: collapseNode,
      reveal: function (unitId) {
        for (var i = 0; i < units.length; i += 1) { if (units[i][5] === unitId) { reveal(i); return true; } }
        return false;
      }
    };

    if (!services.length) {
      status.textContent = "No services to draw.";
      document.body.setAttribute("data-graph-ready", "true");
      return;
    }
    redraw(expandedSvc.size ? null : "large analysis: opened at service level, click a service to expand it");
  }
})();
