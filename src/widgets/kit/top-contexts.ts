/**
 * The list of top-activating contexts, written once for every widget that shows where a unit
 * fires (the SAE lab's feature dashboard, the max-activating-examples illusion): each item is the
 * text around the token, that token marked, and the activation.
 */
import type { Tokenizer } from '../../ml';
import { markedPrompt } from './widget-parts';

/** A token where a unit fires, in the token ids of the text it came from. */
export interface FiringToken {
  readonly ids: readonly number[];
  readonly position: number;
  readonly activation: number;
}

export interface ContextSpan {
  /** First position shown. */
  readonly start: number;
  /** One past the last position shown. */
  readonly end: number;
  /** Whether the document goes on before `start` / after `end`. */
  readonly cutBefore: boolean;
  readonly cutAfter: boolean;
}

/**
 * The context shown around `position`: at most `before` tokens before it and `after` after it,
 * within its document (a <bos> token, `bos`, separates documents and is never shown).
 */
export function contextSpan(
  ids: readonly number[],
  position: number,
  before: number,
  after: number,
  bos: number | null,
): ContextSpan {
  const documentStart = bos === null ? 0 : ids.lastIndexOf(bos, position) + 1;
  const nextBos = bos === null ? -1 : ids.indexOf(bos, position + 1);
  const documentEnd = nextBos > 0 ? nextBos : ids.length;
  const start = Math.max(documentStart, position - before);
  const end = Math.min(documentEnd, position + after + 1);
  return { start, end, cutBefore: start > documentStart, cutAfter: end < documentEnd };
}

export interface ContextListOptions {
  readonly before: number;
  readonly after: number;
  /** Class of the activation's <span>, which the widget styles. */
  readonly valueClass: string;
  /** Show "…" where the context is cut inside its document. */
  readonly ellipsis?: boolean;
  /** The token that separates documents; the tokenizer's <bos> unless given. */
  readonly bos?: number | null;
}

/**
 * One list item: the context with the firing token in <mark>, then the activation. The item
 * carries `data-token` and `data-activation` (4 decimals), which the browser tests read.
 */
export function topContextItem(
  tokenizer: Tokenizer,
  found: FiringToken,
  options: ContextListOptions,
): HTMLLIElement {
  const { ids, position, activation } = found;
  const bos = options.bos === undefined ? tokenizer.bosId : options.bos;
  const span = contextSpan(ids, position, options.before, options.after, bos);
  const item = document.createElement('li');
  item.dataset['token'] = tokenizer.tokens([ids[position]!])[0] ?? '?';
  item.dataset['activation'] = activation.toFixed(4);
  const text = document.createElement('span');
  if (options.ellipsis && span.cutBefore) text.append('… ');
  text.append(markedPrompt(tokenizer, ids.slice(span.start, span.end), [position - span.start]));
  if (options.ellipsis && span.cutAfter) text.append(' …');
  const value = Object.assign(document.createElement('span'), {
    className: options.valueClass,
    textContent: activation.toFixed(2),
  });
  item.append(text, value);
  return item;
}
