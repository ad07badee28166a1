/** /stats/'s first-visit summary, written at build time (see src/ui/first-visit.ts). */
import { DEFAULT_SETTINGS } from '../../srs/settings';
import { emptyCounts } from '../../srs/stats';
import type { Deck } from '../../srs/types';
import { IS_FIRST_VISIT, scriptData } from '../first-visit';
import { cardsSummary, dueSummary, retentionSummary, todaySummary } from './summary-text';

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
