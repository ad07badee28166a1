import { coerceSettings, settingsSchema, type Settings } from '../srs/settings';
import type { ResidualDb } from './db';

const SETTINGS_KEY = 'settings';

/** The stored settings; a missing or damaged value falls back to the defaults field by field. */
export async function loadSettings(db: ResidualDb): Promise<Settings> {
  const row = await db.meta.get(SETTINGS_KEY);
  return coerceSettings(row?.value);
}

/**
 * Validate and store settings; throws a ZodError naming the bad field. Fields the caller leaves
 * out keep their stored values (the review page's form does not hold the personal parameters).
 */
export async function saveSettings(
  db: ResidualDb,
  settings: unknown,
  now: number = Date.now(),
): Promise<Settings> {
  return db.transaction('rw', db.meta, async () => {
    const given = typeof settings === 'object' && settings !== null ? settings : {};
    const valid = settingsSchema.parse({ ...(await loadSettings(db)), ...given, updatedAt: now });
    await db.meta.put({ key: SETTINGS_KEY, value: valid });
    return valid;
  });
}
