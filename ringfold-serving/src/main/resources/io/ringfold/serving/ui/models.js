// Models section: every model of the repository with its versions and their state, labels, evaluation and
// provenance (GET /ui/api/models).

import {getJson, describe} from './api.js';
import {el, fill, fmt, message, notice} from './dom.js';

const body = () => document.getElementById('models-body');

/** Loads and draws the models; returns the list (or null when it failed, leaving the last one shown). */
export async function loadModels() {
  let data;
  try {
    data = await getJson('/ui/api/models');
  } catch (e) {
    notice(body(), describe(e));
    return null;
  }
  render(data);
  return data.models;
}

function render(data) {
  if (data.models.length === 0) {
    fill(body(), message('No models in the repository yet. Train one, e.g. ./ringfold quickstart --no-serve.'));
    return;
  }
  const table = el('table', {id: 'models-table'},
    el('thead', {}, el('tr', {}, ...['Model', 'Version', 'State', 'Labels', 'Architecture', 'Test metrics',
      'Requests', 'Provenance'].map(h => el('th', {}, h)))));
  const tbody = el('tbody');
  for (const m of data.models) {
    const versions = m.versions.length ? m.versions : [{version: '–', state: m.state, reason: m.reason}];
    versions.forEach((v, i) => tbody.append(row(m, v, i === 0, versions.length)));
  }
  table.append(tbody);
  fill(body(), table);
}

function row(model, v, first, span) {
  const tr = el('tr', {dataset: {model: model.name, version: v.version, state: v.state}});
  if (first) {
    tr.append(el('td', {rowspan: span, class: 'name'}, el('strong', {}, model.name),
      model.state !== 'ready' ? el('div', {class: 'small muted'}, model.state + (model.reason ? ': ' + model.reason : '')) : null));
  }
  tr.append(el('td', {class: 'num'}, v.version));
  tr.append(el('td', {}, el('span', {class: 'state state-' + v.state.replace(' ', '-'), title: v.reason || ''}, v.state),
    v.reason ? el('div', {class: 'small reason'}, v.reason) : null));
  const labels = Object.entries(model.labels).filter(([, ver]) => String(ver) === String(v.version)).map(([l]) => l);
  tr.append(el('td', {}, labels.length ? labels.map(l => el('span', {class: 'tag'}, l)) : '–'));
  tr.append(el('td', {}, v.architecture ? el('code', {}, v.architecture)
      : v.platform && v.platform !== 'ringfold' ? el('code', {title: (v.inputs || []).concat(v.outputs || []).join('\n')}, v.platform) : '–',
    v.parameters ? el('div', {class: 'small muted'}, fmt(v.parameters) + ' parameters') : null));
  tr.append(el('td', {}, metrics(v.evaluation)));
  tr.append(el('td', {class: 'num'}, v.requests ? `${fmt(v.requests.success)} ok / ${fmt(v.requests.failure)} failed` : '–'));
  tr.append(el('td', {}, provenance(v)));
  return tr;
}

function metrics(e) {
  if (!e) {
    return '–';
  }
  if (e.error) {
    return el('span', {class: 'error small'}, e.error);
  }
  const shown = [['accuracy', 'accuracy'], ['logLoss', 'log loss'], ['macroF1', 'macro F1'], ['auc', 'AUC'], ['prAuc', 'PR AUC'],
    ['rmse', 'RMSE'], ['mae', 'MAE'], ['r2', 'R²'], ['count', 'test rows']];
  const items = shown.filter(([k]) => e[k] !== undefined).map(([k, label]) => el('div', {class: 'small'}, `${label} ${fmt(e[k], 4)}`));
  return items.length ? items : '–';
}

function provenance(v) {
  const p = v.provenance;
  if (!p) {
    return '–';
  }
  const details = el('details', {},
    el('summary', {}, `seed ${p.seed}, ${p.data_source}`),
    el('dl', {class: 'small'},
      ...[['created', p.created_at], ['ringfold', p.ringfold_version], ['data fingerprint', p.data_fingerprint],
        ['parameter digest', v.parameter_digest], ['BLAS', p.blas], ['Java', p.java], ['OS', p.os],
        ['CPU', `${p.cpu} (${p.cpu_architecture})`],
        ...(p.privacy ? [['privacy', `(ε ${fmt(p.privacy.epsilon, 3)}, δ ${p.privacy.delta}) DP-SGD, noise multiplier `
          + `${fmt(p.privacy.noise_multiplier, 4)}, clip ${p.privacy.clip}, ${p.privacy.steps} steps`]] : [])]
        .flatMap(([k, val]) => [el('dt', {}, k), el('dd', {}, val)]),
      el('dt', {}, 'hyperparameters'), el('dd', {}, el('pre', {}, JSON.stringify(p.hyperparameters, null, 1)))));
  return details;
}
