// Jobs section: the training job service's jobs (GET /ui/api/jobs, which the server forwards to the job service
// it was started with, serve --jobs-server), one job's live curves and log (GET /ui/api/jobs/{id}), cancel, and a
// form that submits a job (POST /ui/api/jobs). The section stays hidden when the server has no job service.

import {getJson, postJson, describe, HttpError} from './api.js';
import {el, fill, fmt, message, notice, clearNotice} from './dom.js';
import {draw, color} from './charts.js';

const body = () => document.getElementById('jobs-body');
let selected = null;
let available = true;

/** Lists the jobs and refreshes the selected one; false when the server has no job service. */
export async function loadJobs() {
  if (!available) {
    return false;
  }
  let data;
  try {
    data = await getJson('/ui/api/jobs');
  } catch (e) {
    if (e instanceof HttpError && e.status === 404) {
      // No --jobs-server: nothing to show, and nothing to poll.
      available = false;
      return false;
    }
    show(true);
    notice(body(), describe(e));
    return true;
  }
  show(true);
  const jobs = data.jobs || [];
  if (jobs.length === 0) {
    fill(body(), message('No jobs yet. Submit one below, or with ringfold jobs submit.'));
    document.getElementById('job-detail').hidden = true;
    return true;
  }
  const table = el('table', {id: 'jobs-table'},
    el('thead', {}, el('tr', {}, ...['Job', 'Name', 'State', 'Engine', 'Epoch', 'Loss', 'Submitted', 'Published']
      .map(h => el('th', {}, h)))));
  const tbody = el('tbody');
  for (const j of jobs) {
    const p = j.progress || {};
    const m = p.metrics || {};
    const tr = el('tr', {class: 'clickable', dataset: {job: j.id, state: j.state}, tabindex: 0, onclick: () => showJob(j.id),
        onkeydown: ev => { if (ev.key === 'Enter') showJob(j.id); }},
      el('td', {class: 'num'}, j.id),
      el('td', {}, j.spec.name),
      el('td', {}, el('span', {class: 'state state-' + j.state.toLowerCase()}, j.state.toLowerCase()),
        j.reason && j.state === 'FAILED' ? el('div', {class: 'reason small'}, j.reason) : null),
      el('td', {}, j.spec.engine),
      el('td', {class: 'num'}, p.epochs ? `${p.epoch}/${p.epochs}` : '–'),
      el('td', {class: 'num'}, fmt(m.loss, 4)),
      el('td', {}, new Date(j.created_at).toLocaleString()),
      el('td', {}, j.published_version !== undefined ? `${j.spec.publish} v${j.published_version}` : (j.spec.publish || '–')));
    tbody.append(tr);
  }
  table.append(tbody);
  fill(body(), table, el('p', {class: 'small muted'}, 'Newest first; click a job to follow it.'));
  const keep = jobs.find(j => j.id === selected);
  await showJob(keep ? keep.id : jobs[0].id);
  return true;
}

function show(on) {
  document.getElementById('jobs').hidden = !on;
  document.getElementById('jobs-link').hidden = !on;
}

export async function showJob(id) {
  selected = id;
  for (const tr of document.querySelectorAll('#jobs-table tbody tr')) {
    tr.classList.toggle('selected', Number(tr.dataset.job) === id);
  }
  const detail = document.getElementById('job-detail');
  let data;
  try {
    data = await getJson('/ui/api/jobs/' + id);
  } catch (e) {
    notice(detail, describe(e));
    return;
  }
  clearNotice(detail);
  const j = data.job;
  detail.hidden = false;
  detail.dataset.job = j.id;
  detail.dataset.state = j.state;
  detail.dataset.epochs = data.epochs.length;
  document.getElementById('job-title').textContent = `Job ${j.id}: ${j.spec.name} (${j.state.toLowerCase()})`;
  document.getElementById('job-meta').textContent = [
    `engine ${j.spec.engine}`, `attempt ${j.attempts}`,
    j.started_at ? `started ${new Date(j.started_at).toLocaleString()}` : 'not started',
    j.finished_at ? `finished ${new Date(j.finished_at).toLocaleString()}` : null,
    j.result && j.result.test_accuracy !== undefined ? `test accuracy ${fmt(j.result.test_accuracy, 4)}` : null,
    `arguments: ${j.spec.arguments.join(' ')}`].filter(Boolean).join(' · ');
  const reason = document.getElementById('job-reason');
  reason.hidden = !j.reason;
  reason.textContent = j.reason ? `Reason: ${j.reason}` : '';
  const cancel = document.getElementById('job-cancel');
  cancel.hidden = !(j.state === 'QUEUED' || j.state === 'RUNNING') || j.cancel_requested;
  cancel.onclick = () => cancelJob(j.id);
  curves(data.epochs);
  document.getElementById('job-log').textContent = data.log.lines.join('\n');
}

function curves(epochs) {
  const labels = epochs.map(e => e.epoch);
  const series = (key, label, i) => epochs.some(e => e.metrics[key] !== undefined)
    ? {label, data: epochs.map(e => e.metrics[key] ?? null), borderColor: color(i), backgroundColor: color(i), tension: 0.2}
    : null;
  const classifier = epochs.some(e => e.metrics.accuracy !== undefined);
  const quality = classifier
    ? [series('accuracy', 'training accuracy', 2), series('validation_accuracy', 'validation accuracy', 3)]
    : [series('rmse', 'training RMSE', 2), series('validation_rmse', 'validation RMSE', 3)];
  document.getElementById('job-quality-caption').textContent = (classifier ? 'Accuracy' : 'RMSE') + ' per epoch (live)';
  const x = {title: {display: true, text: 'epoch'}};
  draw('job-loss-chart', {type: 'line', data: {labels, datasets: [series('loss', 'training loss', 0),
    series('validation_loss', 'validation loss', 1)].filter(Boolean)}, options: {scales: {x}}});
  draw('job-quality-chart', {type: 'line', data: {labels, datasets: quality.filter(Boolean)},
    options: {scales: {x, y: classifier ? {suggestedMax: 1} : {}}}});
}

async function cancelJob(id) {
  try {
    await postJson(`/ui/api/jobs/${id}/cancel`, {});
  } catch (e) {
    notice(document.getElementById('job-detail'), describe(e));
    return;
  }
  await loadJobs();
}

/**
 * The form's arguments as train takes them: split on spaces, with "double" or 'single' quotes keeping a value
 * with spaces in one argument.
 */
export function splitArguments(text) {
  const out = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m;
  while ((m = re.exec(text)) !== null) {
    out.push(m[1] ?? m[2] ?? m[3]);
  }
  return out;
}

document.getElementById('job-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  // Through elements: a form's own properties (form.name) would shadow its fields of the same name.
  const f = ev.target.elements;
  const spec = {name: f.namedItem('name').value.trim(), engine: f.namedItem('engine').value,
    arguments: splitArguments(f.namedItem('arguments').value)};
  if (f.namedItem('workers').value) {
    spec.workers = Number(f.namedItem('workers').value);
  }
  if (f.namedItem('publish').value.trim()) {
    spec.publish = f.namedItem('publish').value.trim();
  }
  const result = document.getElementById('job-submit-result');
  try {
    const job = await postJson('/ui/api/jobs', spec);
    result.className = 'small';
    result.textContent = `Submitted: job ${job.id} (${job.state.toLowerCase()}).`;
    selected = job.id;
    await loadJobs();
  } catch (e) {
    result.className = 'small error';
    result.textContent = describe(e);
  }
});
