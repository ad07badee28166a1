/**
 * <residual-personal-parameters>: runs the FSRS optimizer on the reader's review log in a worker,
 * shows the fit of the default and the personal parameters, and stores the personal ones in the
 * settings only when the reader chooses to (and only when they fit better).
 */
import type { OptimizerResult, OptimizerStage } from '../../srs/optimizer';
import type { Settings } from '../../srs/settings';
import { describeStorageError } from '../../storage/errors';
import { openDatabase } from '../../storage/open';
import { rescheduleFromHistory } from '../../storage/reschedule';
import { loadSettings, saveSettings } from '../../storage/settings';
import type { ResidualDb } from '../../storage/db';
import {
  sharedMemoryProblem,
  type OptimizerMessage,
  type OptimizerRequest,
} from './optimizer-protocol';

const STAGE_TEXT: Record<OptimizerStage, string> = {
  preparing: 'Reading your review history…',
  'evaluating-defaults': 'Measuring how well the default parameters predict it…',
  training: 'Fitting your parameters (this can take a minute on a long history)…',
  'evaluating-personal': 'Measuring how well your parameters predict it…',
};

function required<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`personal parameters panel is missing ${selector}`);
  return element;
}

const figure = (value: number) => value.toFixed(4);

export class PersonalParametersElement extends HTMLElement {
  private db: ResidualDb | null = null;
  private settings: Settings | null = null;
  private fitted: number[] | null = null;
  private worker: Worker | null = null;

  connectedCallback(): void {
    required(this, '[data-action="fit"]').addEventListener('click', () => void this.fit());
    required(this, '[data-action="use-personal"]').addEventListener(
      'click',
      () => void this.use(this.fitted),
    );
    required(this, '[data-action="use-defaults"]').addEventListener(
      'click',
      () => void this.use(null),
    );
    required(this, '[data-action="reschedule"]').addEventListener(
      'click',
      () => void this.reschedule(),
    );
    document.addEventListener('residual-data-changed', () => void this.load());
    void this.open();
  }

  disconnectedCallback(): void {
    this.worker?.terminate();
  }

  private async open(): Promise<void> {
    try {
      this.db = await openDatabase();
      await this.load();
      required<HTMLButtonElement>(this, '[data-action="fit"]').disabled = false;
      this.dataset['ready'] = 'true';
    } catch (error) {
      required(this, '[data-current]').textContent = '';
      this.report(describeStorageError(error), true);
    }
  }

  private async load(): Promise<void> {
    if (!this.db) return;
    this.settings = await loadSettings(this.db);
    const personal = this.settings.fsrsParameters !== null;
    required(this, '[data-current]').textContent = personal
      ? 'Your cards are scheduled with your personal parameters.'
      : 'Your cards are scheduled with FSRS’s default parameters.';
    required(this, '[data-action="use-defaults"]').hidden = !personal;
  }

  private report(message: string, problem = false): void {
    required(this, '[data-status]').textContent = problem ? '' : message;
    required(this, '[data-error]').textContent = problem ? message : '';
  }

  private async fit(): Promise<void> {
    if (!this.db || !this.settings) return;
    const problem = sharedMemoryProblem();
    if (problem) {
      this.report(`The optimizer cannot run here: ${problem}. Nothing was changed.`, true);
      return;
    }
    const button = required<HTMLButtonElement>(this, '[data-action="fit"]');
    button.disabled = true;
    required(this, '[data-result]').hidden = true;
    required(this, '[data-reschedule]').hidden = true;
    this.report('');
    try {
      const log = (await this.db.log.toArray()).map(({ cardId, grade, review }) => ({
        cardId,
        grade,
        review,
      }));
      const result = await this.runWorker({
        log,
        dayStartHour: this.settings.dayStartHour,
      });
      this.show(result);
    } catch (error) {
      this.report(
        `${error instanceof Error ? error.message : String(error)}. Nothing was changed.`,
        true,
      );
    } finally {
      required(this, '[data-progress]').hidden = true;
      button.disabled = false;
    }
  }

  /** Run the optimizer in a worker, showing its stage and, where the page allows, its progress. */
  private runWorker(request: OptimizerRequest): Promise<OptimizerResult> {
    const progress = required(this, '[data-progress]');
    const bar = required<HTMLProgressElement>(this, '[data-progress-bar]');
    const stage = required(this, '[data-stage]');
    progress.hidden = false;
    bar.removeAttribute('value');
    stage.textContent = STAGE_TEXT.preparing;
    this.worker?.terminate();
    const worker = new Worker(new URL('./optimizer.worker.ts', import.meta.url), {
      type: 'module',
    });
    this.worker = worker;
    let poll = 0;
    return new Promise<OptimizerResult>((resolve, reject) => {
      const finish = () => {
        clearInterval(poll);
        worker.terminate();
        if (this.worker === worker) this.worker = null;
      };
      worker.addEventListener('error', (event) => {
        finish();
        reject(new Error(`The optimizer stopped: ${event.message || 'its worker failed to load'}`));
      });
      worker.addEventListener('message', (event: MessageEvent<OptimizerMessage>) => {
        const message = event.data;
        if (message.type === 'stage') {
          stage.textContent = STAGE_TEXT[message.stage];
          if (message.stage !== 'training') bar.removeAttribute('value');
        } else if (message.type === 'progress-memory') {
          const counts = new Uint32Array(message.buffer, message.pointer, 2);
          poll = window.setInterval(() => {
            const [done = 0, total = 0] = counts;
            if (total > 0) bar.value = done / total;
          }, 250);
        } else if (message.type === 'unsupported') {
          finish();
          reject(new Error(`The optimizer cannot run here: ${message.message}`));
        } else if (message.type === 'failed') {
          finish();
          reject(new Error(`The optimizer stopped: ${message.message}`));
        } else {
          finish();
          resolve(message.result);
        }
      });
      worker.postMessage(request);
    });
  }

  private show(result: OptimizerResult): void {
    this.fitted = null;
    if (result.status === 'too-few') {
      this.report(
        `Not enough reviews yet: fitting needs ${result.needed.toLocaleString()} answers given on a later day than the card’s previous one, and your history has ${result.items.toLocaleString()}. Nothing was changed.`,
      );
      return;
    }
    required(this, '[data-default-loss]').textContent = figure(result.defaults.logLoss);
    required(this, '[data-default-rmse]').textContent = figure(result.defaults.rmse);
    required(this, '[data-personal-loss]').textContent = figure(result.personal.logLoss);
    required(this, '[data-personal-rmse]').textContent = figure(result.personal.rmse);
    required(this, '[data-result]').hidden = false;
    const seconds = (result.trainingMs / 1000).toFixed(1);
    const fitted = `Fitted in ${seconds} s to ${result.items.toLocaleString()} reviews (those given on a later day than the card’s previous one).`;
    required(this, '[data-verdict]').textContent = result.better
      ? `${fitted} Your parameters predict your history better than the defaults.`
      : `${fitted} They do not predict your history better than the defaults, so nothing was changed.`;
    if (result.better) this.fitted = result.parameters;
    const use = required<HTMLButtonElement>(this, '[data-action="use-personal"]');
    use.hidden = !result.better;
    if (result.better) use.focus();
  }

  private async use(parameters: number[] | null): Promise<void> {
    if (!this.db) return;
    try {
      this.settings = await saveSettings(this.db, { fsrsParameters: parameters });
      await this.load();
      required(this, '[data-action="use-personal"]').hidden = true;
      required(this, '[data-reschedule]').hidden = false;
      this.report(
        parameters
          ? 'Personal parameters saved: new answers are scheduled with them.'
          : 'Back to the default parameters: new answers are scheduled with them.',
      );
      required(this, '[data-action="reschedule"]').focus();
    } catch (error) {
      this.report(`Not saved: ${describeStorageError(error)}`, true);
    }
  }

  private async reschedule(): Promise<void> {
    if (!this.db || !this.settings) return;
    try {
      const count = await rescheduleFromHistory(this.db, this.settings);
      required(this, '[data-reschedule]').hidden = true;
      this.report(`Rescheduled ${count} cards from their history.`);
      document.dispatchEvent(new CustomEvent('residual-data-changed'));
    } catch (error) {
      this.report(`Not rescheduled: ${describeStorageError(error)}`, true);
    }
  }
}
