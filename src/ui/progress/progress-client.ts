/**
 * Reading progress in a page: one shared view of the stored rows for every part that shows them
 * (the paper controls, the chapter header, the sidebar, the progress page), kept in step when the
 * reader changes a paper here or in another tab.
 *
 * Reading uses plain IndexedDB (src/storage/progress-read-only.ts); Dexie is loaded only to write, when
 * the reader first changes a paper, so that chapter pages stay small.
 */
import { READING_PLAN_URL } from '../../progress/plan-url';
import { progressMap } from '../../progress/progress';
import { readProgressRows } from '../../storage/progress-read-only';
import type { PaperProgress, ReadingPlan, ReadingState } from '../../progress/types';
import type { ResidualDb } from '../../storage/db';
import { withBase } from '../../content/base';

export interface ProgressView {
  progress: ReadonlyMap<string, PaperProgress>;
}

type Listener = (view: ProgressView) => void;

const CHANNEL = 'residual-progress';
const listeners = new Set<Listener>();
let dbPromise: Promise<ResidualDb> | null = null;
let current: Map<string, PaperProgress> | null = null;
let loading: Promise<Map<string, PaperProgress>> | null = null;
let planPromise: Promise<ReadingPlan> | null = null;
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);

/** The database through Dexie (opened once per page, on first use). */
export function progressDb(): Promise<ResidualDb> {
  dbPromise ??= Promise.all([import('../../storage/open'), import('../../storage/errors')]).then(
    async ([{ openDatabase }, { describeStorageError }]) => {
      try {
        return await openDatabase();
      } catch (error) {
        throw new Error(describeStorageError(error), { cause: error });
      }
    },
  );
  return dbPromise;
}

function publish(progress: Map<string, PaperProgress>): void {
  current = progress;
  for (const listener of listeners) listener({ progress });
}

async function reload(): Promise<Map<string, PaperProgress>> {
  const progress = progressMap(await readProgressRows());
  publish(progress);
  return progress;
}

/** The stored progress (read once, then kept up to date). */
export function readProgress(): Promise<Map<string, PaperProgress>> {
  if (current) return Promise.resolve(current);
  loading ??= reload();
  return loading;
}

/**
 * Calls `listener` with the progress now and after every change. Returns a function that stops
 * listening. Rejects when the database cannot be read.
 */
export async function watchProgress(listener: Listener): Promise<() => void> {
  listeners.add(listener);
  try {
    listener({ progress: await readProgress() });
  } catch (error) {
    listeners.delete(listener);
    throw error;
  }
  return () => listeners.delete(listener);
}

/** Sets a paper's reading state now and tells every part of every open page. */
export async function setReadingState(paperId: string, state: ReadingState): Promise<void> {
  const [db, { setPaperState }] = await Promise.all([
    progressDb(),
    import('../../storage/progress'),
  ]);
  const row = await setPaperState(db, paperId, state, Date.now());
  const progress = new Map(current ?? (await readProgress()));
  progress.set(paperId, row);
  publish(progress);
  channel?.postMessage({ type: 'progress-changed', paperId });
}

channel?.addEventListener('message', () => {
  if (current || loading) void reload();
});

// A page restored from the back/forward cache missed the messages sent meanwhile.
addEventListener('pageshow', (event) => {
  if (event.persisted && (current || loading)) void reload();
});

/** The reading plan (chapters and their tracked papers), fetched once per page. */
export function readingPlan(): Promise<ReadingPlan> {
  planPromise ??= fetch(withBase(READING_PLAN_URL)).then(async (response) => {
    if (!response.ok) throw new Error(`the reading plan could not be loaded (${response.status})`);
    return (await response.json()) as ReadingPlan;
  });
  return planPromise;
}
