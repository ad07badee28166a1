import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../../src/ml';
import {
  START_YEARS,
  summariseYears,
  yearProbabilities,
  yearPrompt,
  yearPromptBatch,
  YEAR_TEMPLATES,
} from '../../../src/widgets/greater-than/years';
import { TaskError, YEAR_TOKENS } from '../../../src/widgets/tiny-lm-experiments/tasks';

const tok = Tokenizer.fromJson(
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../models/tiny-lm/tokenizer.json'), 'utf8'),
  ),
);

describe('greater-than prompts', () => {
  it('write the start year after the century and end on the century', () => {
    expect(yearPrompt(YEAR_TEMPLATES[0], '17', 5)).toBe('The war lasted from 1705 to 17');
  });

  it('make one equally long batch for every start year of every template', () => {
    for (const template of YEAR_TEMPLATES) {
      const batch = yearPromptBatch(tok, template, '17');
      expect(batch).toHaveLength(START_YEARS.length);
      expect(new Set(batch.map((ids) => ids.length)).size).toBe(1);
      // Only the start-year token differs between two prompts.
      const differ = batch[0]!.filter((id, i) => id !== batch[40]![i]);
      expect(differ).toHaveLength(1);
    }
  });

  it('refuse a template with unknown words', () => {
    expect(() => yearPromptBatch(tok, 'The zorblax lasted from {c}{x} to {c}', '17')).toThrow(
      TaskError,
    );
  });
});

describe('the year distribution', () => {
  const vocab = tok.vocab.length;
  const yearIds = YEAR_TOKENS.map((y) => tok.tokenToId(y));

  it('reads the softmax over the whole vocabulary at the last position of a batch row', () => {
    const logits = { data: new Float32Array(2 * 3 * vocab), dims: [2, 3, vocab] };
    // Row 1, last position: year 60 and one word share the mass equally.
    logits.data[(1 * 3 + 2) * vocab + yearIds[60]!] = 50;
    logits.data[(1 * 3 + 2) * vocab + tok.tokenToId('war')] = 50;
    const p = yearProbabilities(logits, 1, yearIds);
    expect(p).toHaveLength(100);
    expect(p[60]).toBeCloseTo(0.5, 5);
    expect(summariseYears(p, 45).twoDigit).toBeCloseTo(0.5, 5);
  });

  it('splits the mass at the start year: later years count as right, the start year itself as wrong', () => {
    const p = new Float32Array(100);
    p[45] = 0.2;
    p[46] = 0.5;
    p[90] = 0.3;
    const s = summariseYears(p, 45);
    expect(s.above).toBeCloseTo(0.8, 6);
    expect(s.atOrBelow).toBeCloseTo(0.2, 6);
    expect(s.probDiff).toBeCloseTo(0.6, 6);
    expect(s.top).toBe(46);
    expect(s.firstLikely).toBe(45);
  });
});
