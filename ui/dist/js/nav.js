// Navigation between hash routes, apart from app.js so pages can use it
// without importing the app (and making an import cycle).

/** go navigates to a hash route, re-rendering when already there. */
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
