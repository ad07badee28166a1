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
import { buryCard, recordReview, suspendCard, unsuspendCard } from '../../storage/reviews';
import {
  TabUndoStack,
  undoStep,
  unburyCard,
  withUndo,
  type UndoableOperation,
} from '../../storage/undo';
import { showSetAside } from './set-aside';
import { showCardInfo } from './card-info';
import { filterDeckList, showDeckCounts } from './deck-list';
import { cappedAnswerMs, formatStudyTime, MAX_ANSWER_MS } from '../../srs/answer-time';
import { loadAnswerTimeToday } from '../../storage/answer-time';
import { loadForgottenToday, loadPreviewCards, loadReviewAhead } from '../../storage/preview';
import { editCard, flagCard, forgetCard, noteCard } from '../../storage/undo';
import { FLAG_NAMES, type CardFlag } from '../../srs/types';
import { saveSettings } from '../../storage/settings';
import { parseExtraNew, withExtraNew } from '../../srs/extra-new';
import { addExtraNewToday, loadExtraNewToday } from '../../storage/extra-new';
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
import {
  FINISHED_TITLE,
  NO_ANSWERS_TODAY,
  NOTHING_SCHEDULED,
  NOTHING_YET_TITLE,
  nextPaperText,
  waitingText,
} from './done-text';
import { showWorkload } from './workload';
import { withBase } from '../../content/base';
import { ExperimentCardView, markSuggestedGrade } from '../experiment/experiment-card';

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

/** What the undo button and message call each operation. */
const UNDO_LABELS: Record<UndoableOperation, string> = {
  answer: 'last answer',
  bury: 'bury',
  suspend: 'suspension',
  unbury: 'unbury',
  unsuspend: 'unsuspension',
  forget: 'reset',
  flag: 'flag change',
  edit: 'edit',
  note: 'note',
};

export class ReviewSessionElement extends HTMLElement {
  private db: ResidualDb | null = null;
  private settings!: Settings;
  /** The settings with today's extra new cards counted in (what today's queue is read with). */
  private todaySettings!: Settings;
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
  /** This tab's own operations, newest last: U takes back the last one done here. */
  private readonly undoStack = new TabUndoStack();
  /**
   * Preview (Anki's "preview"/cram custom study): one part's cards regardless of schedule, in
   * reading order; answers only move through the list (Again sends a card to the end) and are
   * never written to the schedule or the log. Null when not previewing.
   */
  private previewCards: StoredCard[] | null = null;
  /** Review ahead: the list's answers are scheduled as usual (the list is re-read after each). */
  private previewWrites = false;
  private aheadDays = 0;
  /** When the shown question appeared (performance.now()), for the time per answer. */
  private shownAt = 0;
  /** The live part of an experiment card (hidden for other cards). */
  private experiment!: ExperimentCardView;
  /** The grade an experiment's verdict pre-selects; Space and Enter take it. Null otherwise. */
  private suggested: Grade | null = null;

  connectedCallback(): void {
    const titles = this.querySelector('[data-titles]')?.textContent;
    this.titles = titles ? (JSON.parse(titles) as Record<string, string>) : {};
    this.experiment = new ExperimentCardView(required(this, '[data-experiment]'));
    this.addEventListener('click', (event) => void this.onClick(event));
    document.addEventListener('keydown', (event) => void this.onKey(event));
    required<HTMLInputElement>(this, '[data-deck-filter]').addEventListener('input', (event) => {
      filterDeckList(
        required(this, '.residual-decks__panel'),
        (event.target as HTMLInputElement).value,
      );
    });
    required<HTMLSelectElement>(this, '[data-flag-select]').addEventListener('change', (event) => {
      const chosen = Number((event.target as HTMLSelectElement).value) as CardFlag;
      void this.flag(chosen === 0 ? ((this.current?.flag ?? 0) as CardFlag) : chosen);
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
    const started = await startStorage({
      deckUrl: this.dataset['deckUrl'] ?? withBase('deck.json'),
      onUpgradeElsewhere: () => this.showUpgradeNotice(),
      onBlocked: (message) => this.say(message),
    });
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
    if (!this.scopeButton(scopeValue(this.scope))) this.scope = { kind: 'all' };
    this.showScope();
    void persistenceState().then((state) => this.showPersistence(state));
    await this.refresh().catch((error: unknown) => this.say(describeStorageError(error)));
    session.removeAttribute('aria-busy');
    this.dataset['ready'] = 'true';
    this.estimateWorkload();
  }

  /** The settings' workload table, simulated in a worker once the page is interactive. */
  private estimateWorkload(): void {
    const db = this.db;
    if (!db) return;
    const run = () =>
      void showWorkload(required(this, '[data-workload]'), db, this.settings).catch(
        (error: unknown) => {
          required(this, '[data-workload-status]').textContent =
            `The workload estimate failed: ${describeStorageError(error)}`;
        },
      );
    if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 2_000 });
    else setTimeout(run, 0);
  }

  /** The deck list's button for a scope value, if the list has one. */
  private scopeButton(value: string): HTMLButtonElement | null {
    return this.querySelector<HTMLButtonElement>(`[data-study="${CSS.escape(value)}"]`);
  }

  /** Name the scope being studied in the toolbar and in [data-scope]. */
  private showScope(): void {
    const value = scopeValue(this.scope);
    required<HTMLInputElement>(this, '[data-scope]').value = value;
    const button = this.scopeButton(value);
    const label =
      this.scope.kind === 'chapter'
        ? (this.titles[this.scope.chapter] ?? this.scope.chapter)
        : (button?.textContent?.trim() ?? 'All cards');
    required(this, '[data-scope-label]').textContent = label;
  }

  /** Study another part of the deck, chosen in the deck list. */
  private chooseScope(value: string): Promise<void> {
    this.previewCards = null;
    this.previewWrites = false;
    delete this.dataset['mode'];
    this.scope = parseScope(value);
    this.ahead = false;
    const url = new URL(location.href);
    url.searchParams.delete('chapter');
    url.searchParams.delete('paper');
    url.searchParams.delete('scope');
    if (this.scope.kind === 'chapter') url.searchParams.set('chapter', this.scope.chapter);
    if (this.scope.kind === 'paper') url.searchParams.set('paper', this.scope.paperId);
    history.replaceState(null, '', url);
    this.showScope();
    const list = required<HTMLDetailsElement>(this, '[data-deck-list]');
    list.open = false;
    list.querySelector('summary')?.focus();
    return this.refresh();
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
    // Today's extra new cards (custom study) raise the new-card limit until the day ends.
    this.todaySettings = withExtraNew(
      this.settings,
      await loadExtraNewToday(this.db, Date.now(), this.settings),
    );
    const { queue, setAside } = await loadCheckedQueue(
      this.db,
      Date.now(),
      this.todaySettings,
      this.scope,
      { ahead: this.ahead },
    );
    for (const key of ['new', 'learning', 'review'] as const) {
      required(this, `[data-count="${key}"]`).textContent = String(queue.counts[key]);
    }
    this.showUndo();
    await showDeckCounts(
      required(this, '[data-deck-list]'),
      this.db,
      this.todaySettings,
      Date.now(),
    );
    await showSetAside(this.db, required(this, '[data-set-aside]'), this.scope, Date.now());
    if (this.previewCards && this.previewWrites) {
      this.previewCards = await loadReviewAhead(this.db, Date.now(), this.settings, this.aheadDays);
    }
    // The build's card math is fetched (and checked) once there is a card to show: a first visit,
    // with nothing due yet, needs none of it.
    if (queue.next || this.previewCards) await loadCardMath();
    if (this.previewCards) {
      this.showPreviewCard(queue);
      return;
    }
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
    for (const count of this.querySelectorAll<HTMLElement>('[data-queue]')) {
      count.toggleAttribute('data-current', card !== null && count.dataset['queue'] === card.queue);
    }
    if (!card) {
      this.experiment.clear();
      this.showDone(queue);
      return;
    }
    const where = [this.titles[card.chapter], card.paperId ? this.titles[card.paperId] : null]
      .filter(Boolean)
      .join(' \u203a ');
    required(this, '[data-where]').textContent = where;
    required(this, '[data-changed]').hidden = !card.changed;
    this.showFlag(card.flag ?? 0);
    const source = sourceOf(card);
    const sourceLabel = required(this, '[data-source-label]');
    sourceLabel.textContent = SOURCE_LABELS[source];
    sourceLabel.dataset['source'] = source;
    required(this, '[data-card-text]').scrollTop = 0;
    this.shownAt = performance.now();
    // The reader's own wording, when there is one, is shown as text (never the build's math HTML).
    const wording = card.edit
      ? { id: card.id, hash: `edit:${card.id}`, front: card.edit.front, back: card.edit.back }
      : card;
    showCardText(required(this, '[data-front]'), wording, 'front');
    showCardText(required(this, '[data-back]'), wording, 'back');
    required(this, '[data-edited]').hidden = !card.edit;
    required(this, '[data-note]').textContent = card.note ? `Your note: ${card.note}` : '';
    required(this, '[data-original-changed]').hidden =
      !card.edit || card.edit.baseHash === card.hash;
    required(this, '[data-answer]').hidden = true;
    required(this, '[data-grades]').hidden = true;
    this.suggested = null;
    markSuggestedGrade(required(this, '[data-grades]'), null);
    const reveal = required<HTMLButtonElement>(this, '[data-action="reveal"]');
    required<HTMLAnchorElement>(this, '[data-open]').href = withBase(card.href);
    const front = required(this, '[data-front]');
    // Move focus to the question so a screen reader reads each new card; Space still reveals.
    const focusHere =
      this.contains(document.activeElement) || document.activeElement === document.body;
    if (card.kind === 'experiment' && card.experiment) {
      // The experiment poses its own question; its front and back wait as the worked example.
      front.hidden = true;
      reveal.hidden = true;
      this.experiment.show(card.experiment, {
        workedExample: () => {
          front.hidden = false;
          reveal.hidden = false;
          if (this.contains(document.activeElement)) front.focus({ preventScroll: true });
        },
        judged: (suggested) => this.reveal(suggested),
      });
      if (focusHere) required(this, '[data-experiment]').focus({ preventScroll: true });
      return;
    }
    this.experiment.clear();
    front.hidden = false;
    reveal.hidden = false;
    if (focusHere) front.focus({ preventScroll: true });
  }

  /** Start previewing `value`'s cards (a deck-list row); the schedule is left alone. */
  private async startPreview(value: string): Promise<void> {
    if (!this.db) return;
    this.previewWrites = false;
    if (value === 'ahead') {
      const input = required<HTMLInputElement>(this, '[data-ahead-days]');
      const days = Number(input.value);
      if (!Number.isInteger(days) || days < 1 || days > 365) {
        this.say('Review ahead: give a whole number of days from 1 to 365.');
        return;
      }
      this.aheadDays = days;
      this.previewWrites = true;
      this.previewCards = await loadReviewAhead(this.db, Date.now(), this.settings, days);
      this.scope = { kind: 'all' };
      this.showScope();
      required(this, '[data-scope-label]').textContent = `Review ahead ${days} days`;
    } else if (value === 'forgotten') {
      this.previewCards = await loadForgottenToday(this.db, Date.now(), this.settings);
      this.scope = { kind: 'all' };
      this.showScope();
      required(this, '[data-scope-label]').textContent = 'Forgotten today';
    } else {
      this.scope = parseScope(value);
      this.previewCards = await loadPreviewCards(this.db, this.scope);
      this.showScope();
    }
    required<HTMLDetailsElement>(this, '[data-deck-list]').open = false;
    this.dataset['mode'] = 'preview';
    await this.refresh();
  }

  private showPreviewCard(queue: TodayQueue): void {
    const cards = this.previewCards ?? [];
    const card = cards[0] ?? null;
    this.show(card, queue);
    const left = `${cards.length} card${cards.length === 1 ? '' : 's'} left`;
    if (this.previewWrites) {
      this.say(
        card
          ? `Reviewing ahead, ${left}: answers are scheduled by FSRS as usual.`
          : 'Nothing more to review ahead.',
      );
    } else {
      this.say(
        card
          ? `Preview, ${left}: answers here are not saved to your schedule.`
          : 'Preview finished. Nothing was rescheduled.',
      );
    }
    if (!card) {
      required(this, '[data-done-title]').textContent = this.previewWrites
        ? 'Done reviewing ahead'
        : 'Preview finished';
      required(this, '[data-done-detail]').textContent =
        'Choose a part of the deck above to go back to your scheduled reviews.';
      required(this, '[data-action="study-ahead"]').hidden = true;
    }
  }

  /** Custom study: allow N more new cards today (typed in the deck list), for today only. */
  private addExtraNew(): Promise<void> {
    const request = parseExtraNew(required<HTMLInputElement>(this, '[data-extra-new]').value);
    if (!request.ok) {
      this.say(request.message);
      return Promise.resolve();
    }
    this.previewCards = null;
    this.previewWrites = false;
    delete this.dataset['mode'];
    this.ahead = false;
    required<HTMLDetailsElement>(this, '[data-deck-list]').open = false;
    return this.act(async (db) => {
      const extra = await addExtraNewToday(db, Date.now(), this.settings, request.more);
      return `Today's new-card limit is raised by ${extra}, to ${this.settings.newPerDay + extra}, until the day ends.`;
    });
  }

  /** An answer in preview: Again sends the card to the end of the list, the others remove it. */
  private answerPreview(grade: Grade): Promise<void> {
    const cards = this.previewCards;
    const card = cards?.shift();
    if (cards && card && grade === 1) cards.push(card);
    return this.refresh();
  }

  private showDone(queue: TodayQueue): void {
    const title = required(this, '[data-done-title]');
    const detail = required(this, '[data-done-detail]');
    // Nothing in the schedule and nothing answered: the learner has not started, not finished.
    const started = queue.nextDueAt !== null || this.tally.answers > 0;
    title.textContent =
      this.scope.kind !== 'all'
        ? 'Nothing due here right now'
        : started
          ? FINISHED_TITLE
          : NOTHING_YET_TITLE;
    const parts: string[] = [];
    if (queue.nextDueAt !== null) {
      const when = new Date(queue.nextDueAt);
      const sameDay = queue.nextDueAt < nextDayStart(Date.now(), this.settings.dayStartHour);
      parts.push(
        `The next card is due ${sameDay ? 'today at' : 'on'} ${when.toLocaleString(undefined, sameDay ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'long', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' })}.`,
      );
    } else {
      parts.push(NOTHING_SCHEDULED);
    }
    if (queue.newLimitReached) {
      parts.push(
        `More new cards tomorrow: today's limit of ${this.todaySettings.newPerDay} new cards is reached.`,
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
    void this.showTimeToday();
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
    required(this, '[data-waiting-text]').textContent = waitingText(waiting);
    const link = required<HTMLAnchorElement>(this, '[data-waiting-link]');
    try {
      const [plan, { rows }] = await Promise.all([readingPlan(), loadProgress(this.db)]);
      const next = nextToRead(plan, progressMap(rows));
      if (next) {
        link.href = withBase(next.href);
        link.textContent = nextPaperText(next.title);
      }
    } catch {
      // Without the plan the link goes to the progress page, which names the next paper.
    }
  }

  /** "Today: 23 answers in 6 min 10 s, 16 s each": Anki's line under the finished deck. */
  private async showTimeToday(): Promise<void> {
    if (!this.db) return;
    const today = await loadAnswerTimeToday(this.db, Date.now(), this.settings);
    required(this, '[data-done-time]').textContent =
      today.answers === 0
        ? NO_ANSWERS_TODAY
        : `Today: ${today.answers} answer${today.answers === 1 ? '' : 's'} in ${formatStudyTime(today.totalMs)}${today.timed > 0 ? `, ${formatStudyTime(today.meanMs)} each on average` : ''} (each answer counts at most ${formatStudyTime(MAX_ANSWER_MS)}).`;
  }

  /**
   * Shows the answer and the grades. An experiment card's answer is its result, already shown,
   * and `suggested` the grade its verdict pre-selects.
   */
  private reveal(suggested: Grade | null = null): void {
    const card = this.current;
    // While an experiment card waits for a prediction or its run, there is nothing to reveal.
    if (!card || this.revealed || this.experiment.active) return;
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
    required(this, '[data-answer]').hidden = suggested !== null;
    required(this, '[data-grades]').hidden = false;
    const reveal = required<HTMLButtonElement>(this, '[data-action="reveal"]');
    const focusInCard =
      required(this, '[data-card]').contains(document.activeElement) ||
      document.activeElement === document.body;
    reveal.hidden = true;
    this.suggested = suggested;
    const marked = markSuggestedGrade(required(this, '[data-grades]'), suggested);
    // The suggested grade takes focus (the verdict is read out from its status line); otherwise
    // the answer does (read out), and Tab then reaches the grade buttons.
    if (focusInCard && marked) marked.focus({ preventScroll: true });
    else if (focusInCard) required(this, '[data-back]').focus({ preventScroll: true });
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
    if (this.previewCards && !this.previewWrites) return this.answerPreview(grade);
    const answerMs = cappedAnswerMs(performance.now() - this.shownAt);
    return this.act(async (db) => {
      const now = Date.now();
      let becameLeech = false;
      let lapses = 0;
      const step = await withUndo(db, card.id, 'answer', async () => {
        const result = await recordReview(
          db,
          { cardId: card.id, expectedRev: card.rev, grade, now, tab: this.tab },
          this.scheduler,
        );
        await db.log.update(result.logId, { answerMs });
        becameLeech = result.becameLeech;
        lapses = result.card.lapses;
        return result;
      });
      this.undoStack.push(step);
      this.tally = withAnswer(this.tally, card.id, grade, now, answerMs);
      if (becameLeech) {
        return `This card has lapsed ${lapses} times, so it is now tagged as a leech and suspended. Consider rereading its section; unsuspend it below or from the card browser.`;
      }
      return '';
    });
  }

  /** The undo button names what it would take back. */
  private showUndo(): void {
    const button = required<HTMLButtonElement>(this, '[data-action="undo"]');
    const step = this.undoStack.peek();
    button.disabled = step === undefined;
    required(this, '[data-undo-what]').textContent = step
      ? UNDO_LABELS[step.operation]
      : 'last answer';
  }

  private undo(): Promise<void> {
    return this.act(async (db) => {
      const step = this.undoStack.pop();
      if (!step) return 'There is nothing to undo in this tab.';
      const result = await undoStep(db, step);
      if (result.undone) return `Undid the ${UNDO_LABELS[step.operation]}.`;
      return `That card was changed in another tab since, so the ${UNDO_LABELS[step.operation]} cannot be undone here. Nothing was changed.`;
    });
  }

  /** Run a flag change on one card through the tab's undo stack. */
  private changeFlag(
    cardId: string,
    operation: UndoableOperation,
    run: (db: ResidualDb) => Promise<StoredCard>,
    message: string,
  ): Promise<void> {
    return this.act(async (db) => {
      this.undoStack.push(
        await withUndo(db, cardId, operation, async () => ({ card: await run(db) })),
      );
      return message;
    });
  }

  /** The flag badge on the card and the flag menu's choice. */
  private showFlag(flag: CardFlag): void {
    const badge = required(this, '[data-flag-badge]');
    badge.hidden = flag === 0;
    badge.dataset['flag'] = String(flag);
    badge.textContent = `${FLAG_NAMES[flag]} flag`;
    required<HTMLSelectElement>(this, '[data-flag-select]').value = String(flag);
  }

  /** Flag the shown card (Ctrl+1…4 or the menu); the same flag again clears it. U undoes it. */
  private flag(flag: CardFlag): Promise<void> {
    const card = this.current;
    if (!card || !this.db) return Promise.resolve();
    const next: CardFlag = (card.flag ?? 0) === flag ? 0 : flag;
    return this.changeFlag(
      card.id,
      'flag',
      (db) => flagCard(db, card.id, card.rev, next),
      next === 0 ? 'Flag removed.' : `Flagged ${FLAG_NAMES[next]}.`,
    );
  }

  /** Open the edit dialog (key E) with the card's current wording. */
  private openEdit(): void {
    const card = this.current;
    if (!card) return;
    const dialog = required<HTMLDialogElement>(this, '[data-edit-dialog]');
    const form = required<HTMLFormElement>(dialog, 'form');
    (form.elements.namedItem('front') as HTMLTextAreaElement).value =
      card.edit?.front ?? card.front;
    (form.elements.namedItem('back') as HTMLTextAreaElement).value = card.edit?.back ?? card.back;
    required(dialog, '[data-edit-original]').textContent = card.edit
      ? `The deck's wording: ${card.front} \u2014 ${card.back}`
      : '';
    required<HTMLButtonElement>(dialog, '[data-action="revert"]').hidden = !card.edit;
    required(dialog, '[data-edit-error]').textContent = '';
    dialog.showModal();
  }

  /** Save the edit dialog's wording, or with `revert` go back to the deck's. U undoes either. */
  private async saveEdit(revert: boolean): Promise<void> {
    const card = this.current;
    if (!card) return;
    const dialog = required<HTMLDialogElement>(this, '[data-edit-dialog]');
    const form = required<HTMLFormElement>(dialog, 'form');
    const wording = revert
      ? null
      : {
          front: (form.elements.namedItem('front') as HTMLTextAreaElement).value,
          back: (form.elements.namedItem('back') as HTMLTextAreaElement).value,
        };
    if (wording && (!wording.front.trim() || !wording.back.trim())) {
      required(dialog, '[data-edit-error]').textContent =
        'Not saved: the question and the answer both need some text.';
      return;
    }
    dialog.close();
    await this.changeFlag(
      card.id,
      'edit',
      (db) => editCard(db, card.id, card.rev, wording, Date.now()),
      revert ? "Back to the deck's wording. Undo with U." : 'Your wording is saved. Undo with U.',
    );
  }

  private async info(): Promise<void> {
    const card = this.current;
    if (!card || !this.db) return;
    const dialog = required<HTMLDialogElement>(this, '[data-info-dialog]');
    await showCardInfo(dialog, this.db, card, this.scheduler, this.titles);
  }

  /** Save card info's note on the shown card (an empty note removes it); U undoes it. */
  private saveNote(): Promise<void> {
    const card = this.current;
    if (!card) return Promise.resolve();
    const dialog = required<HTMLDialogElement>(this, '[data-info-dialog]');
    const note = required<HTMLTextAreaElement>(dialog, '[data-note-input]').value;
    dialog.close();
    return this.changeFlag(
      card.id,
      'note',
      (db) => noteCard(db, card.id, card.rev, note),
      note.trim() ? 'Note saved. Undo with U.' : 'Note removed. Undo with U.',
    );
  }

  /** Reset the shown card to new (Anki's Forget), from card info; U takes it back. */
  private forget(): Promise<void> {
    const card = this.current;
    if (!card) return Promise.resolve();
    required<HTMLDialogElement>(this, '[data-info-dialog]').close();
    return this.changeFlag(
      card.id,
      'forget',
      (db) => forgetCard(db, card.id, card.rev, Date.now()),
      'Reset to new; its answers stay in the log. Undo with U.',
    );
  }

  private bury(): Promise<void> {
    const card = this.current;
    if (!card) return Promise.resolve();
    const until = nextDayStart(Date.now(), this.settings.dayStartHour);
    return this.changeFlag(
      card.id,
      'bury',
      (db) => buryCard(db, card.id, card.rev, until),
      'Buried until tomorrow. Undo with U, or unbury it below.',
    );
  }

  private suspend(): Promise<void> {
    const card = this.current;
    if (!card) return Promise.resolve();
    return this.changeFlag(
      card.id,
      'suspend',
      (db) => suspendCard(db, card.id, card.rev),
      'Suspended. Undo with U, or unsuspend it below or from the card browser.',
    );
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
      // Said once the screen shows the queue under the new settings: a reader (or a test) acting
      // on the message met the card redrawn a moment later, its answer shown hidden again.
      await this.refresh();
      this.say('Settings saved.');
      this.estimateWorkload();
    } catch (problem) {
      error.textContent =
        problem instanceof Error && 'issues' in problem
          ? `Not saved: ${firstIssue(problem as Parameters<typeof firstIssue>[0])}`
          : describeStorageError(problem);
    }
  }

  private async onClick(event: MouseEvent): Promise<void> {
    const target = (event.target as Element).closest<HTMLElement>(
      'button[data-action], button[data-grade], button[data-study], button[data-preview]',
    );
    if (!target || !this.contains(target)) return;
    const preview = target.dataset['preview'];
    if (preview) return this.startPreview(preview);
    const study = target.dataset['study'];
    if (study) return this.chooseScope(study);
    const grade = target.dataset['grade'];
    if (grade) return this.grade(Number(grade) as Grade);
    const cardId = target.dataset['cardId'] ?? '';
    if (target.dataset['action'] === 'unbury') {
      return this.changeFlag(cardId, 'unbury', (db) => unburyCard(db, cardId, null), 'Unburied.');
    }
    if (target.dataset['action'] === 'unsuspend') {
      return this.changeFlag(
        cardId,
        'unsuspend',
        (db) => unsuspendCard(db, cardId),
        'Unsuspended.',
      );
    }
    switch (target.dataset['action']) {
      case 'info':
        return this.info();
      case 'edit':
        return this.openEdit();
      case 'save-edit':
        return this.saveEdit(false);
      case 'revert':
        return this.saveEdit(true);
      case 'forget':
        return this.forget();
      case 'save-note':
        return this.saveNote();
      case 'reveal':
        return this.reveal();
      case 'extra-new':
        return this.addExtraNew();
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
    // Anki's Ctrl+1…4 flags (desktop browsers keep some for switching tabs; the menu always works).
    if (
      event.ctrlKey &&
      !event.altKey &&
      ['1', '2', '3', '4'].includes(event.key) &&
      this.current
    ) {
      event.preventDefault();
      return this.flag(Number(event.key) as CardFlag);
    }
    if (event.ctrlKey || event.metaKey || event.altKey || !this.db) return;
    // While card info is open its own controls take the keys (Escape closes it).
    if (this.querySelector('dialog[open]')) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [contenteditable], summary, details form'))
      return;
    const key = event.key;
    if (key === ' ' || key === 'Spacebar') {
      // The experiment's own buttons (download, run, worked example) keep their Space.
      if (!this.current || target?.closest('[data-experiment] button')) return;
      event.preventDefault();
      if (!this.revealed) this.reveal();
      else await this.grade(this.suggested ?? 3);
      return;
    }
    // Enter takes an experiment's pre-selected grade (on a focused button, Enter presses it).
    if (key === 'Enter' && this.revealed && this.suggested && !target?.closest('button, a')) {
      event.preventDefault();
      return this.grade(this.suggested);
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
      case 'e':
        if (!this.current) return;
        event.preventDefault();
        return this.openEdit();
      case 'i':
        if (!this.current) return;
        event.preventDefault();
        return this.info();
      case 'o':
        if (!this.current) return;
        event.preventDefault();
        location.assign(withBase(this.current.href));
        return;
    }
  }
}
