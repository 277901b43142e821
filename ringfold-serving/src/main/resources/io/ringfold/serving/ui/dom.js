// Small DOM helpers: build elements from data without ever parsing strings as HTML.

/** el('td', {class: 'num', dataset: {x: 1}}, 'text', child, [more, children], ...) */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) {
      continue;
    }
    if (k === 'dataset') {
      Object.assign(e.dataset, v);
    } else if (k === 'class') {
      e.className = v;
    } else if (k.startsWith('on')) {
      e.addEventListener(k.substring(2), v);
    } else {
      e.setAttribute(k, v);
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c !== undefined && c !== null && c !== false) {
      e.append(c instanceof Node ? c : String(c));
    }
  }
  return e;
}

/** Replaces the children of `parent` with `children`. */
export function fill(parent, ...children) {
  parent.replaceChildren(...children.filter(c => c !== undefined && c !== null && c !== false));
}

/** A number for people: '–' when absent. */
export function fmt(v, digits = 3) {
  if (v === undefined || v === null || Number.isNaN(v)) {
    return '–';
  }
  if (typeof v !== 'number') {
    return String(v);
  }
  if (Number.isInteger(v)) {
    return v.toLocaleString('en');
  }
  return v.toLocaleString('en', {maximumFractionDigits: digits, minimumFractionDigits: Math.min(digits, 1)});
}

export function message(text, kind = 'muted') {
  return el('p', {class: kind}, text);
}

/**
 * Shows `text` as the one error line at the top of `container`, keeping what is shown below it (the last
 * data received); the next successful render replaces both.
 */
export function notice(container, text) {
  let p = container.querySelector(':scope > p.notice');
  if (!p) {
    p = el('p', {class: 'error notice'});
    container.prepend(p);
  }
  p.textContent = text;
}

/** Removes the error line `notice` put in `container`, if any. */
export function clearNotice(container) {
  const p = container.querySelector(':scope > p.notice');
  if (p) {
    p.remove();
  }
}
