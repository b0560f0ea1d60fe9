// The browser-side script of the HTML report: reads the embedded report data and draws the charts with chart.js.
// Plain ES2017 text (it runs in the browser as is). Charts:
//  - speedup vs density, per scheme per device (one chart per op+shape, or per model+method+batch);
//  - step time (latency p50) and peak memory vs density (training measures);
//  - test accuracy vs sparsity per method (training-run);
//  - drift of the median over a sustained run.
export const REPORT_CHARTS_SCRIPT = String.raw`
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var rows = report.rows.map(function (row) { return row.values; });
  var measure = report.campaign.measure;
  var p50 = report.columns.filter(function (c) { return /^latencyP50Ms$/.test(c); })[0] ||
    report.columns.filter(function (c) { return /^latencyP/.test(c); })[0];
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var container = document.getElementById('charts');

  function groupBy(list, keyOf) {
    var groups = {};
    var order = [];
    list.forEach(function (item) {
      var key = keyOf(item);
      if (!(key in groups)) { groups[key] = []; order.push(key); }
      groups[key].push(item);
    });
    return order.map(function (key) { return { key: key, items: groups[key] }; });
  }

  function addChart(title, xLabel, yLabel, series) {
    if (series.length === 0) return;
    var figure = document.createElement('figure');
    var caption = document.createElement('figcaption');
    caption.textContent = title;
    var canvas = document.createElement('canvas');
    figure.appendChild(caption);
    figure.appendChild(canvas);
    container.appendChild(figure);
    new Chart(canvas, {
      type: 'scatter',
      data: {
        datasets: series.map(function (s, i) {
          return {
            label: s.label,
            data: s.points.slice().sort(function (a, b) { return a.x - b.x; }),
            showLine: true,
            borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length],
            pointStyle: s.points.map(function (p) { return p.valid ? 'circle' : 'crossRot'; }),
            pointRadius: 4
          };
        })
      },
      options: {
        animation: false,
        scales: { x: { title: { display: true, text: xLabel } }, y: { title: { display: true, text: yLabel } } },
        plugins: { tooltip: { callbacks: { footer: function (items) {
          var point = items[0] && items[0].raw;
          return point && !point.valid ? 'invalid: ' + point.reasons : '';
        } } } }
      }
    });
  }

  function seriesOf(list, labelOf, xOf, yOf) {
    return groupBy(list.filter(function (r) { return yOf(r) !== null && xOf(r) !== null; }), labelOf).map(function (g) {
      return { label: g.key, points: g.items.map(function (r) {
        return { x: xOf(r), y: yOf(r), valid: r.valid, reasons: r.invalidReasons };
      }) };
    });
  }

  var schemeDevice = function (r) { return r.scheme + ' · ' + r.deviceName; };
  var chartGroup = function (r) {
    if (measure === 'kernel') return r.op + ' [' + r.shape + ']';
    return r.model + ' ' + r.method + (r.batchSize === null ? '' : ' b=' + r.batchSize);
  };
  var density = function (r) { return r.density; };

  if (measure !== 'training-run') {
    groupBy(rows, chartGroup).forEach(function (g) {
      addChart('Speedup vs density: ' + g.key, 'density', 'speedup (dense p50 / sparse p50)',
        seriesOf(g.items, schemeDevice, density, function (r) { return r.speedup > 0 ? r.speedup : null; }));
    });
  }
  if (measure !== 'kernel') {
    groupBy(rows, chartGroup).forEach(function (g) {
      addChart('Step time (p50) vs density: ' + g.key, 'density', 'step time p50 (ms)',
        seriesOf(g.items, schemeDevice, density, function (r) { return p50 ? r[p50] : null; }));
      addChart('Peak memory vs density: ' + g.key, 'density', 'peak memory (MiB)',
        seriesOf(g.items, schemeDevice, density, function (r) {
          return r.peakMemoryBytes > 0 ? r.peakMemoryBytes / 1048576 : null;
        }));
    });
  }
  if (measure === 'training-run') {
    addChart('Test accuracy vs sparsity per method', 'sparsity (1 − density)', 'test accuracy',
      seriesOf(rows, function (r) { return r.method + ' · ' + r.scheme + ' · ' + r.deviceName; },
        function (r) { return 1 - r.density; }, function (r) { return r.testAccuracy; }));
  }
  var drifting = report.rows.filter(function (row) { return row.drift.length > 0; });
  if (drifting.length > 0) {
    addChart('Drift over the sustained run (median per window)', 'time since start of sustained phase (s)', 'median (ms)',
      drifting.map(function (row) {
        return { label: row.values.cell + ' · ' + row.values.deviceName, points: row.drift.map(function (d) {
          return { x: d.offsetMs / 1000, y: d.medianMs, valid: row.values.valid, reasons: row.values.invalidReasons };
        }) };
      }));
  }
  if (container.children.length === 0) container.textContent = 'No measurements to plot yet.';
})();
`;
