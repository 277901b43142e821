// Server section: the server's own metrics (GET /ui/api/server), polled. Counts and latency percentiles
// are since the server started; the request rate is the change in requests between two polls.

import {getJson, describe} from './api.js';
import {el, fill, fmt, notice} from './dom.js';
import {draw, get, color} from './charts.js';

const HISTORY = 60;
let previous = null;
const points = {labels: [], rate: [], p50: [], p99: []};

export async function pollServer() {
  let s;
  try {
    s = await getJson('/ui/api/server');
  } catch (e) {
    const stats = document.getElementById('server-stats');
    stats.dataset.state = 'stale';
    notice(stats, describe(e));
    return;
  }
  let rate = null;
  if (previous && s.uptime_seconds > previous.uptime_seconds) {
    rate = (s.total.requests - previous.total.requests) / (s.uptime_seconds - previous.uptime_seconds);
  }
  previous = s;
  stats(s, rate);
  traffic(s, rate);
  batches(s);
}

function stat(label, value, id) {
  return el('div', {class: 'stat', id}, el('div', {class: 'value'}, value), el('div', {class: 'label'}, label));
}

function stats(s, rate) {
  const l = s.total.latency;
  const codes = Object.entries(s.http_responses).map(([c, n]) => `${c}: ${fmt(n)}`).join(', ') || '–';
  const box = document.getElementById('server-stats');
  box.dataset.state = 'live';
  box.dataset.requests = s.total.requests;
  fill(box,
    stat('requests / s', rate === null ? '…' : fmt(rate, 1), 'stat-rate'),
    stat('inference requests', fmt(s.total.requests), 'stat-requests'),
    stat('failed', fmt(s.total.failure), 'stat-failed'),
    stat('latency p50', ms(l.p50_ms), 'stat-p50'),
    stat('latency p90', ms(l.p90_ms), 'stat-p90'),
    stat('latency p99', ms(l.p99_ms), 'stat-p99'),
    stat('mean batch size', fmt(s.total.batch_size.mean, 2), 'stat-batch'),
    stat('ready', s.ready ? 'yes' : 'no', 'stat-ready'),
    el('p', {class: 'small muted wide'}, `HTTP responses by status: ${codes}. Percentiles since start, from the `
      + `histogram buckets of /metrics. Per version: ` + (s.series.map(v => `${v.model} v${v.version} ${fmt(v.requests)} requests, `
      + `p99 ${ms(v.latency.p99_ms)}`).join('; ') || 'none yet') + '.'));
}

function ms(v) {
  return v === null || v === undefined ? '–' : fmt(v, v < 1 ? 3 : 1) + ' ms';
}

function traffic(s, rate) {
  points.labels.push(new Date().toLocaleTimeString());
  points.rate.push(rate);
  points.p50.push(s.total.latency.p50_ms);
  points.p99.push(s.total.latency.p99_ms);
  for (const k of Object.keys(points)) {
    if (points[k].length > HISTORY) {
      points[k].shift();
    }
  }
  const chart = get('traffic-chart');
  if (chart) {
    chart.update();
    return;
  }
  draw('traffic-chart', {
    type: 'line',
    data: {
      labels: points.labels,
      datasets: [
        {label: 'requests/s', data: points.rate, borderColor: color(0), backgroundColor: color(0), yAxisID: 'y'},
        {label: 'p50 latency (ms)', data: points.p50, borderColor: color(2), backgroundColor: color(2), yAxisID: 'ms'},
        {label: 'p99 latency (ms)', data: points.p99, borderColor: color(1), backgroundColor: color(1), yAxisID: 'ms'}]
    },
    options: {
      scales: {
        y: {beginAtZero: true, position: 'left', title: {display: true, text: 'requests/s'}},
        ms: {beginAtZero: true, position: 'right', grid: {drawOnChartArea: false}, title: {display: true, text: 'ms'}}
      }
    }
  });
}

function batches(s) {
  const b = s.total.batch_size.buckets;
  const labels = b.map((x, i) => i === 0 ? String(x.le) : x.le === '+Inf' ? `>${b[i - 1].le}`
    : b[i - 1].le + 1 === x.le ? String(x.le) : `${b[i - 1].le + 1}–${x.le}`);
  const data = b.map(x => x.count);
  const chart = get('batch-chart');
  if (chart) {
    chart.data.datasets[0].data = data;
    chart.update();
    return;
  }
  draw('batch-chart', {
    type: 'bar',
    data: {labels, datasets: [{label: 'batches', data, backgroundColor: color(3)}]},
    options: {scales: {x: {title: {display: true, text: 'rows per batch'}}, y: {beginAtZero: true}}}
  });
}
