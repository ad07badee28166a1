/**
 * <residual-review>: the review page's behaviour. It owns no state that matters: after every
 * action it asks storage for today's queue again, so a reload, a second tab or an undo can never
 * leave the page showing something the database does not hold.
 */
import { nextDayStart } from '../../srs/day';
import { describeInterval, formatOutcome } from '../../srs/format';
import type { StudyScope, TodayQueue } from '../../srs/queue';
import { scheduleOf } from '../../srs/review';
import { createScheduler, type Preview, type Scheduler } from '../../srs/scheduler';
import { firstIssue } from '../../srs/schemas';
import { SOURCE_LABELS, sourceOf } from '../../srs/source';
import { loadCardMath, showCardText } from './card-text';
import type { Settings } from '../../srs/settings';
import { GRADES, type Grade, type StoredCard } from '../../srs/types';
import type { ResidualDb } from '../../storage/db';
import { classifyStorageError, describeStorageError } from '../../storage/errors';
import { persistenceState, requestPersistence, type PersistenceState } from '../../storage/open';
import { loadCheckedQueue } from '../../storage/reviewable';
import {
  buryCard,
  canUndo,
  recordReview,
  suspendCard,
  undoLastReview,
} from '../../storage/reviews';
import { saveSettings } from '../../storage/settings';
import { cardsWaitingInUnreadPapers } from '../../storage/due';
import { loadProgress } from '../../storage/progress';
import { newCardSources } from '../../storage/queue';
import { nextToRead, progressMap } from '../../progress/progress';
import {
  describeSummary,
  emptyTally,
  summarise,
  withAnswer,
  type SessionTally,
} from '../../srs/summary';
import { readingPlan } from '../progress/progress-client';
import { describeDamaged, describeSync, startStorage } from '../../storage/bootstrap';
import { tabId } from './tab-id';
import { withBase } from '../../content/base';

function required<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`review page is missing ${selector}`);
  return element;
}

/** "all", "chapter:<slug>" or "paper:<id>" (the scope <select> values and URL parameters). */
export function parseScope(value: string | null): StudyScope {
  if (value?.startsWith('chapter:')) return { kind: 'chapter', chapter: value.slice(8) };
  if (value?.startsWith('paper:')) return { kind: 'paper', paperId: value.slice(6) };
  return { kind: 'all' };
}

function scopeValue(scope: StudyScope): string {
  if (scope.kind === 'chapter') return `chapter:${scope.chapter}`;
  if (scope.kind === 'paper') return `paper:${scope.paperId}`;
  return 'all';
}

const PERSISTENCE_TEXT: Record<PersistenceState, string> = {
  persistent: 'Persistent storage granted: the browser will not clear your cards to free space.',
  'best-effort':
    'Storage is best-effort: the browser may clear this site\u2019s data when space runs low. Ask it to keep your cards, and export a backup now and then.',
  unsupported: 'This browser does not say whether it keeps this site\u2019s data.',
};

export class ReviewSessionElement extends HTMLElement {
  private db: ResidualDb | null = null;
  private settings!: Settings;
  private scheduler!: Scheduler;
  private scope: StudyScope = { kind: 'all' };
  /** Studying the chosen chapter or paper ahead of schedule (on demand). */
  private ahead = false;
  private current: StoredCard | null = null;
  private preview: Preview | null = null;
  private revealed = false;
  private busy = false;
  private titles: Record<string, string> = {};
  /** This tab: its answers are the only ones its undo takes back. */
  private readonly tab = tabId();
  /** This sitting's answers, for the summary when the queue is done. */
  private tally: SessionTally = emptyTally();

  connectedCallback(): void {
    const titles = this.querySelector('[data-titles]')?.textContent;
    this.titles = titles ? (JSON.parse(titles) as Record<string, string>) : {};
    this.addEventListener('click', (event) => void this.onClick(event));
    document.addEventListener('keydown', (event) => void this.onKey(event));
    required<HTMLSelectElement>(this, '[data-scope]').addEventListener('change', (event) => {
      this.scope = parseScope((event.target as HTMLSelectElement).value);
      this.ahead = false;
      const url = new URL(location.href);
      url.searchParams.delete('chapter');
      url.searchParams.delete('paper');
      if (this.scope.kind === 'chapter') url.searchParams.set('chapter', this.scope.chapter);
      if (this.scope.kind === 'paper') url.searchParams.set('paper', this.scope.paperId);
      history.replaceState(null, '', url);
      void this.refresh();
    });
    required<HTMLFormElement>(this, '[data-settings]').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.saveSettingsForm(event.target as HTMLFormElement);
    });
    void this.start();
  }

  private async start(): Promise<void> {
    const params = new URLSearchParams(location.search);
    const chapter = params.get('chapter');
    const paper = params.get('paper');
    this.scope = parseScope(
      chapter ? `chapter:${chapter}` : paper ? `paper:${paper}` : params.get('scope'),
    );
    const [started] = await Promise.all([
      startStorage({
        deckUrl: this.dataset['deckUrl'] ?? withBase('deck.json'),
        onUpgradeElsewhere: () => this.showUpgradeNotice(),
        onBlocked: (message) => this.say(message),
      }),
      loadCardMath(),
    ]);
    const session = required(this, '[data-session]');
    if (!started.ok) {
      // Nothing below can work without storage: the message takes the session's place.
      session.hidden = true;
      required(this, '[data-storage]').hidden = true;
      required(this, '[data-settings-panel]').hidden = true;
      required(this, '[data-unavailable-message]').textContent = started.message;
      required(this, '[data-unavailable]').hidden = false;
      return;
    }
    this.db = started.db;
    this.useSettings(started.settings);
    required<HTMLFieldSetElement>(this, '[data-settings-fields]').disabled = false;
    this.say(
      [started.deckProblem ?? describeSync(started.sync), describeDamaged(started.damaged)]
        .filter(Boolean)
        .join(' '),
    );
    const select = required<HTMLSelectElement>(this, '[data-scope]');
    select.value = scopeValue(this.scope);
    if (select.value !== scopeValue(this.scope)) {
      this.scope = { kind: 'all' };
      select.value = 'all';
    }
    select.disabled = false;
    void persistenceState().then((state) => this.showPersistence(state));
    await this.refresh().catch((error: unknown) => this.say(describeStorageError(error)));
    session.removeAttribute('aria-busy');
    this.dataset['ready'] = 'true';
  }

  private useSettings(settings: Settings): void {
    this.settings = settings;
    this.scheduler = createScheduler(settings);
    const form = required<HTMLFormElement>(this, '[data-settings]');
    for (const [key, value] of Object.entries(settings)) {
      const input = form.elements.namedItem(key);
      if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement) {
        input.value = Array.isArray(value) ? value.join(' ') : String(value);
      }
    }
  }

  /** Show a message in the live region (read out by screen readers). */
  private say(message: string): void {
    required(this, '[data-status]').textContent = message;
  }

  private showUpgradeNotice(): void {
    required(this, '[data-upgrade-notice]').hidden = false;
    for (const button of this.querySelectorAll<HTMLButtonElement>(
      '[data-session] button, [data-settings] button',
    )) {
      button.disabled = true;
    }
  }

  private showPersistence(state: PersistenceState): void {
    required(this, '[data-storage]').hidden = false;
    required(this, '[data-storage-state]').textContent = PERSISTENCE_TEXT[state];
    this.dataset['persistence'] = state;
    const ask = required<HTMLButtonElement>(this, '[data-action="persist"]');
    ask.hidden = state !== 'best-effort';
    ask.disabled = false;
  }

  /** Ask storage for the queue and show its first card (or the finished state). */
  private async refresh(): Promise<void> {
    if (!this.db) return;
    const { queue, setAside } = await loadCheckedQueue(
      this.db,
      Date.now(),
      this.settings,
      this.scope,
      { ahead: this.ahead },
    );
    for (const key of ['new', 'learning', 'review'] as const) {
      required(this, `[data-count="${key}"]`).textContent = String(queue.counts[key]);
    }
    required<HTMLButtonElement>(this, '[data-action="undo"]').disabled = !(await canUndo(
      this.db,
      this.tab,
    ));
    const [first] = setAside;
    if (first) {
      // A damaged row would break scheduling: it is set aside (kept, and listed), and review goes on.
      this.say(
        `The saved data of card "${first.id}" is damaged (${first.problem}), so it was set aside${setAside.length > 1 ? ` with ${setAside.length - 1} more` : ''}. The statistics page lists it, to repair or remove.`,
      );
    }
    this.show(queue.next, queue);
  }

  private show(card: StoredCard | null, queue: TodayQueue): void {
    this.current = card;
    this.preview = null;
    this.revealed = false;
    const cardPanel = required(this, '[data-card]');
    const done = required(this, '[data-done]');
    required(this, '[data-loading]').hidden = true;
    cardPanel.hidden = card === null;
    done.hidden = card !== null;
    this.dataset['cardId'] = card?.id ?? '';
    if (!card) {
      this.showDone(queue);
      return;
    }
    const where = [this.titles[card.chapter], card.paperId ? this.titles[card.paperId] : null]
      .filter(Boolean)
      .join(' \u203a ');
    required(this, '[data-where]').textContent = where;
    required(this, '[data-changed]').hidden = !card.changed;
    const source = sourceOf(card);
    const sourceLabel = required(this, '[data-source-label]');
    sourceLabel.textContent = SOURCE_LABELS[source];
    sourceLabel.dataset['source'] = source;
    showCardText(required(this, '[data-front]'), card, 'front');
    showCardText(required(this, '[data-back]'), card, 'back');
    required(this, '[data-answer]').hidden = true;
    required(this, '[data-grades]').hidden = true;
    const reveal = required<HTMLButtonElement>(this, '[data-action="reveal"]');
    reveal.hidden = false;
    required<HTMLAnchorElement>(this, '[data-open]').href = withBase(card.href);
    // Move focus to the question so a screen reader reads each new card; Space still reveals.
    if (this.contains(document.activeElement) || document.activeElement === document.body) {
      required(this, '[data-front]').focus({ preventScroll: true });
    }
  }

  private showDone(queue: TodayQueue): void {
    const title = required(this, '[data-done-title]');
    const detail = required(this, '[data-done-detail]');
    title.textContent =
      this.scope.kind === 'all' ? 'Finished for today' : 'Nothing due here right now';
    const parts: string[] = [];
    if (queue.nextDueAt !== null) {
      const when = new Date(queue.nextDueAt);
      const sameDay = queue.nextDueAt < nextDayStart(Date.now(), this.settings.dayStartHour);
      parts.push(
        `The next card is due ${sameDay ? 'today at' : 'on'} ${when.toLocaleString(undefined, sameDay ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'long', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' })}.`,
      );
    } else {
      parts.push('No card is scheduled yet.');
    }
    if (queue.newLimitReached) {
      parts.push(
        `More new cards tomorrow: today's limit of ${this.settings.newPerDay} new cards is reached.`,
      );
    }
    if (this.ahead) {
      title.textContent = 'Done studying ahead';
      parts.unshift('You have answered every card here today.');
    }
    detail.textContent = parts.join(' ');
    const summary = required(this, '[data-summary]');
    summary.hidden = this.tally.answers === 0;
    summary.textContent = describeSummary(summarise(this.tally));
    void this.showWaiting();
    const studyAhead = required<HTMLButtonElement>(this, '[data-action="study-ahead"]');
    studyAhead.hidden = this.scope.kind === 'all' || this.ahead || queue.ahead === 0;
    const what = this.scope.kind === 'chapter' ? 'this chapter' : 'this paper';
    studyAhead.textContent = `Study ${what} now: ${queue.ahead} card${queue.ahead === 1 ? '' : 's'} not yet due or over today's limits`;
  }

  /**
   * With new cards taken from read papers only: how many wait in papers not read yet, and a link
   * to the next paper of the reading plan.
   */
  private async showWaiting(): Promise<void> {
    const box = required(this, '[data-waiting]');
    const newFrom = this.db ? await newCardSources(this.db, this.settings) : undefined;
    if (!this.db || newFrom === undefined || this.scope.kind === 'paper') {
      box.hidden = true;
      return;
    }
    const waiting = await cardsWaitingInUnreadPapers(this.db, newFrom);
    box.hidden = waiting === 0;
    required(this, '[data-waiting-text]').textContent =
      `${waiting} ${waiting === 1 ? 'card waits' : 'cards wait'} in papers you have not read yet. `;
    const link = required<HTMLAnchorElement>(this, '[data-waiting-link]');
    try {
      const [plan, { rows }] = await Promise.all([readingPlan(), loadProgress(this.db)]);
      const next = nextToRead(plan, progressMap(rows));
      if (next) {
        link.href = withBase(next.href);
        link.textContent = `Read the next one: ${next.title}`;
      }
    } catch {
      // Without the plan the link goes to the progress page, which names the next paper.
    }
  }

  private reveal(): void {
    const card = this.current;
    if (!card || this.revealed) return;
    this.revealed = true;
    this.preview = this.scheduler.preview(card.id, scheduleOf(card), Date.now());
    for (const grade of GRADES) {
      const outcome = this.preview[grade];
      required(this, `[data-interval="${grade}"]`).textContent = formatOutcome(outcome);
      required(this, `[data-grade="${grade}"]`).setAttribute(
        'title',
        `Next review in ${describeInterval(outcome.intervalDays === null ? outcome.intervalMs : outcome.intervalDays * 86_400_000)}`,
      );
    }
    required(this, '[data-answer]').hidden = false;
    required(this, '[data-grades]').hidden = false;
    const reveal = required<HTMLButtonElement>(this, '[data-action="reveal"]');
    const focusInCard = required(this, '[data-card]').contains(document.activeElement);
    reveal.hidden = true;
    // The answer takes focus (and is read out); Tab then reaches the grade buttons.
    if (focusInCard) required(this, '[data-back]').focus({ preventScroll: true });
  }

  /** Run one storage action at a time; report failures in words and re-read the queue. */
  private async act(action: (db: ResidualDb) => Promise<string>): Promise<void> {
    if (!this.db || this.busy) return;
    this.busy = true;
    try {
      this.say(await action(this.db));
      // The sidebar's due figure (src/ui/progress/sidebar-due.ts) counts again.
      document.dispatchEvent(new Event('residual-cards-changed'));
    } catch (error) {
      this.say(describeStorageError(error));
      if (classifyStorageError(error) === 'upgraded-elsewhere') this.showUpgradeNotice();
    } finally {
      this.busy = false;
    }
    await this.refresh().catch((error: unknown) => this.say(describeStorageError(error)));
  }

  private grade(grade: Grade): Promise<void> {
    const card = this.current;
    if (!card || !this.revealed) return Promise.resolve();
    return this.act(async (db) => {
      const now = Date.now();
      const result = await recordReview(
        db,
        { cardId: card.id, expectedRev: card.rev, grade, now, tab: this.tab },
        this.scheduler,
      );
      this.tally = withAnswer(this.tally, card.id, grade, now);
      if (result.becameLeech) {
        return `This card has lapsed ${result.card.lapses} times, so it is now tagged as a leech and suspended. Consider rereading its section; unsuspend it from the card browser.`;
      }
      return '';
    });
  }

  private undo(): Promise<void> {
    return this.act(async (db) => {
      const result = await undoLastReview(db, this.tab);
      if (result.undone) return 'Undid the last answer.';
      return result.reason === 'nothing'
        ? 'There is no answer given in this tab to undo.'
        : 'That card was changed in another tab since you answered it, so the answer was not undone (undoing it would erase the other tab\u2019s work).';
    });
  }

  private bury(): Promise<void> {
    const card = this.current;
    if (!card) return Promise.resolve();
    return this.act(async (db) => {
      await buryCard(db, card.id, card.rev, nextDayStart(Date.now(), this.settings.dayStartHour));
      return 'Buried until tomorrow.';
    });
  }

  private suspend(): Promise<void> {
    const card = this.current;
    if (!card) return Promise.resolve();
    return this.act(async (db) => {
      await suspendCard(db, card.id, card.rev);
      return 'Suspended. Unsuspend it from the card browser.';
    });
  }

  private async saveSettingsForm(form: HTMLFormElement): Promise<void> {
    if (!this.db) return;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const steps = (name: string) =>
      text(name)
        .split(/[\s,]+/)
        .filter(Boolean);
    const candidate = {
      desiredRetention: Number(text('desiredRetention')),
      newPerDay: Number(text('newPerDay')),
      maxReviewsPerDay: Number(text('maxReviewsPerDay')),
      learningSteps: steps('learningSteps'),
      relearningSteps: steps('relearningSteps'),
      dayStartHour: Number(text('dayStartHour')),
      leechThreshold: Number(text('leechThreshold')),
      maximumInterval: Number(text('maximumInterval')),
      introduceNew: text('introduceNew'),
    };
    const error = required(this, '[data-settings-error]');
    try {
      this.useSettings(await saveSettings(this.db, candidate));
      error.textContent = '';
      this.say('Settings saved.');
      await this.refresh();
    } catch (problem) {
      error.textContent =
        problem instanceof Error && 'issues' in problem
          ? `Not saved: ${firstIssue(problem as Parameters<typeof firstIssue>[0])}`
          : describeStorageError(problem);
    }
  }

  private async onClick(event: MouseEvent): Promise<void> {
    const target = (event.target as Element).closest<HTMLElement>(
      'button[data-action], button[data-grade]',
    );
    if (!target || !this.contains(target)) return;
    const grade = target.dataset['grade'];
    if (grade) return this.grade(Number(grade) as Grade);
    switch (target.dataset['action']) {
      case 'reveal':
        return this.reveal();
      case 'study-ahead':
        this.ahead = true;
        this.say('Studying ahead: early answers are scheduled by FSRS like any other.');
        return this.refresh();
      case 'undo':
        return this.undo();
      case 'bury':
        return this.bury();
      case 'suspend':
        return this.suspend();
      case 'reload':
        return location.reload();
      case 'persist':
        return this.showPersistence(await requestPersistence());
    }
  }

  private async onKey(event: KeyboardEvent): Promise<void> {
    if (event.ctrlKey || event.metaKey || event.altKey || !this.db) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [contenteditable], summary, details form'))
      return;
    const key = event.key;
    if (key === ' ' || key === 'Spacebar') {
      if (!this.current) return;
      event.preventDefault();
      if (!this.revealed) this.reveal();
      else await this.grade(3);
      return;
    }
    if (['1', '2', '3', '4'].includes(key) && this.revealed) {
      event.preventDefault();
      return this.grade(Number(key) as Grade);
    }
    switch (key.toLowerCase()) {
      case 'u':
        event.preventDefault();
        return this.undo();
      case 'b':
        if (!this.current) return;
        event.preventDefault();
        return this.bury();
      case 's':
        if (!this.current) return;
        event.preventDefault();
        return this.suspend();
      case 'o':
        if (!this.current) return;
        event.preventDefault();
        location.assign(withBase(this.current.href));
        return;
    }
  }
}
