/**
 * The review page's "Buried and suspended" list: every card the reader set aside in the current
 * scope, each with the button that brings it back (the page's click handler runs it through the
 * tab's undo stack). Card text is set as text.
 */
import type { StudyScope } from '../../srs/queue';
import type { ResidualDb } from '../../storage/db';
import { loadSetAside } from '../../storage/set-aside';
import { plainCardText } from './card-text';

function item(cardId: string, front: string, action: 'unbury' | 'unsuspend'): HTMLLIElement {
  const li = document.createElement('li');
  const text = document.createElement('span');
  text.textContent = plainCardText(front);
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset['action'] = action;
  button.dataset['cardId'] = cardId;
  button.textContent = action === 'unbury' ? 'Unbury' : 'Unsuspend';
  button.setAttribute('aria-label', `${button.textContent}: ${text.textContent.slice(0, 80)}`);
  li.append(text, button);
  return li;
}

/** Fill `root` (the <details> of ReviewSession.astro) with the set-aside cards of `scope`. */
export async function showSetAside(
  db: ResidualDb,
  root: HTMLElement,
  scope: StudyScope,
  now: number,
): Promise<void> {
  const { buried, suspended } = await loadSetAside(db, scope);
  const count = buried.length + suspended.length;
  const summary = root.querySelector('[data-set-aside-count]');
  if (summary) summary.textContent = String(count);
  const list = root.querySelector('[data-set-aside-list]');
  if (!list) return;
  list.replaceChildren(
    ...buried
      .filter((card) => card.buriedUntil > now)
      .map((card) => item(card.id, card.front, 'unbury')),
    ...suspended.map((card) => item(card.id, card.front, 'unsuspend')),
  );
  root.dataset['empty'] = count === 0 ? 'true' : 'false';
}
