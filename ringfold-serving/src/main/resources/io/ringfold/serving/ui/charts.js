// Chart.js (the UMD build the page loads from /ui/vendor/chart.umd.js as the global `Chart`), set up once:
// no animation, so a chart is complete as soon as it is drawn (screenshots, tests, slow machines).

const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

export function available() {
  return typeof window.Chart === 'function';
}

export function color(i) {
  return palette[i % palette.length];
}

/** Draws a chart on the canvas with id `canvasId`, replacing the one there. Returns null without Chart.js. */
export function draw(canvasId, config) {
  const canvas = document.getElementById(canvasId);
  if (!available()) {
    canvas.replaceWith(Object.assign(document.createElement('p'), {
      className: 'error', id: canvasId, textContent: 'Charts unavailable: /ui/vendor/chart.umd.js did not load.'}));
    return null;
  }
  const old = window.Chart.getChart(canvas);
  if (old) {
    old.destroy();
  }
  config.options = Object.assign({animation: false, responsive: true, maintainAspectRatio: false}, config.options || {});
  return new window.Chart(canvas, config);
}

/** The chart drawn on `canvasId`, if any. */
export function get(canvasId) {
  return available() ? window.Chart.getChart(document.getElementById(canvasId)) : undefined;
}
