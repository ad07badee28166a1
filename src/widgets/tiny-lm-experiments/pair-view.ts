/**
 * The prompt-pair controls of the patching widgets: the menu of pairs grouped by task, and the
 * clean and corrupted prompts of the chosen pair (PromptPairList.astro's markup) with their
 * differing tokens marked.
 */
import type { Tokenizer } from '../../ml';
import { fixed, markedPrompt, part } from '../kit/widget-parts';
import { pairMetric, TASK_LABELS, type PromptPair, type TaskKind } from './tasks';

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
    option.textContent = `${pair.label} → ${expectedAnswer(pair)}`;
    group.append(option);
  }
  select.selectedIndex = 0;
}

/**
 * What the clean prompt should be continued with, in words: a years pair's `answer` is its start
 * year, and the model should name any later year, not that one.
 */
export function expectedAnswer(pair: PromptPair): string {
  return pair.task === 'years' ? `a year after ${pair.answer}` : pair.answer;
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
    ` → ${expectedAnswer(pair)}`,
  );
  part<HTMLElement>(root, '[data-pair="corrupted"]').replaceChildren(
    markedPrompt(tokenizer, pair.corrupted, pair.changed),
    pair.task === 'years' ? ' → any year' : ` → ${pair.distractor}`,
  );
  part<HTMLElement>(root, '[data-pair="metric"]').textContent =
    `${pairMetric(tokenizer, pair).label}: clean ${fixed(metric.clean)}, corrupted ${fixed(metric.corrupted)}`;
}
