/**
 * Anki's custom study "increase today's new card limit": the reader asks for N more new cards,
 * for today only. The raise is kept with the scheduler day it was made on, so a reload keeps it
 * for the rest of the day and the next day it no longer counts. Pure: storage keeps the record.
 */
import type { Settings } from './settings';

/** Extra new cards allowed on one scheduler day. */
export interface ExtraNewToday {
  day: number;
  extra: number;
}

/** The most extra new cards one day may have (the same bound as the new-cards setting). */
export const MAX_EXTRA_NEW = 9999;

/** The extra new cards a stored record allows on `today`: 0 for another day or a damaged record. */
export function extraNewOn(stored: unknown, today: number): number {
  if (typeof stored !== 'object' || stored === null) return 0;
  const { day, extra } = stored as Partial<ExtraNewToday>;
  if (day !== today || !Number.isInteger(extra) || (extra as number) < 0) return 0;
  return Math.min(extra as number, MAX_EXTRA_NEW);
}

/**
 * The record after asking for `more` extra new cards on `today`: added to today's earlier raise,
 * or a fresh one when the stored record belongs to another day.
 */
export function raiseNewLimit(stored: unknown, today: number, more: number): ExtraNewToday {
  return { day: today, extra: Math.min(extraNewOn(stored, today) + more, MAX_EXTRA_NEW) };
}

/** A request typed by the reader: a whole number from 1 to MAX_EXTRA_NEW, or a message saying why not. */
export function parseExtraNew(
  text: string,
): { ok: true; more: number } | { ok: false; message: string } {
  const more = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(more) || more < 1 || more > MAX_EXTRA_NEW) {
    return {
      ok: false,
      message: `Extra new cards: give a whole number from 1 to ${MAX_EXTRA_NEW}. Nothing was changed.`,
    };
  }
  return { ok: true, more };
}

/** Settings whose daily new-card limit includes today's extra cards (the stored settings are untouched). */
export function withExtraNew<T extends Pick<Settings, 'newPerDay'>>(settings: T, extra: number): T {
  return extra > 0 ? { ...settings, newPerDay: settings.newPerDay + extra } : settings;
}
