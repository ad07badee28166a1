/**
 * "N due" beside the sidebar's "Review cards" link on every page: the due figure /review/,
 * /progress/ and /stats/ show, counted without Dexie (src/storage/due-read-only.ts). Refreshed when
 * the reader answers in a review area, changes a paper's state, or comes back to the tab.
 */
import { withoutBase } from '../../content/base';
import { readDueFigures } from '../../storage/due-read-only';
import { watchProgress } from './progress-client';

/** Sent on the document by a review area after each answer or decline. */
export const CARDS_CHANGED_EVENT = 'residual-cards-changed';

export async function decorateReviewLink(): Promise<void> {
  const link = [...document.querySelectorAll<HTMLAnchorElement>('nav.sidebar a[href]')].find(
    (candidate) => withoutBase(new URL(candidate.href, location.href).pathname) === '/review/',
  );
  if (!link) return;
  const badge = document.createElement('span');
  badge.className = 'residual-sidebar-progress residual-sidebar-due';
  badge.setAttribute('aria-hidden', 'true');
  const description = document.createElement('span');
  description.id = 'residual-sidebar-due';
  description.hidden = true;
  let shown = false;
  const refresh = async () => {
    const figures = await readDueFigures(Date.now()).catch(() => null);
    if (!figures) return;
    if (!shown) {
      link.append(badge);
      link.after(description);
      link.setAttribute('aria-describedby', description.id);
      shown = true;
    }
    badge.textContent = `${figures.total} due`;
    badge.dataset['due'] = String(figures.total);
    description.textContent = `${figures.total} ${figures.total === 1 ? 'card' : 'cards'} due now`;
  };
  document.addEventListener(CARDS_CHANGED_EVENT, () => void refresh());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refresh();
  });
  await watchProgress(() => void refresh()).catch(() => refresh());
}
