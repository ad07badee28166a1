/**
 * A widget's token positions, written so the notebook can find them again after the real model's
 * tokenizer has split the prompt differently: each position carries its token and the character
 * offset where that token ends in the prompt text. Pure.
 */
import type { Setting } from './experiment';

/** Position `position` of the widget's tokens (0 = BOS), ending at character `end` of the text. */
export interface PromptPosition {
  readonly position: number;
  readonly token: string;
  readonly end: number;
}

/**
 * The positions of `pieces` (the tokens after BOS, as the widget's tokenizer read `text`), found
 * in order in the text, case-insensitively (tiny-lm lower-cases nothing, but a tokenizer may).
 * Throws when a piece is not in the text: the notebook would otherwise point at the wrong token.
 */
export function promptPositions(text: string, pieces: readonly string[]): PromptPosition[] {
  const lower = text.toLowerCase();
  const positions: PromptPosition[] = [{ position: 0, token: '<bos>', end: 0 }];
  let cursor = 0;
  pieces.forEach((piece, i) => {
    const at = lower.indexOf(piece.toLowerCase(), cursor);
    if (at < 0) throw new Error(`The token “${piece}” is not in the prompt “${text}”.`);
    cursor = at + piece.length;
    positions.push({ position: i + 1, token: piece, end: cursor });
  });
  return positions;
}

/** The positions as settings for the notebook's EXPERIMENT dict. */
export function positionSettings(positions: readonly PromptPosition[]): Setting[] {
  return positions.map((p) => ({ position: p.position, token: p.token, end: p.end }));
}
