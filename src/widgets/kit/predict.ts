/**
 * Predict, then run: wires the Predict.astro markup. The reader picks a choice (or types a number)
 * and commits; the result below is revealed, and once the widget's experiment has answered
 * (`answer`), the verdict says whether the prediction held and why. "Just show me" reveals without
 * a prediction. Nothing leaves the page.
 */
import { judge, readPredictedNumber, type Outcome } from './prediction';
import { part } from './widget-parts';

export interface PredictionControl {
  /** What the experiment gave, and a one-line reason; call again when it recomputes. */
  answer(outcome: Outcome, reason: string): void;
}

/** A control that does nothing, for a widget whose markup has no prediction. */
const NONE: PredictionControl = { answer: () => undefined };

/** Wires the prediction in `root` (if there is one) and returns where to send the outcome. */
export function predictionIn(root: ParentNode, signal: AbortSignal): PredictionControl {
  const form = root.querySelector<HTMLFormElement>('form[data-predict]');
  if (!form) return NONE;
  const verdictLine = part<HTMLElement>(form, '[data-predict-verdict]');
  let predicted: string | number | null = null;
  let committed = false;
  let latest: { outcome: Outcome; reason: string } | null = null;

  function show(): void {
    if (!committed) return;
    form!.dataset['state'] = 'committed';
    if (predicted === null) {
      delete form!.dataset['verdict'];
      verdictLine.textContent = latest ? latest.reason : '';
      return;
    }
    if (!latest) {
      verdictLine.textContent = 'Running the experiment…';
      return;
    }
    const verdict = judge(predicted, latest.outcome);
    form!.dataset['verdict'] = verdict.held ? 'held' : 'missed';
    verdictLine.textContent = `${verdict.comparison} ${latest.reason}`;
  }

  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      const field = form.querySelector<HTMLInputElement>('input[type="text"]');
      if (field) {
        const read = readPredictedNumber(
          field.value,
          Number(field.dataset['min']),
          Number(field.dataset['max']),
        );
        if ('problem' in read) {
          verdictLine.textContent = read.problem;
          field.setAttribute('aria-invalid', 'true');
          field.focus();
          return;
        }
        field.removeAttribute('aria-invalid');
        predicted = read.value;
      } else {
        const chosen = form.querySelector<HTMLInputElement>('input[type="radio"]:checked');
        if (!chosen) {
          verdictLine.textContent = 'Pick one of the choices first (or “Just show me”).';
          return;
        }
        predicted = chosen.value;
      }
      committed = true;
      show();
    },
    { signal },
  );
  part<HTMLButtonElement>(form, '[data-predict-skip]').addEventListener(
    'click',
    () => {
      predicted = null;
      committed = true;
      show();
    },
    { signal },
  );

  return {
    answer(outcome, reason) {
      latest = { outcome, reason };
      show();
    },
  };
}
