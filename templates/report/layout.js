/* msa-analyzer report: a nested force layout for grouped graphs.
 *
 * Generic force layouts treat compound nodes poorly (isolated members drift far from their
 * group and the boxes swell). Here every box is laid out bottom-up: its children first,
 * then the box becomes one rectangle at the level above. Each level runs
 * Fruchterman-Reingold on discs, then removes every rectangle overlap, with no randomness:
 * the same data always gives the same picture. Exposed as window.msaNestedLayout; also
 * loadable from Node (module.exports) for tests.
 */
(function (root) {
  "use strict";

  var GOLDEN = 2.399963229728653; // golden angle, radians

  /* tree: {id, r?, children?: [tree]}; leaves carry r (half size, label room included).
   * edges: [[leafId, leafId, weight]]; previous: {id: {x, y}} absolute positions to start from.
   * options: {gap: [top level, deeper...], pad, iterations, aspect: canvas width / height}
   * returns {id: {x, y, hw, hh}}: centre and half extents of every leaf and box. */
  function nestedLayout(tree, edges, previous, options) {
    options = options || {};
    var gaps = options.gap || [46, 22, 12];
    var pad = options.pad === undefined ? 14 : options.pad;
    var iterations = options.iterations || 260;
    var aspect = Math.max(0.5, Math.min(3, options.aspect || 1));
    previous = previous || {};

    // chain of ancestors for every leaf: [top child, ..., leaf]
    var chain = {};
    (function walk(node, path) {
      (node.children || []).forEach(function (child) {
        var p = path.concat([child.id]);
        if (child.children && child.children.length) { walk(child, p); } else { chain[child.id] = p; }
      });
    })(tree, []);

    // attraction pairs per box: box id -> [[childA, childB, weight]]
    var pairs = {};
    edges.forEach(function (e) {
      var a = chain[e[0]], b = chain[e[1]];
      if (!a || !b) { return; }
      var k = 0;
      while (k < a.length && k < b.length && a[k] === b[k]) { k += 1; }
      if (k >= a.length || k >= b.length) { return; }
      var box = k === 0 ? tree.id : a[k - 1];
      (pairs[box] = pairs[box] || []).push([a[k], b[k], e[2] || 1]);
    });

    var rel = {}; // id -> centre relative to the parent's centre
    var half = {}; // id -> [half width, half height]

    function layoutBox(node, depth) {
      var kids = node.children || [];
      kids.forEach(function (c) {
        if (c.children && c.children.length) { layoutBox(c, depth + 1); } else { half[c.id] = [c.r || 10, c.r || 10]; }
      });
      var gap = gaps[Math.min(depth, gaps.length - 1)];
      var pos = placeLevel(kids, pairs[node.id] || [], gap, node, depth);
      var w = 0, h = 0;
      kids.forEach(function (c, i) {
        rel[c.id] = pos[i];
        w = Math.max(w, Math.abs(pos[i].x) + half[c.id][0]);
        h = Math.max(h, Math.abs(pos[i].y) + half[c.id][1]);
      });
      half[node.id] = [w + pad, h + pad];
    }

    function discRadius(id) {
      return Math.max(half[id][0], half[id][1]);
    }

    function startPositions(kids, node) {
      // previous absolute positions, made relative to the centre of those known
      var known = kids.map(function (c) { return previous[c.id] || null; });
      var count = known.filter(Boolean).length;
      var cx = 0, cy = 0;
      known.forEach(function (p) { if (p) { cx += p.x; cy += p.y; } });
      if (count) { cx /= count; cy /= count; }
      var mean = 0;
      kids.forEach(function (c) { mean += discRadius(c.id); });
      mean = kids.length ? mean / kids.length : 10;
      // big children near the centre of the spiral
      var order = kids.map(function (c, i) { return i; }).sort(function (a, b) {
        return discRadius(kids[b].id) - discRadius(kids[a].id) || a - b;
      });
      var spiral = [];
      order.forEach(function (i, rank) {
        var d = 2.1 * mean * Math.sqrt(rank + 0.5);
        spiral[i] = { x: d * Math.cos(rank * GOLDEN), y: d * Math.sin(rank * GOLDEN) };
      });
      var anchor = previous[node.id];
      return {
        positions: kids.map(function (c, i) {
          if (known[i]) { return { x: known[i].x - cx, y: known[i].y - cy }; }
          if (anchor && count) { return { x: anchor.x - cx + spiral[i].x * 0.5, y: anchor.y - cy + spiral[i].y * 0.5 }; }
          return spiral[i];
        }),
        known: known.map(Boolean),
        warm: count === kids.length && count > 0,
        partial: count > 0 && count < kids.length
      };
    }

    function placeLevel(kids, links, gap, node, depth) {
      var n = kids.length;
      if (n === 0) { return []; }
      if (n === 1) { return [{ x: 0, y: 0 }]; }
      var index = {};
      kids.forEach(function (c, i) { index[c.id] = i; });
      var r = kids.map(function (c) { return discRadius(c.id); });
      var hw = kids.map(function (c) { return half[c.id][0]; });
      var hh = kids.map(function (c) { return half[c.id][1]; });
      var start = startPositions(kids, node);
      var x = start.positions.map(function (p) { return p.x; });
      var y = start.positions.map(function (p) { return p.y; });
      var adj = {};
      links.forEach(function (l) {
        var a = index[l[0]], b = index[l[1]];
        if (a === undefined || b === undefined || a === b) { return; }
        var key = a < b ? a + ":" + b : b + ":" + a;
        adj[key] = (adj[key] || 0) + l[2];
      });
      var springs = Object.keys(adj).sort().map(function (key) {
        var ab = key.split(":");
        return [Number(ab[0]), Number(ab[1]), 1 + Math.log(1 + adj[key])];
      });
      var total = 0;
      r.forEach(function (v) { total += v; });
      var spread = Math.sqrt(n) * (total / n + gap);
      // a re-layout keeps what the reader has seen: known children only make room (no forces
      // at all when every child is known), new ones settle around them
      var steps = start.warm ? 0 : iterations;
      var temp0 = start.partial ? spread * 0.2 : spread * 0.6;
      var mobility = start.known.map(function (k) { return start.partial && k ? 0.25 : 1; });
      var gravity = 0.25 * Math.sqrt(n);
      // at the top level, pull less sideways so the picture matches a wide canvas
      var gx = depth === 0 ? gravity / aspect : gravity, gy = depth === 0 ? gravity * aspect : gravity;
      var dx = new Float64Array(n), dy = new Float64Array(n);
      for (var it = 0; it < steps; it += 1) {
        var temp = temp0 * (1 - it / steps) + 0.5;
        dx.fill(0);
        dy.fill(0);
        for (var i = 0; i < n; i += 1) {
          for (var j = i + 1; j < n; j += 1) {
            var ddx = x[i] - x[j], ddy = y[i] - y[j];
            var d2 = ddx * ddx + ddy * ddy;
            if (d2 < 1e-6) { ddx = Math.cos(i + j); ddy = Math.sin(i + j); d2 = 1; }
            var k = r[i] + r[j] + gap;
            if (d2 > 2.56 * k * k) { continue; } // repulsion only at short range (grid-variant FR)
            var f = (k * k) / d2; // FR repulsion k²/d, divided by d once more for the unit vector
            dx[i] += ddx * f; dy[i] += ddy * f;
            dx[j] -= ddx * f; dy[j] -= ddy * f;
          }
        }
        for (var s = 0; s < springs.length; s += 1) {
          var a = springs[s][0], b = springs[s][1], w = springs[s][2];
          var sx = x[a] - x[b], sy = y[a] - y[b];
          var dist = Math.sqrt(sx * sx + sy * sy) + 1e-9;
          var ideal = r[a] + r[b] + gap;
          var pull = (dist / ideal) * w; // FR attraction d²/k, per unit vector
          dx[a] -= sx * pull * 0.5; dy[a] -= sy * pull * 0.5;
          dx[b] += sx * pull * 0.5; dy[b] += sy * pull * 0.5;
        }
        for (var g = 0; g < n; g += 1) {
          // gravity keeps unconnected children from drifting away
          dx[g] -= x[g] * gx;
          dy[g] -= y[g] * gy;
          var len = Math.sqrt(dx[g] * dx[g] + dy[g] * dy[g]);
          if (len > 0) {
            var step = Math.min(len, temp) * mobility[g];
            x[g] += (dx[g] / len) * step;
            y[g] += (dy[g] / len) * step;
          }
        }
      }
      separate(x, y, hw, hh, gap * 0.6, n);
      if (depth === 0 && aspect > 1.05 && n > 2 && !start.warm && !start.partial) {
        alignMajorAxis(x, y, n);
        // removing overlaps undoes part of a stretch, so stretch and separate a few times
        for (var round = 0; round < 4; round += 1) {
          stretchTo(x, y, hw, hh, n, aspect);
          separate(x, y, hw, hh, gap * 0.6, n);
        }
      }
      // centre the children on their bounding box
      var box = bounds(x, y, hw, hh, n);
      var mx = (box[0] + box[1]) / 2, my = (box[2] + box[3]) / 2;
      var out = [];
      for (var o = 0; o < n; o += 1) { out.push({ x: x[o] - mx, y: y[o] - my }); }
      return out;
    }

    layoutBox(tree, 0);
    var result = {};
    (function place(node, ox, oy) {
      (node.children || []).forEach(function (c) {
        var px = ox + rel[c.id].x, py = oy + rel[c.id].y;
        result[c.id] = { x: px, y: py, hw: half[c.id][0], hh: half[c.id][1] };
        if (c.children && c.children.length) { place(c, px, py); }
      });
    })(tree, 0, 0);
    return result;
  }

  function bounds(x, y, hw, hh, n) {
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (var i = 0; i < n; i += 1) {
      minX = Math.min(minX, x[i] - hw[i]); maxX = Math.max(maxX, x[i] + hw[i]);
      minY = Math.min(minY, y[i] - hh[i]); maxY = Math.max(maxY, y[i] + hh[i]);
    }
    return [minX, maxX, minY, maxY];
  }

  // rotate so the longest extent of the arrangement runs along x (canvases are wide);
  // a rotation keeps every distance between centres
  function alignMajorAxis(x, y, n) {
    var mx = 0, my = 0, i;
    for (i = 0; i < n; i += 1) { mx += x[i]; my += y[i]; }
    mx /= n; my /= n;
    var sxx = 0, syy = 0, sxy = 0;
    for (i = 0; i < n; i += 1) {
      var ax = x[i] - mx, ay = y[i] - my;
      sxx += ax * ax; syy += ay * ay; sxy += ax * ay;
    }
    var theta = 0.5 * Math.atan2(2 * sxy, sxx - syy); // angle of the major axis
    var c = Math.cos(-theta), s = Math.sin(-theta);
    for (i = 0; i < n; i += 1) {
      var px = x[i] - mx, py = y[i] - my;
      x[i] = px * c - py * s;
      y[i] = px * s + py * c;
    }
  }

  // widen a too-round arrangement towards the canvas' aspect ratio (overlaps are removed after)
  function stretchTo(x, y, hw, hh, n, want) {
    var b = bounds(x, y, hw, hh, n);
    var have = (b[1] - b[0]) / Math.max(1, b[3] - b[2]);
    if (have >= want) { return; }
    var f = Math.sqrt(want / have);
    for (var j = 0; j < n; j += 1) { x[j] *= f; y[j] /= f; }
  }

  // push overlapping rectangles apart along the axis of least overlap until none overlap
  function separate(x, y, hw, hh, gap, n) {
    for (var pass = 0; pass < 300; pass += 1) {
      var moved = false;
      for (var i = 0; i < n; i += 1) {
        for (var j = i + 1; j < n; j += 1) {
          var ddx = x[j] - x[i], ddy = y[j] - y[i];
          var ox = hw[i] + hw[j] + gap - Math.abs(ddx);
          var oy = hh[i] + hh[j] + gap - Math.abs(ddy);
          if (ox <= 0 || oy <= 0) { continue; }
          moved = true;
          if (ox < oy) {
            var sx = ddx > 0 || (ddx === 0 && i % 2 === 0) ? 1 : -1;
            x[i] -= sx * (ox / 2 + 0.01); x[j] += sx * (ox / 2 + 0.01);
          } else {
            var sy = ddy > 0 || (ddy === 0 && j % 2 === 0) ? 1 : -1;
            y[i] -= sy * (oy / 2 + 0.01); y[j] += sy * (oy / 2 + 0.01);
          }
        }
      }
      if (!moved) { return; }
    }
  }

  root.msaNestedLayout = nestedLayout;
  if (typeof module !== "undefined" && module.exports) { module.exports = nestedLayout; }
})(typeof window !== "undefined" ? window : this);
