/**
 * Reading progress: the shapes shared by the pure logic, storage and the pages. Dates are epoch
 * milliseconds. Nothing here knows about the DOM or IndexedDB.
 */
import type { Priority } from '../content/vocabulary';

/** How far the reader has got with one paper, in the order a reader moves through them. */
export const READING_STATES = ['unread', 'skimmed', 'read', 'deep-read'] as const;
export type ReadingState = (typeof READING_STATES)[number];

export const READING_STATE_LABELS: Record<ReadingState, string> = {
  unread: 'Unread',
  skimmed: 'Skimmed',
  read: 'Read',
  'deep-read': 'Deep-read',
};

/** One paper's progress as stored. A paper with no row is unread. */
export interface PaperProgress {
  paperId: string;
  state: ReadingState;
  /** When the state was last set. */
  updatedAt: number;
  /** When each state other than "unread" was first reached (kept when the state goes back). */
  reached: Partial<Record<Exclude<ReadingState, 'unread'>, number>>;
}

/** A paper as the reading plan lists it: enough to count, order and link to it. */
export interface PlanPaper {
  id: string;
  title: string;
  priority: Priority;
  chapter: string;
  /** Link to the paper's section in its chapter. */
  href: string;
  /** Estimated reading time in minutes (src/progress/reading-time.ts); absent when unknown. */
  minutes?: number;
}

export interface PlanChapter {
  slug: string;
  title: string;
  /** The chapter page's path ("/" for the start page). */
  path: string;
  /** Papers (not companions) in the source's order. */
  papers: PlanPaper[];
}

/** Every chapter in reading order with the papers whose progress is tracked. */
export interface ReadingPlan {
  format: 'residual-reading-plan';
  chapters: PlanChapter[];
}

/** A chapter's papers counted by state. `done` counts papers read or deep-read. */
export interface ChapterProgress {
  slug: string;
  total: number;
  done: number;
  counts: Record<ReadingState, number>;
}
