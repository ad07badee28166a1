/**
 * DOM helpers shared by the widgets' client modules: finding parts of the markup, a prompt with
 * some tokens marked, numbers as the widgets print them, tables folded away, chart widths.
 */
import type { Tokenizer } from '../../ml';

export function part<T extends Element>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
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

/**
 * Puts a widget's timing and internals line ("211 cells: 77 patched runs in 4 graph calls, …") in
 * its folded "How this was computed" (WidgetShell), out of the lesson's flow. `root` is the
 * widget's own markup, or anything inside its frame.
 */
export function showTiming(root: Element, line: string): void {
  const slot = root.closest('residual-widget')?.querySelector<HTMLElement>('[data-shell="timing"]');
  if (!slot) return;
  slot.textContent = line;
  slot.hidden = line === '';
}
