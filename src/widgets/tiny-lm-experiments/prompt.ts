/**
 * Wires the shared prompt controls (PromptPicker.astro): choosing a preset fills the text box,
 * typing shows the words as tiny-lm reads them, and Run (or Enter) asks for a new result. A prompt
 * with unknown words still runs (they read as <unk>), but the reader sees which ones they are.
 */
import type { Tokenizer } from '../../ml';
import { part } from '../kit/widget-parts';
import { PROMPT_PRESETS, readPrompt, type PromptPreset, type ReadPrompt } from './lens';

export interface PromptChoice {
  readonly text: string;
  readonly read: ReadPrompt;
  /** The preset the text comes from, or null for the reader's own text. */
  readonly preset: PromptPreset | null;
}

/** Shows each word of `read` as a chip; unknown words marked (and named for screen readers). */
export function showWords(target: HTMLElement, read: ReadPrompt): void {
  const chips = read.words.map((word) => {
    const chip = document.createElement('span');
    chip.className = word.known ? 'prompt-word' : 'prompt-word prompt-word--unknown';
    chip.textContent = word.text;
    if (!word.known) chip.title = 'not in tiny-lm’s vocabulary: read as <unk>';
    return chip;
  });
  const lead = document.createElement('span');
  lead.textContent = `${read.words.length} words as tiny-lm reads them: `;
  const parts: (string | Node)[] = [lead, ...chips];
  if (read.unknown.length > 0) {
    const warning = document.createElement('strong');
    warning.dataset['unknown'] = read.unknown.join(' ');
    warning.textContent = ` Unknown to tiny-lm (read as <unk>): ${read.unknown.join(', ')}.`;
    parts.push(warning);
  }
  target.replaceChildren(...parts);
}

/** Why `choice` cannot run on a model that reads `contextLength` tokens, or null when it can. */
export function promptProblem(choice: PromptChoice, contextLength: number): string | null {
  const tokens = choice.read.ids.length;
  if (choice.read.words.length === 0) return 'Type a prompt first.';
  if (tokens > contextLength)
    return `That prompt has ${tokens} tokens; tiny-lm reads at most ${contextLength}.`;
  return null;
}

/**
 * Connects the controls in `form` to `onRun`, which gets the current prompt. Returns the first
 * choice (the first preset) so the caller can run it at once.
 */
export function wirePrompt(
  form: HTMLFormElement,
  tokenizer: Tokenizer,
  onRun: (choice: PromptChoice) => void,
  signal: AbortSignal,
): PromptChoice {
  const select = part<HTMLSelectElement>(form, 'select[name="preset"]');
  const input = part<HTMLInputElement>(form, 'input[name="prompt"]');
  const words = part<HTMLElement>(form, '[data-prompt="words"]');

  const current = (): PromptChoice => {
    const text = input.value.trim();
    const preset = PROMPT_PRESETS.find((p) => p.id === select.value && p.text === text) ?? null;
    const read = readPrompt(tokenizer, text);
    showWords(words, read);
    return { text, read, preset };
  };

  select.addEventListener(
    'change',
    () => {
      const preset = PROMPT_PRESETS.find((p) => p.id === select.value);
      if (preset) input.value = preset.text;
      else input.focus();
      onRun(current());
    },
    { signal },
  );
  input.addEventListener(
    'input',
    () => {
      const preset = PROMPT_PRESETS.find((p) => p.text === input.value.trim());
      select.value = preset ? preset.id : 'custom';
      current();
    },
    { signal },
  );
  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      onRun(current());
    },
    { signal },
  );
  select.value = PROMPT_PRESETS[0]!.id;
  input.value = PROMPT_PRESETS[0]!.text;
  return current();
}

/**
 * Width available to a chart inside the widget frame, in px. Measured on the frame, which is
 * visible while the widget's own markup is still hidden (during the first result).
 */
export function frameWidth(root: HTMLElement): number {
  const frame = root.closest('residual-widget') ?? root;
  return Math.max(0, (frame.clientWidth || 680) - 44);
}
