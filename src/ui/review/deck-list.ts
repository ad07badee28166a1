/**
 * The deck list's behaviour: fill in each row's new / learning / due counts, filter rows by text,
 * and report the row chosen. Counts are set as text, with the words for screen readers.
 */
import type { QueueCounts, StudyScope } from '../../srs/queue';
import type { Settings } from '../../srs/settings';
import type { ResidualDb } from '../../storage/db';
import { loadScopeCounts } from '../../storage/deck-counts';

/** "all", "chapter:<slug>" or "paper:<id>" as a scope. */
export function scopeOfValue(value: string | null): StudyScope {
  if (value?.startsWith('chapter:')) return { kind: 'chapter', chapter: value.slice(8) };
  if (value?.startsWith('paper:')) return { kind: 'paper', paperId: value.slice(6) };
  return { kind: 'all' };
}

function countSpans(counts: QueueCounts): HTMLSpanElement[] {
  return (['new', 'learning', 'review'] as const).map((kind) => {
    const span = document.createElement('span');
    span.dataset['kind'] = kind;
    span.textContent = String(counts[kind]);
    span.title = `${counts[kind]} ${kind === 'review' ? 'due' : kind}`;
    return span;
  });
}

/** Fill every `[data-deck-counts]` in `list` with today's counts. */
export async function showDeckCounts(
  list: HTMLElement,
  db: ResidualDb,
  settings: Settings,
  now: number,
): Promise<void> {
  const slots = [...list.querySelectorAll<HTMLElement>('[data-deck-counts]')];
  const values = slots.map((slot) => slot.dataset['deckCounts'] ?? 'all');
  const counts = await loadScopeCounts(db, now, settings, values.map(scopeOfValue));
  slots.forEach((slot, index) => {
    const value = counts[index]!;
    slot.replaceChildren(...countSpans(value));
    slot.setAttribute(
      'aria-label',
      `${value.new} new, ${value.learning} learning, ${value.review} due`,
    );
  });
}

/** Show only rows whose text (or a paper inside them) contains `needle`; open what matches. */
export function filterDeckList(list: HTMLElement, needle: string): void {
  const text = needle.trim().toLowerCase();
  for (const chapter of list.querySelectorAll<HTMLElement>(':scope > ul > li[data-deck-text]')) {
    const chapterMatches = (chapter.dataset['deckText'] ?? '').includes(text);
    let paperMatches = 0;
    for (const paper of chapter.querySelectorAll<HTMLElement>('li[data-deck-text]')) {
      const matches = chapterMatches || (paper.dataset['deckText'] ?? '').includes(text);
      paper.hidden = !matches;
      if (matches) paperMatches++;
    }
    chapter.hidden = !chapterMatches && paperMatches === 0;
    const details = chapter.querySelector('details');
    if (details && text) details.open = !chapter.hidden;
  }
}
