/**
 * Card text on the review page and in the card browser. Card text comes from storage (or an
 * imported backup), so it is never parsed as HTML: plain segments become text nodes, and `$…$`
 * segments are drawn by KaTeX's DOM renderer, which builds elements and text nodes itself. KaTeX
 * is loaded on the first card that has math, so pages without math never download it.
 */
import { splitMath } from '../../content/math-text';

type Katex = typeof import('katex').default;

let katexModule: Promise<Katex> | null = null;
function loadKatex(): Promise<Katex> {
  katexModule ??= import('katex').then((module) => module.default);
  return katexModule;
}

/** The text each element was last asked to show, so a slow KaTeX load never draws a stale card. */
const shown = new WeakMap<Element, string>();

/**
 * Shows `text` in `element`. Resolves once any math is drawn; until then (and if KaTeX cannot be
 * loaded) the TeX source shows as text.
 */
export async function showCardText(element: HTMLElement, text: string): Promise<void> {
  shown.set(element, text);
  const pending: { node: HTMLElement; tex: string }[] = [];
  element.replaceChildren(
    ...splitMath(text).map((segment) => {
      if (segment.kind === 'text') return document.createTextNode(segment.value);
      const node = document.createElement('span');
      node.className = 'residual-math';
      node.textContent = `$${segment.tex}$`;
      pending.push({ node, tex: segment.tex });
      return node;
    }),
  );
  if (pending.length === 0) return;
  let katex: Katex;
  try {
    katex = await loadKatex();
  } catch {
    return;
  }
  if (shown.get(element) !== text) return;
  for (const { node, tex } of pending) {
    katex.render(tex, node, {
      throwOnError: false,
      strict: 'ignore',
      trust: false,
      maxSize: 10,
      maxExpand: 100,
    });
  }
}

/** The text without its math markers, for labels and search (`$W_U$` → `W_U`). */
export function plainCardText(text: string): string {
  return splitMath(text)
    .map((segment) => (segment.kind === 'text' ? segment.value : segment.tex))
    .join('');
}
