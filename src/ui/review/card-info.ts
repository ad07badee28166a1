/**
 * Card info (key I): the shown card's state, where it comes from (paper and paragraph) and every
 * answer with what it left, in a modal <dialog> (Escape closes it; focus returns to the page).
 * Everything is set as text.
 */
import { answerHistory, describeKind } from '../../srs/card-info';
import { formatInterval } from '../../srs/format';
import type { Scheduler } from '../../srs/scheduler';
import { GRADE_NAMES, STATE_NAMES, type StoredCard } from '../../srs/types';
import type { ResidualDb } from '../../storage/db';
import { plainCardText } from './card-text';

const dateTime = (time: number) =>
  new Date(time).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const fixed = (value: number | null, digits: number) =>
  value === null ? '—' : value.toFixed(digits);

function cells(row: HTMLTableRowElement, values: readonly string[]): void {
  for (const value of values) {
    const cell = document.createElement('td');
    cell.textContent = value;
    row.append(cell);
  }
}

/** Fill the dialog for `card` and open it. */
export async function showCardInfo(
  dialog: HTMLDialogElement,
  db: ResidualDb,
  card: StoredCard,
  scheduler: Scheduler,
  titles: Record<string, string>,
): Promise<void> {
  const log = await db.log.where('cardId').equals(card.id).toArray();
  const part = (selector: string) => {
    const element = dialog.querySelector<HTMLElement>(selector);
    if (!element) throw new Error(`card info is missing ${selector}`);
    return element;
  };
  part('[data-info-front]').textContent = plainCardText(card.front);
  const where = part('[data-info-where]') as HTMLAnchorElement;
  where.href = card.href;
  where.textContent = [titles[card.chapter], card.paperId ? titles[card.paperId] : 'Glossary']
    .filter(Boolean)
    .join(' \u203a ');
  const now = Date.now();
  const facts: [string, string][] = [
    ['Kind', describeKind(card)],
    [
      'State',
      `${STATE_NAMES[card.state]}${card.suspended ? ', suspended' : ''}${card.buriedUntil > now ? ', buried' : ''}${card.leech ? ', leech' : ''}`,
    ],
    ['Due', card.state === 0 ? 'new' : dateTime(card.due)],
    ['Stability', card.state === 0 ? '—' : `${card.stability.toFixed(1)} days`],
    ['Difficulty', card.state === 0 ? '—' : `${card.difficulty.toFixed(1)} / 10`],
    [
      'Retrievability now',
      card.state === 0 ? '—' : `${Math.round(scheduler.retrievability(card, now) * 100)}%`,
    ],
    ['Answers / lapses', `${card.reps} / ${card.lapses}`],
  ];
  part('[data-info-facts]').replaceChildren(
    ...facts.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      return [dt, dd];
    }),
  );
  const rows = answerHistory(card, log, scheduler)
    .reverse()
    .map((entry) => {
      const row = document.createElement('tr');
      cells(row, [
        dateTime(entry.review),
        GRADE_NAMES[entry.grade],
        entry.intervalMs === null ? '—' : formatInterval(entry.intervalMs),
        fixed(entry.stability, 1),
        fixed(entry.difficulty, 1),
        entry.retrievability === null ? '—' : `${Math.round(entry.retrievability * 100)}%`,
      ]);
      return row;
    });
  part('[data-info-history]').replaceChildren(...rows);
  part('[data-info-empty]').hidden = rows.length > 0;
  part('[data-info-table]').hidden = rows.length === 0;
  (part('[data-note-input]') as HTMLTextAreaElement).value = card.note ?? '';
  dialog.showModal();
}
