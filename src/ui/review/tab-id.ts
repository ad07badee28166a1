/**
 * An id for this browser tab, kept across reloads (sessionStorage belongs to one tab), so that
 * undo takes back only the answers given in this tab.
 */
const KEY = 'residual-tab';

function newId(): string {
  // randomUUID exists only in secure contexts (https, localhost).
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function tabId(): string {
  try {
    const known = sessionStorage.getItem(KEY);
    if (known) return known;
    const id = newId();
    sessionStorage.setItem(KEY, id);
    return id;
  } catch {
    // No sessionStorage (blocked): the id lasts as long as the page.
    return newId();
  }
}
