// Runs section: the run records found under the served repository (GET /ui/api/runs), and for one run its
// loss and accuracy curves per epoch, confusion matrix and per-rank compute vs wait time (GET /ui/api/runs/{id}).

import {getJson, describe} from './api.js';
import {el, fill, fmt, message, notice, clearNotice} from './dom.js';
import {draw, color} from './charts.js';

const body = () => document.getElementById('runs-body');
let selected = null;

export async function loadRuns() {
  let data;
  try {
    data = await getJson('/ui/api/runs');
  } catch (e) {
    notice(body(), describe(e));
    return;
  }
  const unreadable = unreadableList(data.unreadable || []);
  if (data.runs.length === 0) {
    fill(body(), message(`No run records under ${data.repository}. They are written next to each model by ringfold train --out and ringfold quickstart.`),
      ...unreadable);
    return;
  }
  const table = el('table', {id: 'runs-table'},
    el('thead', {}, el('tr', {}, ...['Run', 'Started', 'Model', 'Epochs', 'Workers', 'Test accuracy', 'Test RMSE',
      'Privacy (ε, δ)', 'Duration'].map(h => el('th', {}, h)))));
  const tbody = el('tbody');
  for (const r of data.runs) {
    const tr = el('tr', {class: 'clickable', dataset: {run: r.id}, tabindex: 0, onclick: () => showRun(r.id),
        onkeydown: ev => { if (ev.key === 'Enter') showRun(r.id); }},
      el('td', {}, el('code', {}, r.id)),
      el('td', {}, new Date(r.started_at).toLocaleString()),
      el('td', {}, r.model ? `${r.model} v${r.version}` : r.location),
      el('td', {class: 'num'}, r.epoch_count),
      el('td', {class: 'num'}, fmt(r.workers)),
      el('td', {class: 'num'}, fmt(r.test_accuracy, 4)),
      el('td', {class: 'num'}, fmt(r.test_rmse, 4)),
      el('td', {class: 'num'}, privacy(r)),
      el('td', {class: 'num'}, fmt(r.duration_seconds, 2) + ' s'));
    tbody.append(tr);
  }
  table.append(tbody);
  fill(body(), table, el('p', {class: 'small muted'}, `Run records under ${data.repository}; click a run to see it.`),
    ...unreadable);
  const keep = data.runs.find(r => r.id === selected);
  await showRun(keep ? keep.id : data.runs[0].id);
}

// A private run's guarantee (DP-SGD: train --dp-clip), '–' for a run that is not private.
function privacy(r) {
  return r.dp_epsilon === undefined ? '–' : `(${fmt(r.dp_epsilon, 3)}, ${r.dp_delta})`;
}

// Records the server could not read (not JSON, wrong field types, too large), each with where it is and why;
// the other runs are listed as usual.
function unreadableList(records) {
  if (records.length === 0) {
    return [];
  }
  return [el('p', {class: 'small'}, `${records.length} run record${records.length === 1 ? '' : 's'} could not be read:`),
    el('ul', {id: 'runs-unreadable', class: 'small'},
      ...records.map(u => el('li', {}, el('code', {}, u.location), ': ', u.error)))];
}

export async function showRun(id) {
  selected = id;
  for (const tr of document.querySelectorAll('#runs-table tbody tr')) {
    tr.classList.toggle('selected', tr.dataset.run === id);
  }
  const detail = document.getElementById('run-detail');
  let run;
  try {
    run = await getJson('/ui/api/runs/' + encodeURIComponent(id));
  } catch (e) {
    notice(detail, describe(e));
    return;
  }
  clearNotice(detail);
  detail.hidden = false;
  detail.dataset.run = run.id;
  detail.dataset.epochs = run.epochs.length;
  document.getElementById('run-title').textContent = `Run ${run.id}` + (run.model ? ` → ${run.model} version ${run.version}` : '');
  const s = run.summary;
  document.getElementById('run-meta').textContent = [
    `${run.epochs.length} epochs`, s.workers ? `${s.workers} workers` : null,
    s.train_rows ? `${fmt(s.train_rows)} training rows` : null,
    s.samples_per_second ? `${fmt(Math.round(s.samples_per_second))} samples/s` : null,
    `${fmt(run.duration_seconds, 2)} s`, s.blas ? `BLAS ${s.blas}` : null,
    s.dp_epsilon !== undefined ? `(ε ${fmt(s.dp_epsilon, 3)}, δ ${s.dp_delta})-differentially private` : null,
    `arguments: ${run.arguments.join(' ')}`].filter(Boolean).join(' · ');
  curves(run);
  confusion(run);
  ranks(run);
  pipeline(run);
}

function curves(run) {
  const labels = run.epochs.map(e => e.epoch);
  const series = (key, label, i) => run.epochs.some(e => e[key] !== undefined)
    ? {label, data: run.epochs.map(e => e[key] ?? null), borderColor: color(i), backgroundColor: color(i), tension: 0.2}
    : null;
  const loss = [series('loss', 'training loss', 0), series('validation_loss', 'validation loss', 1)].filter(Boolean);
  const classifier = run.epochs.some(e => e.accuracy !== undefined);
  const quality = classifier
    ? [series('accuracy', 'training accuracy', 2), series('validation_accuracy', 'validation accuracy', 3)]
    : [series('rmse', 'training RMSE', 2), series('validation_rmse', 'validation RMSE', 3)];
  document.getElementById('quality-caption').textContent = classifier ? 'Accuracy per epoch' : 'RMSE per epoch';
  const x = {title: {display: true, text: 'epoch'}};
  draw('loss-chart', {type: 'line', data: {labels, datasets: loss}, options: {scales: {x}}});
  draw('quality-chart', {type: 'line', data: {labels, datasets: quality.filter(Boolean)},
    options: {scales: {x, y: classifier ? {suggestedMax: 1} : {}}}});
}

function confusion(run) {
  const box = document.getElementById('confusion');
  const m = run.evaluation && run.evaluation.confusion;
  if (!m) {
    fill(box, message(run.evaluation_error || 'No confusion matrix (not a classifier, or no test split).'));
    return;
  }
  const names = run.class_names && run.class_names.length === m.length ? run.class_names : m.map((_, i) => String(i));
  const table = el('table', {class: 'confusion', id: 'confusion-table'},
    el('thead', {}, el('tr', {}, el('th', {}, 'true \\ predicted'), ...names.map(n => el('th', {}, n)))));
  const tbody = el('tbody');
  m.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const tr = el('tr', {}, el('th', {}, names[i]));
    row.forEach((c, j) => {
      const td = el('td', {class: 'num' + (i === j ? ' diag' : ''), title: `${names[i]} predicted as ${names[j]}: ${c}`}, c);
      const share = c / total;
      // Correct predictions in blue, mistakes in red, as strong as their share of the true class.
      td.style.backgroundColor = i === j ? `rgba(37, 99, 235, ${share * 0.8})` : `rgba(220, 38, 38, ${Math.min(1, share * 3) * 0.8})`;
      if (share > 0.5) {
        td.style.color = '#fff';
      }
      tr.append(td);
    });
    tbody.append(tr);
  });
  table.append(tbody);
  fill(box, table, el('p', {class: 'small muted'},
    `${fmt(run.evaluation.count)} test rows, accuracy ${fmt(run.evaluation.accuracy, 4)}`));
}

/** A pipeline run: each worker's last epoch as stage · replica, with the measured bubble against GPipe's analytic one. */
function pipeline(run) {
  const p = run.summary.pipeline;
  const figure = document.getElementById('pipeline-figure');
  figure.hidden = !p || p.stage_telemetry.length === 0;
  if (figure.hidden) {
    return;
  }
  const last = Math.max(...p.stage_telemetry.map(t => t.epoch));
  const t = p.stage_telemetry.filter(w => w.epoch === last);
  const bubble = t.reduce((a, w) => a + w.bubble_fraction, 0) / t.length;
  document.getElementById('pipeline-caption').textContent =
    `Pipeline: ${p.stages} stages, ${p.micro_batches} micro-batches, ${p.schedule}; boundaries ${p.boundaries.join(', ') || 'none'}; ` +
    `mean bubble ${fmt(100 * bubble, 1)}% (GPipe's analysis: ${fmt(100 * p.analytic_bubble, 1)}%), epoch ${last}`;
  draw('pipeline-chart', {
    type: 'bar',
    data: {
      labels: t.map(w => `stage ${w.stage} · replica ${w.replica}`),
      datasets: [
        {label: 'compute (s)', data: t.map(w => w.compute_seconds), backgroundColor: color(0)},
        {label: 'waiting for stages (s)', data: t.map(w => w.transfer_seconds), backgroundColor: color(4)},
        {label: 'gradient exchange (s)', data: t.map(w => w.collective_seconds), backgroundColor: color(2)}]
    },
    options: {indexAxis: 'y', scales: {x: {stacked: true, title: {display: true, text: 'seconds'}}, y: {stacked: true}}}
  });
}

function ranks(run) {
  const t = run.telemetry;
  const canvas = document.getElementById('ranks-chart');
  canvas.closest('figure').hidden = t.length === 0;
  if (t.length === 0) {
    return;
  }
  draw('ranks-chart', {
    type: 'bar',
    data: {
      labels: t.map(r => 'rank ' + r.rank),
      datasets: [
        {label: 'compute (s)', data: t.map(r => r.compute_seconds), backgroundColor: color(0)},
        {label: 'waiting (s)', data: t.map(r => r.wait_seconds), backgroundColor: color(4)}]
    },
    options: {indexAxis: 'y', scales: {x: {stacked: true, title: {display: true, text: 'seconds'}}, y: {stacked: true}}}
  });
}
