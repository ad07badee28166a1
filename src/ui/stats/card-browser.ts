/**
 * <residual-card-browser>: every stored card in a filterable table, with suspend/unsuspend.
 * Card text is set as text; math is the site build's HTML for the same wording (card-text.ts).
 */
import { FLAG_NAMES, KIND_LABELS, STATE_NAMES, type StoredCard } from '../../srs/types';
import { categoryOf, CATEGORY_LABELS, type CardCategory } from '../../srs/stats';
import { formatInterval } from '../../srs/format';
import type { ResidualDb } from '../../storage/db';
import { describeStorageError } from '../../storage/errors';
import { readCheckedCards } from '../../storage/quarantine';
import { suspendCard, unsuspendCard } from '../../storage/reviews';
import { restoreCard } from '../../storage/decline';
import { unburyCard } from '../../storage/undo';
import { describeDamaged, startStorage } from '../../storage/bootstrap';
import { loadCardMath, plainCardText, showCardText } from '../review/card-text';
import { SOURCE_LABELS, sourceOf } from '../../srs/source';
import { withBase } from '../../content/base';
import { yieldToMain } from '../../storage/slices';

/** Rows drawn at once; the count line says how many matched. */
export const PAGE_SIZE = 200;
/**
 * Rows drawn with the count line (a screen's worth); the others follow a batch at a time as the
 * end of the table comes near the screen: laying out and painting 200 rows at once held a slow
 * phone for about a second, mostly for rows far below the first screen.
 */
const FIRST_ROWS = 10;
const ROW_BATCH = 20;
/** How far below the screen the end of the table may be when the next batch is drawn. */
const NEAR_END = '0px 0px 600px 0px';

export interface CardFilter {
  chapter: string;
  paper: string;
  /** "list", "ours", or "" for both. */
  source: string;
  /** A category (new, learning, young, mature, suspended, buried, retired) or "" for active. */
  state: string;
  leech: boolean;
  changed: boolean;
  text: string;
  /** Only cards with the reader's note. */
  noted?: boolean;
  /** "1"…"4" for one flag, "any" for any flag, "" or absent for all cards. */
  flag?: string;
}

/** Whether a card passes the filter. Retired cards show only when asked for. */
export function matchesFilter(card: StoredCard, filter: CardFilter): boolean {
  const category = categoryOf(card);
  if (filter.state === '' && category === 'retired') return false;
  if (filter.state !== '' && filter.state !== category) return false;
  if (filter.chapter && card.chapter !== filter.chapter) return false;
  if (filter.paper && card.paperId !== filter.paper) return false;
  if (filter.source && sourceOf(card) !== filter.source) return false;
  if (filter.leech && !card.leech) return false;
  if (filter.changed && !card.changed) return false;
  if (filter.noted && !card.note) return false;
  if (filter.flag === 'any' && !card.flag) return false;
  if (filter.flag && filter.flag !== 'any' && String(card.flag ?? 0) !== filter.flag) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const texts = [
      card.front,
      card.back,
      card.note ?? '',
      card.edit?.front ?? '',
      card.edit?.back ?? '',
    ];
    if (!texts.some((text) => text.toLowerCase().includes(needle))) return false;
  }
  return true;
}

function required<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`card browser is missing ${selector}`);
  return element;
}

export class CardBrowserElement extends HTMLElement {
  private db: ResidualDb | null = null;
  private cards: StoredCard[] = [];
  private titles: Record<string, string> = {};
  /** The cards the table shows, in order: the first `drawn` of them are drawn so far. */
  private shown: StoredCard[] = [];
  private drawn = 0;
  private readonly nearEnd = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.drawMore();
    },
    { rootMargin: NEAR_END },
  );

  connectedCallback(): void {
    const titles = this.querySelector('[data-titles]')?.textContent;
    this.titles = titles ? (JSON.parse(titles) as Record<string, string>) : {};
    const form = required<HTMLFormElement>(this, '[data-filters]');
    form.addEventListener('input', () => this.draw());
    form.addEventListener('submit', (event) => event.preventDefault());
    required(this, '[data-rows]').addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-card]');
      if (button?.dataset['action'] === 'restore') void this.restore(button.dataset['card'] ?? '');
      else if (button?.dataset['unbury'] !== undefined)
        void this.unbury(button.dataset['card'] ?? '');
      else if (button) void this.toggleSuspend(button.dataset['card'] ?? '');
    });
    void this.start();
  }

  private async start(): Promise<void> {
    // In a task of its own: the page's modules were just evaluated in one long task, and opening
    // the database is the next long piece of work.
    await yieldToMain();
    const [started] = await Promise.all([
      startStorage({
        deckUrl: this.dataset['deckUrl'] ?? withBase('deck.json'),
        onUpgradeElsewhere: () => this.say('Another tab upgraded the database. Reload this page.'),
        onBlocked: (message) => this.say(message),
      }),
      loadCardMath(),
    ]);
    required(this, '[data-loading]').hidden = true;
    if (!started.ok) {
      required(this, '[data-unavailable-message]').textContent = started.message;
      required(this, '[data-unavailable]').hidden = false;
      this.removeAttribute('aria-busy');
      return;
    }
    this.db = started.db;
    if (started.deckProblem) this.say(started.deckProblem);
    const params = new URLSearchParams(location.search);
    const form = required<HTMLFormElement>(this, '[data-filters]');
    for (const name of ['chapter', 'paper', 'source', 'state', 'flag']) {
      const value = params.get(name);
      const field = form.elements.namedItem(name);
      if (value && field instanceof HTMLSelectElement) field.value = value;
    }
    for (const name of ['leech', 'changed', 'noted']) {
      const field = form.elements.namedItem(name);
      if (params.get(name) === '1' && field instanceof HTMLInputElement) field.checked = true;
    }
    required(this, '[data-browser]').hidden = false;
    await this.reload().catch((error: unknown) => this.say(describeStorageError(error)));
    this.removeAttribute('aria-busy');
    this.dataset['ready'] = 'true';
  }

  private say(message: string): void {
    required(this, '[data-status]').textContent = message;
  }

  private async reload(): Promise<void> {
    if (!this.db) return;
    // Every row through the row check: a damaged one is set aside and counted, never drawn.
    const { cards, damaged } = await readCheckedCards(this.db, Date.now());
    this.cards = cards;
    const notice = describeDamaged(damaged);
    if (notice) this.say(notice);
    this.draw();
  }

  private filter(): CardFilter {
    const data = new FormData(required<HTMLFormElement>(this, '[data-filters]'));
    const text = (name: string) => String(data.get(name) ?? '');
    return {
      chapter: text('chapter'),
      paper: text('paper'),
      source: text('source'),
      state: text('state'),
      leech: data.get('leech') !== null,
      changed: data.get('changed') !== null,
      text: text('text').trim(),
      flag: text('flag'),
      noted: data.get('noted') !== null,
    };
  }

  /**
   * Draw the matching rows: a screen of them, and more as the end of the table nears the screen.
   * Drawn again (new filters, a row's button), at least as many rows as before are drawn at once,
   * so that the table never shrinks under a reader who scrolled down.
   */
  private draw(): void {
    const keep = this.drawn;
    const filter = this.filter();
    const matching = this.cards.filter((card) => matchesFilter(card, filter));
    const shown = matching.slice(0, PAGE_SIZE);
    required(this, '[data-count]').textContent =
      matching.length > shown.length
        ? `Showing the first ${shown.length} of ${matching.length} matching cards.`
        : `${matching.length} matching card${matching.length === 1 ? '' : 's'}.`;
    required(this, '[data-rows]').replaceChildren();
    this.shown = shown;
    this.drawn = 0;
    this.drawMore(Math.max(FIRST_ROWS, keep));
  }

  /** Draw the next `count` rows, then watch the end of the table while some are left. */
  private drawMore(count = ROW_BATCH): void {
    const now = Date.now();
    const next = this.shown.slice(this.drawn, this.drawn + count);
    this.drawn += next.length;
    required(this, '[data-rows]').append(...next.map((card) => this.row(card, now)));
    const end = required(this, '[data-table-end]');
    // Observing again makes the observer report where the end is now, near the screen or not.
    this.nearEnd.unobserve(end);
    if (this.drawn < this.shown.length) this.nearEnd.observe(end);
  }

  private row(card: StoredCard, now: number): HTMLTableRowElement {
    const row = document.createElement('tr');
    const cell = (text: string) => {
      const td = document.createElement('td');
      td.textContent = text;
      row.append(td);
      return td;
    };
    const question = cell('');
    const link = document.createElement('a');
    link.href = withBase(card.href);
    showCardText(link, card, 'front');
    question.append(link);
    if (card.kind === 'experiment') {
      // Review runs it live on a fresh prompt; what the browser lists is its worked example.
      const badge = document.createElement('span');
      badge.className = 'residual-browser__kind';
      badge.textContent = `${KIND_LABELS.experiment}: worked example`;
      question.append(' ', badge);
    }
    cell(card.paperId ? (this.titles[card.paperId] ?? card.paperId) : 'Glossary');
    cell(SOURCE_LABELS[sourceOf(card)]);
    const category: CardCategory = categoryOf(card);
    const categoryName = CATEGORY_LABELS[category].split(' (')[0] ?? category;
    const stateName = STATE_NAMES[card.state];
    // "Suspended (review)" says what the card will be again; "Learning (learning)" says nothing.
    cell(
      categoryName.toLowerCase() === stateName ||
        (stateName === 'review' && (category === 'young' || category === 'mature'))
        ? categoryName
        : `${categoryName} (${stateName})`,
    );
    cell(card.state === 0 ? '—' : card.due <= now ? 'now' : `in ${formatInterval(card.due - now)}`);
    cell(String(card.lapses));
    const flags = [
      card.flag && `${FLAG_NAMES[card.flag]} flag`,
      card.leech && 'leech',
      card.changed && 'reworded',
      card.declined === true && 'declined (not for me)',
      card.edit && 'your wording',
      card.note && `note: ${card.note.slice(0, 60)}`,
    ]
      .filter(Boolean)
      .join(', ');
    cell(flags || '—');
    const action = cell('');
    if (!card.retired && card.declined === true) {
      // Declined in a review area: kept with its history, and brought back from here.
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset['card'] = card.id;
      button.dataset['action'] = 'restore';
      button.textContent = 'Restore';
      button.setAttribute('aria-label', `Restore: ${card.front.slice(0, 80)}`);
      action.append(button);
    } else if (!card.retired) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset['card'] = card.id;
      button.textContent = card.suspended ? 'Unsuspend' : 'Suspend';
      button.setAttribute(
        'aria-label',
        `${button.textContent}: ${plainCardText(card.front).slice(0, 80)}`,
      );
      action.append(button);
    }
    if (!card.retired && card.buriedUntil > now) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset['card'] = card.id;
      button.dataset['unbury'] = '';
      button.textContent = 'Unbury';
      button.setAttribute('aria-label', `Unbury: ${plainCardText(card.front).slice(0, 80)}`);
      action.append(' ', button);
    }
    return row;
  }

  private async restore(cardId: string): Promise<void> {
    if (!this.db) return;
    try {
      await restoreCard(this.db, cardId);
      await this.reload();
      this.say('Restored: the card is back in your reviews, with its history.');
    } catch (error) {
      this.say(describeStorageError(error));
    }
  }

  private async unbury(cardId: string): Promise<void> {
    if (!this.db) return;
    try {
      await unburyCard(this.db, cardId, null);
      await this.reload();
      this.say('Unburied: it is back in today\u2019s review.');
    } catch (error) {
      this.say(describeStorageError(error));
    }
  }

  private async toggleSuspend(cardId: string): Promise<void> {
    if (!this.db) return;
    const card = this.cards.find((candidate) => candidate.id === cardId);
    if (!card) return;
    try {
      const was = card.suspended;
      if (was) await unsuspendCard(this.db, cardId);
      else await suspendCard(this.db, cardId, null);
      // Said once the table shows it, so the status and the rows never disagree.
      await this.reload();
      this.say(was ? 'Unsuspended.' : 'Suspended.');
    } catch (error) {
      this.say(describeStorageError(error));
    }
  }
}
