/** Today's extra new cards (custom study), kept in meta so a reload keeps them until the day ends. */
import { dayNumber } from '../srs/day';
import { extraNewOn, raiseNewLimit } from '../srs/extra-new';
import type { Settings } from '../srs/settings';
import type { ResidualDb } from './db';

/** Local to this browser, like Anki's: it is not part of a backup or a merge. */
export const EXTRA_NEW_KEY = 'extraNewToday';

/** The extra new cards allowed today (0 when none were asked for today). */
export async function loadExtraNewToday(
  db: ResidualDb,
  now: number,
  settings: Pick<Settings, 'dayStartHour'>,
): Promise<number> {
  const row = await db.meta.get(EXTRA_NEW_KEY);
  return extraNewOn(row?.value, dayNumber(now, settings.dayStartHour));
}

/** Allow `more` new cards today on top of the daily limit; returns today's extra in all. */
export async function addExtraNewToday(
  db: ResidualDb,
  now: number,
  settings: Pick<Settings, 'dayStartHour'>,
  more: number,
): Promise<number> {
  return db.transaction('rw', db.meta, async () => {
    const row = await db.meta.get(EXTRA_NEW_KEY);
    const next = raiseNewLimit(row?.value, dayNumber(now, settings.dayStartHour), more);
    await db.meta.put({ key: EXTRA_NEW_KEY, value: next });
    return next.extra;
  });
}
