// The dashboard's entry point: loads every section, polls the server's metrics, and shows the connection
// state. When the server cannot be reached the banner says so and the sections keep their last data; the
// polls go on, and everything reloads when it answers again.

import {onConnection, setToken} from './api.js';
import {loadModels} from './models.js';
import {loadRuns} from './runs.js';
import {pollServer} from './server.js';
import {loadJobs} from './jobs.js';
import {setModels} from './playground.js';

const SERVER_POLL_MS = 2000;
const MODELS_POLL_MS = 10000;
const JOBS_POLL_MS = 2000;

const banner = document.getElementById('banner');
const pill = document.getElementById('connection');
const tokenForm = document.getElementById('token-form');
let wasOffline = false;

onConnection((state, detail) => {
  pill.dataset.state = state;
  document.body.dataset.connection = state;
  if (state === 'offline') {
    pill.textContent = 'offline';
    banner.hidden = false;
    banner.dataset.kind = 'offline';
    banner.textContent = `Server unreachable: ${detail}. Retrying every ${SERVER_POLL_MS / 1000} s; `
      + 'the data shown is from the last successful update.';
    wasOffline = true;
  } else if (state === 'auth') {
    pill.textContent = 'token required';
    banner.hidden = false;
    banner.dataset.kind = 'auth';
    banner.textContent = `The server refused the request: ${detail}.`;
    tokenForm.hidden = false;
  } else {
    pill.textContent = 'online';
    banner.hidden = true;
    tokenForm.hidden = true;
    if (wasOffline) {
      wasOffline = false;
      refreshAll();
    }
  }
});

tokenForm.addEventListener('submit', ev => {
  ev.preventDefault();
  setToken(document.getElementById('token-input').value.trim());
  refreshAll();
});

async function refreshModels() {
  const list = await loadModels();
  if (list) {
    setModels(list);
  }
}

async function refreshAll() {
  await Promise.all([refreshModels(), loadRuns(), pollServer(), loadJobs()]);
  document.body.dataset.loaded = 'true';
}

document.getElementById('refresh').addEventListener('click', () => refreshAll());

refreshAll();
setInterval(pollServer, SERVER_POLL_MS);
setInterval(refreshModels, MODELS_POLL_MS);
// Until the server says it has no job service (loadJobs returns false, and every later call returns at once).
setInterval(loadJobs, JOBS_POLL_MS);
