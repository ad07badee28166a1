/** /review/'s first-visit screen, written at build time (see src/ui/first-visit.ts). */
import { withBase } from '../../content/base';
import { nextToRead } from '../../progress/progress';
import type { ReadingPlan } from '../../progress/types';
import { DEFAULT_SETTINGS } from '../../srs/settings';
import type { Deck } from '../../srs/types';
import { describeSync } from '../../storage/bootstrap';
import { cardsWaitingOnFirstVisit, IS_FIRST_VISIT, scriptData } from '../first-visit';
import {
  NO_ANSWERS_TODAY,
  NOTHING_SCHEDULED,
  NOTHING_YET_TITLE,
  nextPaperText,
  waitingText,
} from './done-text';

/**
 * The inline script that shows /review/'s first-visit screen (the done state, titled "Nothing to
 * review yet": no card yet, the cards waiting in papers not read, a link to the first paper of the
 * plan), or null where a first visit starts with a card. Run inside <residual-review>, after its
 * session.
 */
export function firstVisitReviewScript(deck: Deck, plan: ReadingPlan): string | null {
  const waiting = cardsWaitingOnFirstVisit(deck, DEFAULT_SETTINGS);
  if (waiting === null || waiting === 0) return null;
  const next = nextToRead(plan, new Map());
  const screen = {
    status: describeSync({
      upToDate: false,
      firstCopy: true,
      added: deck.cards.length,
      changed: 0,
      moved: 0,
      revived: 0,
      retired: 0,
    }),
    title: NOTHING_YET_TITLE,
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
