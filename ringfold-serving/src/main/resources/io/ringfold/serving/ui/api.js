// Every call the page makes to the server goes through here: the bearer token (when the server asks for
// one), and the connection state shown in the header and the banner.

const TOKEN_KEY = 'ringfold.token';

/** The server could not be reached at all (fetch failed: server down, network gone). */
export class Unreachable extends Error {}

/** The server answered with an error status; message is the server's {"error": ...} text. */
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const listeners = [];

/** Calls fn(state, detail) on every change: state is 'online', 'offline' or 'auth'. */
export function onConnection(fn) {
  listeners.push(fn);
}

let current = null;
function setState(state, detail) {
  if (state === current && state === 'online') {
    return;
  }
  current = state;
  for (const fn of listeners) {
    fn(state, detail);
  }
}

export function setToken(token) {
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

async function call(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    headers.Authorization = 'Bearer ' + token;
  }
  let res;
  try {
    res = await fetch(path, Object.assign({}, options, {headers, cache: 'no-store'}));
  } catch (e) {
    setState('offline', `${location.origin} did not answer (${e.message})`);
    throw new Unreachable(`server unreachable: ${e.message}`);
  }
  let body = null;
  const text = await res.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (res.status === 401) {
    setState('auth', body && body.error ? body.error : 'a bearer token is required');
    throw new HttpError(401, body && body.error ? body.error : 'unauthorized');
  }
  setState('online');
  if (!res.ok) {
    throw new HttpError(res.status, body && body.error ? body.error : `HTTP ${res.status}`);
  }
  return body;
}

export function getJson(path) {
  return call(path);
}

export function postJson(path, value) {
  return call(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(value)});
}

/** A short text for an error from getJson/postJson, for a section's own message. */
export function describe(e) {
  if (e instanceof Unreachable) {
    return 'Server unreachable; showing the last data received.';
  }
  if (e instanceof HttpError) {
    return `Error ${e.status}: ${e.message}`;
  }
  return String(e && e.message ? e.message : e);
}
