/**
 * A first visit, known at build time. A browser that has never opened Residual's database has no
 * cards, answers, progress or settings of its own, so what a card page shows it once the published
 * deck is stored follows from the deck alone. The card pages write that screen into their HTML and
 * show it as they are parsed, before their scripts load and store the deck; the scripts then draw
 * the same words over it. A browser with a database (src/storage/database-mark.ts) waits for its
 * own screen. One whose database predates the mark sees the first-visit screen once, briefly,
 * until its own replaces it.
 */
import { DATABASE_MARK } from '../storage/database-mark';
import { withBase } from '../content/base';
import { nextToRead } from '../progress/progress';
import type { ReadingPlan } from '../progress/types';
import { DEFAULT_SETTINGS, type Settings } from '../srs/settings';
import type { Deck } from '../srs/types';
import { emptyCounts } from '../srs/stats';
import { describeSync } from '../storage/bootstrap';
import { cardsSummary, dueSummary, retentionSummary, todaySummary } from './stats/summary-text';
import {
  FINISHED_TITLE,
  NO_ANSWERS_TODAY,
  NOTHING_SCHEDULED,
  nextPaperText,
  waitingText,
} from './review/done-text';

/**
 * An expression for a page's inline script: whether to show the first-visit screen. A page opened
 * on a part of the deck (?chapter=, ?paper=, ?scope=) shows its own screen.
 */
export const IS_FIRST_VISIT = `(() => { try { return localStorage.getItem(${JSON.stringify(DATABASE_MARK)}) === null && !/[?&](chapter|paper|scope)=/.test(location.search); } catch { return false; } })()`;

/**
 * New cards a first visit leaves in papers not read yet: every card that belongs to a paper. Null
 * where new cards come from the whole list (a first visit then starts with a card).
 */
export function cardsWaitingOnFirstVisit(deck: Deck, settings: Settings): number | null {
  if (settings.introduceNew === 'list') return null;
  return deck.cards.filter((card) => card.paperId !== null).length;
}

/** A value written into an inline script, '<' escaped so that no text can close the script. */
function scriptData(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The inline script that shows /review/'s first-visit screen (the finished state: no card yet,
 * the cards waiting in papers not read, a link to the first paper of the plan), or null where a
 * first visit starts with a card. Run inside <residual-review>, after its session.
 */
export function firstVisitReviewScript(deck: Deck, plan: ReadingPlan): string | null {
  const waiting = cardsWaitingOnFirstVisit(deck, DEFAULT_SETTINGS);
  if (waiting === null || waiting === 0) return null;
  const next = nextToRead(plan, new Map());
  const screen = {
    status: describeSync({
      upToDate: false,
      added: deck.cards.length,
      changed: 0,
      moved: 0,
      revived: 0,
      retired: 0,
    }),
    title: FINISHED_TITLE,
    detail: NOTHING_SCHEDULED,
    waiting: waitingText(waiting),
    link: next && { href: withBase(next.href), text: nextPaperText(next.title) },
    time: NO_ANSWERS_TODAY,
  };
  const data = scriptData(screen);
  return `(() => {
  if (!${IS_FIRST_VISIT}) return;
  const screen = ${data};
  const root = document.currentScript.closest('residual-review');
  const part = (name) => root.querySelector('[data-' + name + ']');
  part('status').textContent = screen.status;
  for (const count of root.querySelectorAll('[data-count]')) count.textContent = '0';
  part('done-title').textContent = screen.title;
  part('done-detail').textContent = screen.detail;
  part('waiting-text').textContent = screen.waiting;
  if (screen.link) {
    part('waiting-link').href = screen.link.href;
    part('waiting-link').textContent = screen.link.text;
  }
  part('done-time').textContent = screen.time;
  part('loading').hidden = true;
  part('waiting').hidden = false;
  part('done').hidden = false;
  root.dataset.firstVisit = 'shown';
})();`;
}

/**
 * The inline script that shows /stats/'s summary on a first visit: every card of the deck new, no
 * answers, nothing due (where new cards come from papers read), the default desired retention. The
 * charts stay hidden until the dashboard script has drawn the rest. Null where a first visit has
 * cards due (new cards from the whole list). Run inside <residual-stats>, after its dashboard.
 */
export function firstVisitStatsScript(deck: Deck): string | null {
  if (DEFAULT_SETTINGS.introduceNew === 'list') return null;
  const none = { reviews: 0, passed: 0, rate: null };
  const summary = {
    cards: cardsSummary({ ...emptyCounts(), new: deck.cards.length }, 0),
    retention: retentionSummary(none, none, DEFAULT_SETTINGS.desiredRetention),
    due: dueSummary({ learning: 0, review: 0, new: 0, total: 0 }, 0),
    time: todaySummary({ answers: 0, timed: 0, totalMs: 0, meanMs: 0 }),
  };
  return `(() => {
  if (!${IS_FIRST_VISIT}) return;
  const summary = ${scriptData(summary)};
  const root = document.currentScript.closest('residual-stats');
  for (const [name, text] of Object.entries(summary)) {
    root.querySelector('[data-summary-' + name + ']').textContent = text;
  }
  root.querySelector('[data-summary-due]').dataset.count = '0';
  root.dataset.firstVisit = 'shown';
  root.querySelector('[data-loading]').hidden = true;
  root.querySelector('[data-dashboard]').hidden = false;
})();`;
}
