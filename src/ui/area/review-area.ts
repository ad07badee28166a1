/**
 * A review area's behaviour (imported when the area comes near the screen): read the area's cards
 * from the browser database, show them front first, reveal, grade with the four answers of
 * /review/ and record each answer the way /review/ does (one transaction, refused if another tab
 * changed the card since it was shown). Keys act only while focus is inside this area.
 */
import {
  afterAreaAnswer,
  areaPlace,
  sortForArea,
  startAreaSession,
  withoutCard,
  type AreaSession,
} from '../../srs/area';
import { describeInterval, formatOutcome } from '../../srs/format';
import { scheduleOf } from '../../srs/review';
import { createScheduler, type Preview, type Scheduler } from '../../srs/scheduler';
import { GRADE_NAMES, GRADES, type Grade, type StoredCard } from '../../srs/types';
import { withBase } from '../../content/base';
import { startStorage, type Started } from '../../storage/bootstrap';
import type { ResidualDb } from '../../storage/db';
import { declineCard } from '../../storage/decline';
import { classifyStorageError, describeStorageError } from '../../storage/errors';
import { recordReview } from '../../storage/reviews';
import { loadCardMath, showCardText } from '../review/card-text';
import { ExperimentCardView, markSuggestedGrade } from '../experiment/experiment-card';
import { fillAreaStage } from './area-parts';

/** One database start (and deck sync) for every area of the page. */
let storage: Promise<Started> | null = null;
function sharedStorage(): Promise<Started> {
  storage ??= startStorage({
    deckUrl: withBase('deck.json'),
    onUpgradeElsewhere: () => document.dispatchEvent(new Event('residual-area-upgraded')),
  });
  return storage;
}

function part<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`review area is missing ${selector}`);
  return element;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function whenText(time: number, now: number): string {
  if (time - now < 18 * 3_600_000) {
    return `in ${describeInterval(Math.max(time - now, 0))}`;
  }
  return `on ${new Date(time).toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric' })}`;
}

class ReviewArea {
  private db!: ResidualDb;
  private scheduler!: Scheduler;
  private session: AreaSession = startAreaSession([]);
  private current: StoredCard | null = null;
  private preview: Preview | null = null;
  private busy = false;
  /** Cards already in the schedule and not due when the area opened. */
  private scheduled: StoredCard[] = [];
  private offeredAtStart = 0;
  /** Cards missed here: they come back even when their next step is not due yet. */
  private readonly missedHere = new Set<string>();
  /**
   * The live part of an experiment card (hidden for other cards); null in an area drawn without
   * it, where an experiment card is answered as an ordinary one, its worked example.
   */
  private readonly experiment: ExperimentCardView | null;
  /** The grade an experiment's verdict pre-selects; Space and Enter take it. Null otherwise. */
  private suggested: Grade | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly ids: readonly string[],
  ) {
    const panel = root.querySelector<HTMLElement>('[data-experiment]');
    this.experiment = panel ? new ExperimentCardView(panel) : null;
  }

  private say(message: string): void {
    part(this.root, '[data-status]').textContent = message;
  }

  async start(): Promise<void> {
    // Card math comes from the site's own build, read once per page (see card-text.ts).
    const [started] = await Promise.all([sharedStorage(), loadCardMath()]);
    if (!started.ok) {
      this.finish(`These cards cannot be stored in this browser: ${started.message}`);
      return;
    }
    this.db = started.db;
    this.scheduler = createScheduler(started.settings);
    if (started.deckProblem) this.say(started.deckProblem);
    const rows = await this.db.cards.bulkGet([...this.ids]);
    const stored = new Map(
      rows.filter((row): row is StoredCard => row !== undefined).map((row) => [row.id, row]),
    );
    const places = sortForArea(this.ids, stored, Date.now());
    this.scheduled = places.scheduled;
    this.offeredAtStart = places.offered.length;
    this.session = startAreaSession(places.offered);
    this.root.dataset['offered'] = String(places.offered.length);
    this.root.addEventListener('click', (event) => void this.onClick(event));
    this.root.addEventListener('keydown', (event) => void this.onKey(event));
    document.addEventListener('residual-area-upgraded', () => {
      this.finish('Another tab upgraded the database to a newer version: reload this page.');
    });
    await this.showNext();
    this.root.dataset['ready'] = 'true';
  }

  /** Show the first pending card, read again from the database (another tab may have moved it). */
  private async showNext(): Promise<void> {
    for (;;) {
      const id = this.session.pending[0];
      if (id === undefined) {
        this.showDone();
        return;
      }
      const card = await this.db.cards.get(id);
      const place = areaPlace(card, Date.now());
      // A card missed here whose next step is not due yet comes back all the same.
      const missedHere = this.missedHere.has(id) && place === 'scheduled';
      if (card && (place === 'offered' || missedHere)) {
        this.show(card);
        return;
      }
      this.session = withoutCard(this.session, id);
    }
  }

  private show(card: StoredCard): void {
    const focusWasHere = this.root.contains(document.activeElement);
    this.current = card;
    this.preview = null;
    this.root.dataset['cardId'] = card.id;
    part(this.root, '[data-loading]').hidden = true;
    part(this.root, '[data-done]').hidden = true;
    part(this.root, '[data-card]').hidden = false;
    const left = this.session.pending.length;
    part(this.root, '[data-place]').textContent =
      `${plural(left, 'card')} to go${this.session.missed > 0 ? ' (missed cards come back)' : ''}`;
    showCardText(part(this.root, '[data-front]'), card, 'front');
    showCardText(part(this.root, '[data-back]'), card, 'back');
    part(this.root, '[data-answer]').hidden = true;
    part(this.root, '[data-grades]').hidden = true;
    this.suggested = null;
    markSuggestedGrade(part(this.root, '[data-grades]'), null);
    const reveal = part<HTMLButtonElement>(this.root, '[data-action="reveal"]');
    const front = part(this.root, '[data-front]');
    reveal.disabled = false;
    part<HTMLButtonElement>(this.root, '[data-action="decline"]').disabled = false;
    if (card.kind === 'experiment' && card.experiment && this.experiment) {
      // The experiment poses its own question; its front and back wait as the worked example.
      front.hidden = true;
      reveal.hidden = true;
      this.experiment.show(card.experiment, {
        workedExample: () => {
          front.hidden = false;
          reveal.hidden = false;
          if (this.root.contains(document.activeElement)) reveal.focus({ preventScroll: true });
        },
        judged: (suggested) => {
          this.reveal(suggested);
          // The stage keeps its height and scrolls inside: show its foot, the verdict and the
          // grades, without scrolling the page the reader may have moved on in.
          const stage = part(this.root, '[data-stage]');
          stage.scrollTop = stage.scrollHeight;
        },
      });
      if (focusWasHere) part(this.root, '[data-experiment]').focus({ preventScroll: true });
      return;
    }
    this.experiment?.clear();
    front.hidden = false;
    reveal.hidden = false;
    if (focusWasHere) reveal.focus({ preventScroll: true });
  }

  /**
   * Shows the answer and the grades. An experiment card's answer is its result, already shown,
   * and `suggested` the grade its verdict pre-selects.
   */
  private reveal(suggested: Grade | null = null): void {
    const card = this.current;
    // While an experiment card waits for a prediction or its run, there is nothing to reveal.
    if (!card || this.preview || this.experiment?.active) return;
    this.preview = this.scheduler.preview(card.id, scheduleOf(card), Date.now());
    for (const grade of GRADES) {
      const outcome = this.preview[grade];
      part(this.root, `[data-interval="${grade}"]`).textContent = formatOutcome(outcome);
      part(this.root, `[data-grade="${grade}"]`).setAttribute(
        'aria-label',
        `${GRADE_NAMES[grade]}: next review in ${describeInterval(outcome.intervalDays === null ? outcome.intervalMs : outcome.intervalDays * 86_400_000)}`,
      );
    }
    const focusWasHere = this.root.contains(document.activeElement);
    part(this.root, '[data-answer]').hidden = suggested !== null;
    part(this.root, '[data-grades]').hidden = false;
    part(this.root, '[data-action="reveal"]').hidden = true;
    this.suggested = suggested;
    const marked = markSuggestedGrade(part(this.root, '[data-grades]'), suggested);
    // The suggested grade takes focus (the verdict is read out from its status line); otherwise
    // the answer does (read out). Tab reaches the grades, and keys still act here.
    if (focusWasHere && marked) marked.focus({ preventScroll: true });
    else if (focusWasHere) part(this.root, '[data-back]').focus({ preventScroll: true });
  }

  private async act(action: () => Promise<string>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      this.say(await action());
      // The sidebar's due figure (src/ui/progress/sidebar-due.ts) counts again.
      document.dispatchEvent(new Event('residual-cards-changed'));
    } catch (error) {
      if (classifyStorageError(error) === 'stale' && this.current) {
        // Answered or changed in another tab: it is not applied twice; it leaves this area.
        this.session = withoutCard(this.session, this.current.id);
        this.say(
          'That card was just answered or changed in another tab, so this answer was not applied.',
        );
      } else {
        this.say(describeStorageError(error));
      }
    } finally {
      this.busy = false;
    }
    await this.showNext();
  }

  private grade(grade: Grade): Promise<void> {
    const card = this.current;
    if (!card || !this.preview) return Promise.resolve();
    return this.act(async () => {
      const result = await recordReview(
        this.db,
        { cardId: card.id, expectedRev: card.rev, grade, now: Date.now() },
        this.scheduler,
      );
      this.session = afterAreaAnswer(this.session, card.id, grade);
      if (grade === 1) this.missedHere.add(card.id);
      else this.missedHere.delete(card.id);
      if (result.becameLeech) return 'This card is now tagged as a leech and suspended.';
      return grade === 1 ? 'Missed: it comes back before the end of this area.' : '';
    });
  }

  private decline(): Promise<void> {
    const card = this.current;
    if (!card) return Promise.resolve();
    return this.act(async () => {
      await declineCard(this.db, card.id, card.rev);
      this.session = withoutCard(this.session, card.id, true);
      return 'Declined: this card will not be shown again. The card browser can restore it.';
    });
  }

  private showDone(): void {
    this.current = null;
    this.experiment?.clear();
    delete this.root.dataset['cardId'];
    const now = Date.now();
    const parts: string[] = [];
    const { answered, missed, declined } = this.session;
    if (answered > 0) {
      parts.push(
        `Done: ${plural(answered, 'answer')}${missed > 0 ? ` (${missed} missed, asked again)` : ''}. These cards come back in your reviews on schedule.`,
      );
    } else if (this.offeredAtStart === 0 && this.scheduled.length > 0) {
      const next = Math.min(...this.scheduled.map((card) => card.due));
      parts.push(
        `${this.scheduled.length === 1 ? 'This card is' : `All ${this.scheduled.length} cards here are`} in your reviews; the next is due ${whenText(next, now)}.`,
      );
    } else if (this.offeredAtStart === 0) {
      parts.push('No cards to answer here.');
    }
    if (declined > 0) parts.push(`${plural(declined, 'card')} declined.`);
    this.finish(parts.join(' '));
  }

  private finish(text: string): void {
    this.experiment?.clear();
    const focusWasHere = this.root.contains(document.activeElement);
    part(this.root, '[data-loading]').hidden = true;
    part(this.root, '[data-card]').hidden = true;
    const done = part(this.root, '[data-done]');
    done.hidden = false;
    part(this.root, '[data-done-text]').textContent = text;
    this.root.dataset['done'] = 'true';
    if (focusWasHere) done.focus({ preventScroll: true });
  }

  private async onClick(event: MouseEvent): Promise<void> {
    const target = (event.target as Element).closest<HTMLElement>(
      'button[data-action], button[data-grade]',
    );
    if (!target || !this.root.contains(target)) return;
    const grade = target.dataset['grade'];
    if (grade) return this.grade(Number(grade) as Grade);
    if (target.dataset['action'] === 'reveal') return this.reveal();
    if (target.dataset['action'] === 'decline') return this.decline();
  }

  private async onKey(event: KeyboardEvent): Promise<void> {
    if (event.ctrlKey || event.metaKey || event.altKey || !this.current) return;
    const target = event.target as HTMLElement | null;
    // The decline button, links and the experiment's own controls keep their Space and Enter.
    if (target?.closest('a, [data-action="decline"], [data-experiment] :is(button, input)')) return;
    if (event.key === ' ' || event.key === 'Spacebar') {
      event.preventDefault();
      if (!this.preview) this.reveal();
      else await this.grade(this.suggested ?? 3);
      return;
    }
    // Enter takes an experiment's pre-selected grade (on a focused button, Enter presses it).
    if (event.key === 'Enter' && this.preview && this.suggested && !target?.closest('button')) {
      event.preventDefault();
      await this.grade(this.suggested);
      return;
    }
    if (['1', '2', '3', '4'].includes(event.key) && this.preview) {
      event.preventDefault();
      await this.grade(Number(event.key) as Grade);
    }
  }
}

/** Start the area inside `element` (a <residual-review-area>). */
export async function mountReviewArea(element: HTMLElement): Promise<void> {
  // The card and the finished state come from the page's template, before any part is looked up.
  const problem = fillAreaStage(element);
  if (problem) {
    const status = element.querySelector('[data-status]');
    if (status) status.textContent = problem;
    return;
  }
  const ids = JSON.parse(element.dataset['cards'] ?? '[]') as string[];
  const area = new ReviewArea(element, ids);
  try {
    await area.start();
  } catch (error) {
    const status = element.querySelector('[data-status]');
    if (status) status.textContent = describeStorageError(error);
  }
}
