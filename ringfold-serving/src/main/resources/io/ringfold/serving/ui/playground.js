// Prediction playground: for an image model of one channel (input [-1, 1, H, H], e.g. Fashion-MNIST's 28x28,
// pixels 0..255) or of 64 FP32 inputs (the bundled 8x8 digits, values 0..16) a grid to paint; for any other
// model a form built from its input signature (GET /v2/models/{m}, and the column names from /ui/api/models).
// Either sends one example to POST /v2/models/{m}/infer in the input's own shape and shows the result: class
// probabilities as bars for a classifier, the value for a regressor.

import {getJson, postJson, describe} from './api.js';
import {el, fill, fmt, message} from './dom.js';

let SIDE = 8;
let MAX = 16;            // the digits' largest value; an IDX image's pixels go to 255
let models = [];
let current = null;      // {name, meta, version}
let grid = new Array(SIDE * SIDE).fill(0);
let inFlight = false;
let pending = false;

const select = () => document.getElementById('pg-model');
const input = () => document.getElementById('pg-input');
const result = () => document.getElementById('pg-result');

/** Refreshes the model choice from the models list; keeps the current model when it still serves. */
export function setModels(list) {
  const ready = (list || []).filter(m => m.state === 'ready');
  const names = ready.map(m => m.name);
  models = ready;
  const s = select();
  const chosen = current && names.includes(current.name) ? current.name
    : names.includes('digits') ? 'digits' : names[0];
  if ([...s.options].map(o => o.value).join() !== names.join()) {
    fill(s, ...names.map(n => el('option', {value: n}, n)));
    s.onchange = () => choose(s.value);
  }
  if (!chosen) {
    fill(input(), message('No model is serving yet.'));
    current = null;
    return;
  }
  s.value = chosen;
  if (!current || current.name !== chosen) {
    choose(chosen);
  }
}

async function choose(name) {
  current = {name};
  fill(result());
  result().dataset.state = 'idle';
  let meta;
  try {
    meta = await getJson('/v2/models/' + encodeURIComponent(name));
  } catch (e) {
    fill(input(), message(describe(e), 'error'));
    return;
  }
  const info = models.find(m => m.name === name);
  const served = info && info.versions.find(v => v.state === 'ready');
  current = {name, meta, served};
  const tensor = meta.inputs[0];
  const width = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  const image = tensor.shape.length === 4 && tensor.shape[1] === 1 && tensor.shape[2] === tensor.shape[3];
  if (tensor.datatype === 'FP32' && (image || width === 64)) {
    SIDE = image ? tensor.shape[2] : 8;
    MAX = SIDE === 8 ? 16 : 255;
    grid = new Array(SIDE * SIDE).fill(0);
    document.getElementById('pg-hint').textContent = `Paint: click or drag to paint, Shift or the right button to erase. `
      + `${SIDE}x${SIDE} values 0..${MAX}` + (SIDE === 8 ? ' like the bundled digits.' : ', as the IDX images have them.');
    drawGrid();
  } else {
    document.getElementById('pg-hint').textContent = `Input: ${width} ${tensor.datatype} values.`;
    drawForm(tensor, width, served ? served.input.columns : []);
  }
}

// ---- the 8x8 grid ----

function drawGrid() {
  const board = el('div', {id: 'pg-grid', class: 'grid8', oncontextmenu: ev => ev.preventDefault()});
  board.style.gridTemplateColumns = `repeat(${SIDE}, ${SIDE > 8 ? 0.8 : 2.6}rem)`;
  board.style.gridTemplateRows = `repeat(${SIDE}, ${SIDE > 8 ? 0.8 : 2.6}rem)`;
  board.style.gap = SIDE > 8 ? '1px' : '2px';
  let painting = 0;   // 0: not, 1: paint, -1: erase
  const paint = (cell, mode) => {
    const i = Number(cell.dataset.index);
    const r = Math.floor(i / SIDE);
    const c = i % SIDE;
    if (mode > 0) {
      // A soft brush: the cell at full ink, its four neighbours at least half, as a pen stroke on the scanner.
      grid[i] = MAX;
      for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < SIDE && cc >= 0 && cc < SIDE) {
          grid[rr * SIDE + cc] = Math.max(grid[rr * SIDE + cc], MAX / 2);
        }
      }
    } else {
      grid[i] = 0;
    }
    shade(board);
  };
  for (let i = 0; i < SIDE * SIDE; i++) {
    const cell = el('div', {class: 'cell', dataset: {index: i}});
    cell.addEventListener('pointerdown', ev => {
      ev.preventDefault();
      // A touch captures the pointer to the first cell; release it so the stroke can go on over the others.
      if (cell.hasPointerCapture(ev.pointerId)) {
        cell.releasePointerCapture(ev.pointerId);
      }
      painting = ev.button === 2 || ev.shiftKey ? -1 : 1;
      paint(cell, painting);
    });
    board.append(cell);
  }
  let last = null;
  board.addEventListener('pointermove', ev => {
    const cell = document.elementFromPoint(ev.clientX, ev.clientY);
    if (painting && cell && cell.parentElement === board && cell !== last) {
      last = cell;
      paint(cell, painting);
    }
  });
  const stop = () => {
    if (painting) {
      painting = 0;
      last = null;
      predict();
    }
  };
  board.addEventListener('pointerup', stop);
  board.addEventListener('pointerleave', stop);
  shade(board);
  const clear = el('button', {type: 'button', id: 'pg-clear', onclick: () => { grid.fill(0); shade(board); fill(result()); result().dataset.state = 'idle'; }}, 'Clear');
  fill(input(), board, SIDE === 8 ? el('p', {}, clear, ' ',
    el('button', {type: 'button', id: 'pg-example', onclick: () => { grid = ZERO.slice(); shade(board); predict(); }}, 'Example: a zero'))
    : el('p', {}, clear));
}

function shade(board) {
  for (const cell of board.children) {
    const v = grid[Number(cell.dataset.index)];
    cell.dataset.value = v;
    const ink = Math.round(255 * (1 - v / MAX));
    cell.style.backgroundColor = `rgb(${ink}, ${ink}, ${ink})`;
  }
}

/** The first image of the bundled digits data (a zero). */
const ZERO = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
  0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0];

// ---- the form for other models ----

function drawForm(tensor, width, columns) {
  const form = el('form', {id: 'pg-form', class: 'form', onsubmit: ev => { ev.preventDefault(); predict(); }});
  for (let i = 0; i < width; i++) {
    const name = columns[i] || `input ${i}`;
    form.append(el('label', {}, name, el('input', {name: String(i), required: '',
      type: tensor.datatype === 'FP32' ? 'number' : 'text', step: 'any', value: tensor.datatype === 'FP32' ? '0' : ''})));
  }
  form.append(el('button', {type: 'submit'}, 'Predict'));
  fill(input(), form);
}

function row() {
  const form = document.getElementById('pg-form');
  if (!form) {
    return grid.slice();
  }
  const values = [...form.querySelectorAll('input')].map(i => i.value);
  return current.meta.inputs[0].datatype === 'FP32' ? values.map(Number) : values;
}

// ---- inference and the result ----

async function predict() {
  if (!current || !current.meta) {
    return;
  }
  if (inFlight) {
    pending = true;  // one request at a time; the latest picture is sent when this one returns
    return;
  }
  inFlight = true;
  const tensor = current.meta.inputs[0];
  const data = row();
  // One example in the input's own shape: [1, 64] for a vector, [1, 1, 28, 28] for an image.
  const shape = document.getElementById('pg-form') ? [1, data.length] : [1, ...tensor.shape.slice(1)];
  result().dataset.state = 'busy';
  try {
    const res = await postJson('/v2/models/' + encodeURIComponent(current.name) + '/infer', {
      inputs: [{name: tensor.name, shape, datatype: tensor.datatype, data}]
    });
    show(res);
  } catch (e) {
    fill(result(), message(describe(e), 'error'));
    result().dataset.state = 'error';
  } finally {
    inFlight = false;
    if (pending) {
      pending = false;
      predict();
    }
  }
}

function show(res) {
  const out = name => res.outputs.find(o => o.name === name);
  const probs = out('probabilities');
  const box = result();
  if (!probs) {
    const v = out('value');
    fill(box, el('p', {class: 'big', id: 'pg-value'}, 'value ', el('strong', {}, fmt(v.data[0], 4))));
    box.dataset.state = 'done';
    return;
  }
  const names = current.served && current.served.class_names.length === probs.data.length
    ? current.served.class_names : probs.data.map((_, i) => String(i));
  const best = probs.data.indexOf(Math.max(...probs.data));
  const sum = probs.data.reduce((a, b) => a + b, 0);
  const bars = el('div', {id: 'pg-bars', class: 'bars'});
  probs.data.forEach((p, i) => {
    const fillBar = el('span', {class: 'fill'});
    fillBar.style.width = (100 * p).toFixed(1) + '%';
    bars.append(el('div', {class: 'bar' + (i === best ? ' best' : ''), dataset: {class: names[i], probability: p}},
      el('span', {class: 'label'}, names[i]), el('span', {class: 'track'}, fillBar),
      el('span', {class: 'value'}, (100 * p).toFixed(1) + '%')));
  });
  fill(box, el('p', {class: 'big'}, 'prediction ', el('strong', {id: 'pg-class'}, out('class') ? out('class').data[0] : names[best]),
      el('span', {class: 'muted small'}, ` (model ${res.model_name} v${res.model_version})`)),
    bars, el('p', {class: 'small muted', id: 'pg-sum', dataset: {sum}}, `probabilities sum to ${sum.toFixed(6)}`));
  box.dataset.state = 'done';
}
