/**
 * Inline math in plain text fields: `$…$` marks TeX, everything else is text. Content writes math
 * only this way (no other use of `$`; a literal dollar is written `\$`), so splitting is a scan for
 * unescaped dollars, shared by the build-time renderer, the review page and the card linter.
 */

export type TextSegment = { kind: 'text'; value: string } | { kind: 'math'; tex: string };

/**
 * Splits text into text and math segments. An unclosed `$` leaves the rest as text (the linter
 * reports it), so a typo never swallows a sentence into math.
 */
export function splitMath(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let plain = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\' && text[index + 1] === '$') {
      plain += '$';
      index += 2;
      continue;
    }
    if (char === '$') {
      const close = closingDollar(text, index + 1);
      if (close > index + 1) {
        if (plain) segments.push({ kind: 'text', value: plain });
        plain = '';
        segments.push({ kind: 'math', tex: text.slice(index + 1, close) });
        index = close + 1;
        continue;
      }
    }
    plain += char;
    index += 1;
  }
  if (plain) segments.push({ kind: 'text', value: plain });
  return segments;
}

/** Index of the next unescaped `$` from `from`, or -1. */
function closingDollar(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '$') return index;
  }
  return -1;
}

/** Whether the text holds inline math at all (a cheap test before loading a renderer). */
export function hasMath(text: string): boolean {
  return splitMath(text).some((segment) => segment.kind === 'math');
}

/** Number of unescaped dollar signs: odd means a `$` was left unclosed. */
export function unescapedDollars(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '$') count += 1;
  }
  return count;
}
