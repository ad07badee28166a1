/**
 * Wiring of HowTypical.astro: the sentence, and the button that tries another held-out prompt.
 * The sentences themselves are pure (tiny-lm-experiments/typicality.ts).
 */
import { part } from './widget-parts';

export interface HowTypical {
  /** Shows `text`; null hides the line (no held-out figures for this model). */
  show(text: string | null): void;
  /** Calls `handler` when the reader asks for another held-out prompt. */
  onTry(handler: () => void, signal: AbortSignal): void;
  /** The button, e.g. to disable it while a run is under way. */
  readonly button: HTMLButtonElement;
}

export function howTypicalIn(root: ParentNode): HowTypical {
  const block = part<HTMLElement>(root, '[data-how-typical]');
  const text = part<HTMLElement>(block, '[data-typical="text"]');
  const button = part<HTMLButtonElement>(block, '[data-typical="try"]');
  return {
    button,
    show(sentence) {
      block.hidden = sentence === null;
      if (sentence !== null) text.textContent = sentence;
    },
    onTry(handler, signal) {
      button.addEventListener('click', handler, { signal });
    },
  };
}
