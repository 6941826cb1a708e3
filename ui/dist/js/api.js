// The admin API client. Paths are relative to the app's own location, so
// the panel also works under a path prefix (handle_path /panel/*).
import { t } from './i18n.js';

const BASE = new URL('../api/v1/', import.meta.url);

/** apiURL is the absolute URL of an API path (for EventSource). */
export const apiURL = path => new URL(path, BASE).href;

/** ApiError is a failed API call: status, a message to show, the input field at fault. */
export class ApiError extends Error {
  constructor(status, message, field, body) {
    super(message);
    this.status = status;
    this.field = field || '';
    this.body = body || null;
  }
}

let onUnauthorized = () => {};
/** setUnauthorizedHandler sets what happens when the session is gone (401). */
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/**
 * api calls method path (under /api/v1/) with an optional JSON body and
 * returns the decoded answer (null for 204). It throws ApiError.
 */
export async function api(method, path, body) {
  // X-Octopus-Request is the CSRF proof for body-less writes; harmless on the rest.
  const headers = { 'X-Octopus-Request': '1', Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(new URL(path, BASE), init);
  } catch {
    throw new ApiError(0, t('err.network'));
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch { /* not JSON: keep null */ }
  if (res.ok) return data;
  const e = (data && data.error) || {};
  if (res.status === 401 && path !== 'auth/login') {
    onUnauthorized();
    throw new ApiError(401, t('err.401'));
  }
  throw new ApiError(res.status, message(res, e.message), e.field, data);
}

// message turns a failure into words a user can act on; the server's own
// message is kept when it has one, since it names the problem exactly.
function message(res, serverMsg) {
  if (res.status === 429) {
    const secs = parseInt(res.headers.get('Retry-After') || '', 10);
    return t('err.429', { secs: isNaN(secs) ? '…' : secs });
  }
  if (serverMsg) return serverMsg;
  const key = 'err.' + res.status;
  const s = t(key);
  return s === key ? t('err.generic', { status: res.status }) : s;
}
