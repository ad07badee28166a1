/**
 * Card text on the review page and in the card browser. Text from storage (or an imported
 * backup) is only ever set as text. A card with `$…$` math shows the HTML the site's build made
 * for it (/card-math.json), and only when the stored card's hash matches the published card's, so
 * the HTML always comes from our own deck; otherwise the TeX source shows as text.
 */
import { mathHtmlFor, parseCardMath, type CardMath, type CardSide } from '../../srs/card-math';
import { splitMath } from '../../content/math-text';
import { withBase } from '../../content/base';

let index: CardMath | null = null;
let loading: Promise<void> | null = null;

/** Fetches the build's card math once per page; a failure leaves math shown as TeX source. */
export function loadCardMath(url = withBase('card-math.json')): Promise<void> {
  if (!loading) loadMathFonts();
  loading ??= fetch(url)
    .then((response) => (response.ok ? response.json() : null))
    .then((data: unknown) => {
      index = parseCardMath(data);
    })
    .catch(() => {
      index = null;
    });
  return loading;
}

/**
 * Starts loading the two KaTeX faces nearly every formula uses, not waiting for them. A formula
 * drawn while its face is still loading is laid out first in each fallback font of KaTeX's list
 * (looked up one by one: 20 ms of the card browser's first layout here) and stays blank until the
 * face arrives; asked for with the math, the faces are usually there before the first card.
 */
function loadMathFonts(): void {
  if (typeof document === 'undefined' || !('fonts' in document)) return;
  for (const face of ['1em KaTeX_Main', 'italic 1em KaTeX_Math']) {
    document.fonts.load(face).catch(() => {
      // Drawn in a fallback font instead, as before.
    });
  }
}

/** Shows one side of a card in `element`: the build's math HTML when it matches, else text. */
export function showCardText(
  element: HTMLElement,
  card: { id: string; hash: string; front: string; back: string },
  side: CardSide,
): void {
  const html = mathHtmlFor(index, card, side);
  if (html === null) element.textContent = card[side];
  // Our own build's output for exactly this wording (see above), never text from storage.
  else element.innerHTML = html;
}

/** The text without its math markers, for labels (`$W_U$` → `W_U`). */
export function plainCardText(text: string): string {
  return splitMath(text)
    .map((segment) => (segment.kind === 'text' ? segment.value : segment.tex))
    .join('');
}
