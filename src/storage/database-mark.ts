/**
 * A mark in localStorage that this browser has opened Residual's database. Card pages read it as
 * they are parsed, before any script could ask IndexedDB (src/ui/first-visit.ts): without it, the
 * browser has nothing stored yet and the page can show a first visit's screen at once.
 */
export const DATABASE_MARK = 'residual-database';

/** Record that this browser has a database (nothing happens where storage is refused). */
export function setDatabaseMark(): void {
  try {
    localStorage.setItem(DATABASE_MARK, '1');
  } catch {
    // Storage refused (some private windows): every visit waits for its own screen.
  }
}
