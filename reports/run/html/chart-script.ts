/**
 * The browser side of the charts: a small script, inlined into the page
 * after uPlot, that reads the chart specs from the page's JSON data block
 * (`<script type="application/json" id="hb-chart-data">`) and draws each into
 * its container. It exposes the uPlot instances as `window.hbCharts` (the
 * browser test checks them). Plain ES2017, no modules, no network.
 */

/** Id of the JSON data block the script reads. */
export const CHART_DATA_ID = 'hb-chart-data';

/** Height of every chart, CSS pixels. */
export const CHART_HEIGHT = 280;

/** The script's source (its sha256 goes into the page's Content-Security-Policy). */
export const CHART_SCRIPT = `(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('${CHART_DATA_ID}').textContent);
  var charts = [];
  window.hbCharts = charts;
  function fmt(v) {
    if (v === null || v === undefined) return '--';
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(1) + 'G';
    if (a >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(0) + 'k';
    if (a >= 100 || a === 0) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    return Number(v.toPrecision(2)).toString();
  }
  // Axis ticks: short, no trailing zeros (50, 2.5, 0.25, 12k).
  function tick(v) {
    if (v === null || v === undefined) return '';
    return Math.abs(v) >= 1e4 ? fmt(v) : String(Number(v.toPrecision(3)));
  }
  function widthOf(el) { return Math.max(320, el.clientWidth || 900); }
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el) return;
    var cats = spec.categories || [];
    var isTime = spec.kind === 'time';
    var series = [{
      label: isTime ? 'time' : 'percentile',
      value: function (u, v) { return v === null || v === undefined ? '--' : isTime ? v + ' s' : (cats[v] || ''); }
    }];
    spec.lines.forEach(function (l) {
      var s = { label: l.label, stroke: l.color, width: 2, value: function (u, v) { return fmt(v); } };
      if (l.dash) s.dash = [6, 4];
      if (l.markers) {
        s.paths = function () { return null; };
        s.points = { show: true, size: 11, width: 2, stroke: '#1b1f24', fill: l.color };
      } else {
        s.points = { show: !isTime, size: 7 };
      }
      series.push(s);
    });
    var xAxis = isTime
      ? { label: 'seconds from the schedule start', values: function (u, splits) { return splits.map(function (v) { return tick(v) + ' s'; }); } }
      : { splits: function () { return spec.x.slice(); }, values: function (u, splits) { return splits.map(function (v) { return cats[v] || ''; }); } };
    var opts = {
      width: widthOf(el),
      height: ${CHART_HEIGHT},
      series: series,
      scales: {
        x: isTime ? { time: false } : { time: false, range: [-0.3, cats.length - 0.7] },
        y: spec.log ? { distr: 3 } : {}
      },
      axes: [xAxis, { label: spec.y, size: 64, values: function (u, splits) { return splits.map(tick); } }]
    };
    var data = [spec.x.slice()].concat(spec.lines.map(function (l) { return l.values.slice(); }));
    var chart = new uPlot(opts, data, el);
    chart.hbId = spec.id;
    charts.push(chart);
  });
  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) { c.setSize({ width: widthOf(c.root.parentNode), height: ${CHART_HEIGHT} }); });
    }, 100);
  });
})();
`;
