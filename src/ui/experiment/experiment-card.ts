/**
 * The live part of an experiment card (ExperimentCard.astro), shared by the review screen and the
 * review areas. For a card naming a runner it checks whether the runner's models are saved in this
 * browser; if so it poses a fresh setting, takes the reader's prediction, runs the model in the
 * page and shows the result, the verdict and its reason, then hands the host a suggested grade.
 * Otherwise it offers the download (online) or says why not and hands the card back to the host
 * as an ordinary card, its front and back being the worked example. Every failure ends there too,
 * so a review is never lost.
 */
import type { LoadProgress } from '../../ml';
import type { Grade } from '../../srs/types';
import { GRADE_NAMES } from '../../srs/types';
import {
  experimentRunner,
  judge,
  pageExperimentEnv,
  type ExperimentEnv,
  type ExperimentRunner,
  type PosedExperiment,
} from '../../widgets/experiment-host';
import { downloadWidgets, formatBytes, planWidgetDownload } from '../offline/widget-download';
import {
  downloadOffer,
  experimentAvailability,
  backendRecordingEnv,
  backendsPhrase,
  failureMessage,
  freshSeed,
  modelNames,
  readPrediction,
  suggestedGrade,
} from './experiment-flow';

/** What the host does when the card leaves the experiment's hands. */
export interface ExperimentCardHost {
  /** Answer the card as an ordinary one: its front now, its back on reveal. */
  workedExample(): void;
  /** The model ran: show the grades with `suggested` pre-selected. */
  judged(suggested: Grade): void;
}

function part<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`experiment card is missing ${selector}`);
  return element;
}

/** "Downloading tiny-lm: 42%", "Starting tiny-lm…" */
function progressLine(name: string, progress: LoadProgress): string {
  if (progress.stage === 'download' && !progress.file?.cached)
    return `Downloading ${name}: ${Math.round(progress.fraction * 100)}%`;
  return `Starting ${name} in this page…`;
}

/** What the progress line names: the runner's models, or the experiment when it needs none. */
function whatRuns(runner: ExperimentRunner): string {
  return runner.models.length ? modelNames(runner.models) : 'the experiment';
}

/** The page's env, whose model loads report on the card's progress line. */
function reportingEnv(base: ExperimentEnv, report: (line: string) => void): ExperimentEnv {
  return {
    ...base,
    model: (name, onProgress) =>
      base.model(name, (progress) => {
        onProgress?.(progress);
        report(progressLine(name, progress));
      }),
  };
}

/**
 * One experiment panel. `show` starts a card, `clear` stops it; a result that arrives for a card
 * no longer shown is dropped.
 */
export class ExperimentCardView {
  /** Bumped by every show and clear: async steps of an older card check it and stop. */
  private generation = 0;
  private runner: ExperimentRunner | null = null;
  private posed: PosedExperiment | null = null;
  private host: ExperimentCardHost | null = null;
  private readonly env = pageExperimentEnv();

  constructor(private readonly root: HTMLElement) {
    root.addEventListener('click', (event) => {
      const action = (event.target as Element).closest<HTMLElement>('[data-experiment-action]');
      if (action?.dataset['experimentAction'] === 'download') void this.download();
      if (action?.dataset['experimentAction'] === 'example')
        this.toWorkedExample(
          "The worked example: the same question on the widget's own prompt, answered on its back.",
        );
    });
    const form = part<HTMLFormElement>(root, '[data-experiment-form]');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.commit();
    });
    // Enter commits from a radio button too (browsers submit on Enter only from text fields).
    form.addEventListener('keydown', (event) => {
      const target = event.target as HTMLElement;
      if (event.key === 'Enter' && target instanceof HTMLInputElement) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  /** True while the card is the experiment's (before its verdict or the worked example). */
  get active(): boolean {
    return this.host !== null;
  }

  /** Starts experiment card `runnerId`: check, then run, offer or fall back. */
  show(runnerId: string, host: ExperimentCardHost): void {
    const generation = ++this.generation;
    this.host = host;
    this.reset();
    this.root.hidden = false;
    this.status('Checking whether the model is saved in this browser…');
    void this.start(runnerId, generation).catch((error: unknown) => {
      if (generation === this.generation) this.toWorkedExample(failureMessage(error));
    });
  }

  /** Hides the panel and drops whatever it was doing. */
  clear(): void {
    this.generation++;
    this.host = null;
    this.reset();
    this.root.hidden = true;
  }

  private reset(): void {
    part(this.root, '[data-experiment-kind]').textContent =
      'Experiment: predict, then run the model';
    this.runner = null;
    this.posed = null;
    delete this.root.dataset['state'];
    delete this.root.dataset['held'];
    part(this.root, '[data-experiment-offer]').hidden = true;
    part(this.root, '[data-experiment-form]').hidden = true;
    part(this.root, '[data-experiment-result]').hidden = true;
    part(this.root, '[data-experiment-problem]').textContent = '';
    part(this.root, '[data-experiment-choices]').replaceChildren();
    for (const button of this.root.querySelectorAll<HTMLButtonElement>('button'))
      button.disabled = false;
  }

  private status(text: string): void {
    part(this.root, '[data-experiment-status]').textContent = text;
  }

  private async start(runnerId: string, generation: number): Promise<void> {
    let runner;
    try {
      runner = await experimentRunner(runnerId);
    } catch (error) {
      // The runner's code is fetched on first use: offline without the service worker's copy.
      if (generation === this.generation)
        this.toWorkedExample(
          navigator.onLine
            ? failureMessage(error)
            : "You are offline and this card's experiment has not been saved in this browser, so it shows its worked example instead.",
        );
      return;
    }
    if (generation !== this.generation) return;
    if (!runner) {
      this.toWorkedExample(
        "This card's experiment is not part of this version of the site, so it shows its worked example.",
      );
      return;
    }
    this.runner = runner;
    let plan;
    try {
      plan = await planWidgetDownload(runner.models);
    } catch (error) {
      if (generation !== this.generation) return;
      this.toWorkedExample(
        navigator.onLine
          ? failureMessage(error)
          : `You are offline and ${modelNames(runner.models)} could not be found in this browser, so this card shows its worked example instead.`,
      );
      return;
    }
    if (generation !== this.generation) return;
    const availability = experimentAvailability(plan, navigator.onLine, runner.models);
    if (availability.kind === 'unavailable') {
      this.toWorkedExample(availability.reason);
    } else if (availability.kind === 'offer') {
      this.root.dataset['state'] = 'offer';
      this.status('');
      part(this.root, '[data-experiment-offer-text]').textContent = downloadOffer(
        runner.models,
        availability.bytes,
      );
      part(this.root, '[data-experiment-offer]').hidden = false;
    } else {
      await this.pose(generation);
    }
  }

  /** [Download and run]: the runner's models and runtime, with progress, then the experiment. */
  private async download(): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    const generation = this.generation;
    const offer = part(this.root, '[data-experiment-offer]');
    // A disabled or hidden button drops focus: it stays in the card, for the form to take.
    if (offer.contains(document.activeElement)) this.root.focus({ preventScroll: true });
    for (const button of offer.querySelectorAll('button')) button.disabled = true;
    try {
      const plan = await planWidgetDownload(runner.models);
      const missing = plan.missing.reduce((sum, file) => sum + file.bytes, 0);
      await downloadWidgets({ ...plan, files: plan.missing, totalBytes: missing }, (loaded) => {
        if (generation === this.generation)
          this.status(
            `Downloading ${modelNames(runner.models)}: ${formatBytes(loaded)} of ${formatBytes(missing)}`,
          );
      });
      if (generation !== this.generation) return;
      offer.hidden = true;
      await this.pose(generation);
    } catch (error) {
      if (generation === this.generation) this.toWorkedExample(failureMessage(error));
    }
  }

  /** A fresh setting (a new seed each showing) and the prediction form. */
  private async pose(generation: number): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    this.status(`Starting ${whatRuns(runner)} in this page…`);
    const env = reportingEnv(this.env, (line) => {
      if (generation === this.generation) this.status(line);
    });
    const posed = await runner.pose(freshSeed(), env);
    if (generation !== this.generation) return;
    this.posed = posed;
    this.root.dataset['state'] = 'posed';
    this.status('');
    part(this.root, '[data-experiment-setup]').textContent = posed.setup;
    part(this.root, '[data-experiment-question]').textContent = posed.question;
    const choices = part(this.root, '[data-experiment-choices]');
    const number = part(this.root, '[data-experiment-number]');
    const input = part<HTMLInputElement>(number, 'input');
    input.value = '';
    input.disabled = false;
    number.hidden = posed.asked.kind !== 'number';
    if (posed.asked.kind === 'choice') {
      choices.replaceChildren(
        ...posed.asked.choices.map((choice) => {
          const label = document.createElement('label');
          const radio = document.createElement('input');
          radio.type = 'radio';
          radio.name = 'prediction';
          radio.value = choice.value;
          label.append(radio, choice.label);
          return label;
        }),
      );
    } else {
      part(this.root, '[data-experiment-unit]').textContent = posed.asked.unit ?? '';
      input.placeholder = `${posed.asked.min} to ${posed.asked.max}`;
    }
    part(this.root, '[data-experiment-commit]').hidden = false;
    const form = part<HTMLFormElement>(this.root, '[data-experiment-form]');
    // Focus moves into the form only from within the card: a chapter's reader keeps the page.
    const focusWasHere = this.root.closest('article')?.contains(document.activeElement) ?? false;
    form.hidden = false;
    if (focusWasHere) {
      const first =
        posed.asked.kind === 'choice' ? choices.querySelector<HTMLInputElement>('input') : input;
      first?.focus({ preventScroll: true });
    }
  }

  /** The reader commits: read the prediction, run the model, show the verdict. */
  private async commit(): Promise<void> {
    const { runner, posed, host } = this;
    if (!runner || !posed || !host || this.root.dataset['state'] !== 'posed') return;
    const form = part<HTMLFormElement>(this.root, '[data-experiment-form]');
    const raw =
      posed.asked.kind === 'choice'
        ? (form.querySelector<HTMLInputElement>('input[name="prediction"]:checked')?.value ?? null)
        : part<HTMLInputElement>(form, 'input[name="number"]').value;
    const prediction = readPrediction(posed.asked, raw);
    const problem = part(this.root, '[data-experiment-problem]');
    if ('problem' in prediction) {
      problem.textContent = prediction.problem;
      return;
    }
    problem.textContent = '';
    const generation = this.generation;
    this.root.dataset['state'] = 'running';
    for (const input of form.querySelectorAll<HTMLInputElement | HTMLButtonElement>(
      'input, button',
    ))
      input.disabled = true;
    const started = performance.now();
    this.status(`Running ${whatRuns(runner)} in this page…`);
    try {
      // Records what the run itself loaded, for the status line: no load of its own afterwards.
      const recording = backendRecordingEnv(
        reportingEnv(this.env, (line) => {
          if (generation === this.generation) this.status(line);
        }),
      );
      const result = await runner.run(posed, recording.env, (progress) => {
        if (generation === this.generation)
          this.status(`Running ${whatRuns(runner)}: ${Math.round(progress.fraction * 100)}%`);
      });
      if (generation !== this.generation) return;
      const verdict = judge(prediction.value, result.outcome);
      const grade = suggestedGrade(verdict.held);
      this.root.dataset['state'] = 'judged';
      this.root.dataset['held'] = String(verdict.held);
      part(this.root, '[data-experiment-commit]').hidden = true;
      const verdictLine = part(this.root, '[data-experiment-verdict]');
      verdictLine.dataset['held'] = String(verdict.held);
      verdictLine.textContent = verdict.comparison;
      // A missed choice says what the reader picked too: the question may have scrolled away.
      const picked =
        posed.asked.kind === 'choice'
          ? posed.asked.choices.find((choice) => choice.value === prediction.value)?.label
          : undefined;
      if (!verdict.held && picked)
        verdictLine.textContent = `${verdict.comparison.replace(/\.$/, '')} (you said ${picked}).`;
      part(this.root, '[data-experiment-outcome]').textContent = result.result;
      part(this.root, '[data-experiment-reason]').textContent = result.reason;
      part(this.root, '[data-experiment-suggested]').textContent =
        `Suggested grade: ${GRADE_NAMES[grade]}. Space or Enter takes it; 1–4 choose another.`;
      if (result.outcome.kind === 'choice') {
        const value = result.outcome.value;
        for (const label of this.root.querySelectorAll<HTMLElement>(
          '[data-experiment-choices] label',
        ))
          label.toggleAttribute('data-outcome', label.querySelector('input')?.value === value);
      }
      const shown = part(this.root, '[data-experiment-result]');
      shown.hidden = false;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      this.status(
        `${runner.models.length ? modelNames(runner.models) : 'The experiment'} ran in this page${backendsPhrase(recording.backends())} in ${seconds} s.`,
      );
      this.host = null;
      host.judged(grade);
      // The verdict sits below the question: bring it into the card's view.
      shown.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      if (generation === this.generation) this.toWorkedExample(failureMessage(error));
    }
  }

  /** Says why, and hands the card back to the host as an ordinary card. */
  private toWorkedExample(reason: string): void {
    const host = this.host;
    if (!host) return;
    this.host = null;
    // A run still under way ends unseen: its result no longer belongs to this card.
    this.generation++;
    this.root.dataset['state'] = 'example';
    part(this.root, '[data-experiment-kind]').textContent = 'Experiment card: its worked example';
    part(this.root, '[data-experiment-offer]').hidden = true;
    part(this.root, '[data-experiment-form]').hidden = true;
    part(this.root, '[data-experiment-result]').hidden = true;
    this.status(reason);
    host.workedExample();
  }
}

/**
 * Marks `grade` as the pre-selected one among a screen's grade buttons (null clears the mark) and
 * returns its button, for the host to focus.
 */
export function markSuggestedGrade(grades: HTMLElement, grade: Grade | null): HTMLElement | null {
  let marked: HTMLElement | null = null;
  for (const button of grades.querySelectorAll<HTMLElement>('[data-grade]')) {
    const suggested = grade !== null && button.dataset['grade'] === String(grade);
    button.toggleAttribute('data-suggested', suggested);
    if (suggested) marked = button;
  }
  return marked;
}
