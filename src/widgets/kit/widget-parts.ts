/**
 * DOM helpers shared by the tiny-lm widgets' client modules: finding parts of the markup,
 * filling the prompt-pair menu, and showing a pair with its differing tokens marked.
 */
import type { Tokenizer } from '../../../ml';
import { pairMetric, TASK_LABELS, type PromptPair, type TaskKind } from './tasks';

export function part<T extends Element>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
}

/** Fills a <select> with the pairs, grouped by task; the first pair is selected. */
export function fillPairMenu(select: HTMLSelectElement, pairs: readonly PromptPair[]): void {
  const groups = new Map<TaskKind, HTMLOptGroupElement>();
  select.replaceChildren();
  for (const pair of pairs) {
    let group = groups.get(pair.task);
    if (!group) {
      group = document.createElement('optgroup');
      group.label = TASK_LABELS[pair.task];
      groups.set(pair.task, group);
      select.append(group);
    }
    const option = document.createElement('option');
    option.value = pair.id;
    option.textContent = `${pair.label} → ${pair.answer}`;
    group.append(option);
  }
  select.selectedIndex = 0;
}

const NO_SPACE_BEFORE = new Set([',', '.', '!', '?', ';', ':']);

/** The prompt as text with the tokens at `marked` positions in <mark>; <bos> left out. */
export function markedPrompt(
  tokenizer: Tokenizer,
  ids: readonly number[],
  marked: readonly number[],
): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const tokens = tokenizer.tokens([...ids]);
  let previous: string | null = null;
  tokens.forEach((token, i) => {
    if (i === 0 && tokenizer.bosId !== null && ids[0] === tokenizer.bosId) return;
    const digits = /^[0-9]+$/;
    const joined = previous !== null && digits.test(previous) && digits.test(token);
    if (previous !== null && !NO_SPACE_BEFORE.has(token) && !joined)
      fragment.append(document.createTextNode(' '));
    if (marked.includes(i)) {
      const mark = document.createElement('mark');
      mark.textContent = token;
      fragment.append(mark);
    } else {
      fragment.append(document.createTextNode(token));
    }
    previous = token;
  });
  return fragment;
}

/**
 * Fills the pair's description list (`[data-pair="clean"]`, `"corrupted"`, `"metric"` in `root`):
 * both prompts with the differing tokens marked and the answer each expects, and the metric on
 * the unpatched clean and corrupted runs.
 */
export function showPair(
  root: ParentNode,
  tokenizer: Tokenizer,
  pair: PromptPair,
  metric: { readonly clean: number; readonly corrupted: number },
): void {
  part<HTMLElement>(root, '[data-pair="clean"]').replaceChildren(
    markedPrompt(tokenizer, pair.clean, pair.changed),
    ` → ${pair.answer}`,
  );
  part<HTMLElement>(root, '[data-pair="corrupted"]').replaceChildren(
    markedPrompt(tokenizer, pair.corrupted, pair.changed),
    pair.task === 'years' ? ' → any year' : ` → ${pair.distractor}`,
  );
  part<HTMLElement>(root, '[data-pair="metric"]').textContent =
    `${pairMetric(tokenizer, pair).label}: clean ${fixed(metric.clean)}, corrupted ${fixed(metric.corrupted)}`;
}

/** Numbers as the widgets print them. */
export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** A table folded into "The numbers" (the figures' numbers, for readers and screen readers). */
export function folded(table: HTMLTableElement): HTMLDetailsElement {
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'The numbers';
  details.append(summary, table);
  return details;
}

/**
 * Width in px a chart may take inside the widget. While the widget is still loading its body is
 * hidden (width 0), so the frame's own width stands in for it.
 */
export function availableWidth(root: HTMLElement): number {
  if (root.clientWidth > 0) return root.clientWidth;
  const frame = root.closest<HTMLElement>('.residual-widget');
  return frame && frame.clientWidth > 0 ? frame.clientWidth - 42 : 600;
}
