// The page's only way to the server: the board's JSON API, with the browser's own credentials
// (basic auth is resent by the browser on same-origin requests).

/** An API answer that was not 2xx: carries the status and the JSON body (error, gates, fields…). */
export class ApiError extends Error {
  constructor(status, body) {
    super(typeof body?.error === 'string' ? body.error : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { error: text };
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

/** A refusal's words for a person: the error, and for a gated move the red gates with their values. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return String(error?.message ?? error);
  const gates = Array.isArray(error.body?.gates) ? error.body.gates.filter((g) => !g.ok) : [];
  const named = gates.map((g) => `${g.name} (${g.value === null ? 'none' : g.value})`).join(', ');
  return `${error.message}${named ? `: ${named}` : ''} [HTTP ${error.status}]`;
}

/** Builds an element; children may be strings (as text, never parsed as HTML) or nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const formatTime = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '');
