// The browser-side script of the HTML report: reads the chart specifications embedded as JSON (built by
// report-charts.ts from the report's numbers) and draws each into its canvas with chart.js. Plain ES2017 text (it
// runs in the browser as is); it computes nothing but colours, styles and tooltips.
export const REPORT_CHARTS_SCRIPT = String.raw`
(function () {
  var specs = JSON.parse(document.getElementById('report-charts').textContent);
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
  var shades = [0.9, 0.5, 0.25, 0.12];

  function color(index) { return index < 0 ? '#6b6b6b' : palette[index % palette.length]; }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function readable(value) {
    if (typeof value !== 'number' || !isFinite(value)) return String(value);
    if (value === 0) return '0';
    var digits = Math.abs(value) >= 100 ? 0 : Math.max(0, 2 - Math.floor(Math.log(Math.abs(value)) / Math.LN10));
    return String(Number(value.toFixed(Math.min(digits, 8))));
  }

  function xyDataset(series) {
    var c = color(series.color);
    var dataset = { label: series.label, data: series.points, style: series.style, borderColor: c, backgroundColor: c,
      showLine: true, pointRadius: 4, borderWidth: 2, fill: false };
    if (series.style === 'band-low' || series.style === 'band-high') {
      dataset.borderWidth = 0;
      dataset.pointRadius = 0;
      dataset.pointHitRadius = 0;
      dataset.backgroundColor = alpha(c, 0.15);
      if (series.style === 'band-high') dataset.fill = '-1';
    } else if (series.style === 'invalid') {
      dataset.showLine = false;
      dataset.pointStyle = 'crossRot';
      dataset.pointRadius = 7;
      dataset.borderWidth = 2;
    } else if (series.style === 'limit') {
      dataset.borderDash = [6, 4];
      dataset.borderWidth = 1.5;
      dataset.pointRadius = 0;
      dataset.pointHitRadius = 4;
    } else if (series.style === 'reference') {
      dataset.borderDash = [2, 3];
      dataset.pointRadius = 3;
    } else if (series.style === 'points') {
      dataset.showLine = false;
    }
    return dataset;
  }

  function xyConfig(spec) {
    return {
      type: 'scatter',
      data: { datasets: spec.series.map(xyDataset) },
      options: {
        animation: false,
        responsive: true,
        aspectRatio: 1.8,
        scales: {
          x: { title: { display: true, text: spec.xLabel } },
          y: spec.logY
            ? { type: 'logarithmic', title: { display: true, text: spec.yLabel }, ticks: { callback: function (value) {
                // Label 1, 2 and 5 of each decade only.
                var decade = Math.pow(10, Math.floor(Math.log(value) / Math.LN10 + 1e-9));
                var lead = Math.round(value / decade);
                return (lead === 1 || lead === 2 || lead === 5) && Math.abs(value - lead * decade) < decade * 1e-6
                  ? readable(value) + spec.unit : '';
              } } }
            : { beginAtZero: !spec.fitY, title: { display: true, text: spec.yLabel } }
        },
        plugins: {
          legend: { display: spec.legend !== false, labels: { filter: function (item, data) {
            var style = data.datasets[item.datasetIndex].style;
            return style !== 'band-low' && style !== 'band-high';
          } } },
          tooltip: { callbacks: { label: function (item) {
            var point = item.raw || {};
            return item.dataset.label + ': ' + readable(point.y) + spec.unit + (point.note ? ' — ' + point.note : '');
          } } }
        }
      }
    };
  }

  function barConfig(spec) {
    return {
      type: 'bar',
      data: {
        labels: spec.categories,
        datasets: spec.segments.map(function (segment) {
          var c = color(segment.color);
          return { label: segment.label, data: segment.values, notes: segment.notes, stack: segment.stack,
            legendEntry: segment.legend, device: segment.device, backgroundColor: alpha(c, shades[Math.min(segment.shade, shades.length - 1)]),
            borderColor: c, borderWidth: 1 };
        })
      },
      options: {
        animation: false,
        responsive: true,
        aspectRatio: 1.8,
        scales: {
          x: { stacked: true, title: { display: true, text: spec.xLabel } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: spec.yLabel } }
        },
        plugins: {
          legend: { labels: {
            filter: function (item, data) { return data.datasets[item.datasetIndex].legendEntry; },
            generateLabels: function (chart) {
              return Chart.defaults.plugins.legend.labels.generateLabels(chart).map(function (label) {
                label.text = chart.data.datasets[label.datasetIndex].device;
                return label;
              });
            }
          } },
          tooltip: { callbacks: { label: function (item) {
            return item.dataset.notes[item.dataIndex] || (item.dataset.label + ': ' + readable(item.raw) + spec.unit);
          } } }
        }
      }
    };
  }

  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    new Chart(canvas, spec.kind === 'bars' ? barConfig(spec) : xyConfig(spec));
  });
})();
`;
