import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../../src/ml';
import {
  factsPair,
  ioiPair,
  pairMetric,
  parseEvalSets,
  presetPairs,
  probabilityDifference,
  referencePrompts,
  TaskError,
  yearsPair,
  YEAR_TOKENS,
} from '../../../src/widgets/tiny-lm-experiments/tasks';

const ROOT = join(import.meta.dirname, '../../..');
const tok = Tokenizer.fromJson(
  JSON.parse(readFileSync(join(ROOT, 'models/tiny-lm/tokenizer.json'), 'utf8')),
);
const words = (ids: readonly number[]) => tok.tokens([...ids]);

/** Logits [pos, vocab] that are zero except at the last position, where `set` decides. */
function lastLogits(pos: number, set: Record<number, number>) {
  const vocab = tok.vocab.length;
  const data = new Float32Array(pos * vocab);
  for (const [id, v] of Object.entries(set)) data[(pos - 1) * vocab + Number(id)] = v;
  return { data, dims: [pos, vocab] };
}

describe('an IOI prompt pair', () => {
  const pair = ioiPair(tok, {
    prompt: 'When Mary and John went to the store, John gave a drink to',
    answer: 'Mary',
    distractor: 'John',
  });

  it('corrupts only the repeated subject, which becomes the indirect object', () => {
    expect(pair.corrupted).toHaveLength(pair.clean.length);
    expect(pair.changed).toEqual([pair.names!.s2]);
    expect(words(pair.clean)[pair.names!.s2]).toBe('John');
    expect(words(pair.corrupted)[pair.names!.s2]).toBe('Mary');
    expect(pair.corruptedText).toBe('When Mary and John went to the store, Mary gave a drink to');
  });

  it('knows where the indirect object and both subject mentions are', () => {
    const t = words(pair.clean);
    expect([t[pair.names!.io], t[pair.names!.s1], t[pair.names!.s2]]).toEqual([
      'Mary',
      'John',
      'John',
    ]);
    expect(pair.names!.s1).toBeLessThan(pair.names!.s2);
  });

  it('scores a run by logit(Mary) − logit(John) at the last position', () => {
    const metric = pairMetric(tok, pair);
    const logits = lastLogits(pair.clean.length, {
      [tok.tokenToId('Mary')]: 3,
      [tok.tokenToId('John')]: 1,
    });
    expect(metric.evaluate(logits)).toBeCloseTo(2, 6);
    expect(metric.linear).toBe(true);
  });

  it('refuses a prompt that does not repeat the subject', () => {
    expect(() =>
      ioiPair(tok, {
        prompt: 'When Mary and John went to the store',
        answer: 'Mary',
        distractor: 'John',
      }),
    ).toThrow(TaskError);
  });

  it('resamples three different names for mean and resample ablation, leaving the rest', () => {
    const refs = referencePrompts(tok, pair, 6);
    expect(refs).toHaveLength(6);
    for (const ref of refs) {
      expect(ref).toHaveLength(pair.clean.length);
      const names = [pair.names!.io, pair.names!.s1, pair.names!.s2].map((p) => ref[p]);
      expect(new Set(names).size).toBe(3);
      ref.forEach((id, i) => {
        if (![pair.names!.io, pair.names!.s1, pair.names!.s2].includes(i))
          expect(id).toBe(pair.clean[i]);
      });
    }
    expect(new Set(refs.map((r) => r.join())).size).toBe(6);
  });
});

describe('a years prompt pair', () => {
  const pair = yearsPair(tok, {
    prompt: 'The war lasted from 1745 to 17',
    startYear: 45,
    century: '17',
  });

  it('replaces the start year with 01 and nothing else', () => {
    expect(words(pair.corrupted).join(' ')).toBe('<bos> The war lasted from 17 01 to 17');
    expect(pair.changed).toHaveLength(1);
  });

  it('finds the start year even when it equals the century', () => {
    const same = yearsPair(tok, {
      prompt: 'The war lasted from 1717 to 17',
      startYear: 17,
      century: '17',
    });
    expect(words(same.corrupted).slice(-4)).toEqual(['17', '01', 'to', '17']);
  });

  it('scores p(year > 45) − p(year ≤ 45), which is +1 when all mass sits on 46', () => {
    const metric = pairMetric(tok, pair);
    const all46 = lastLogits(pair.clean.length, { [tok.tokenToId('46')]: 60 });
    const all45 = lastLogits(pair.clean.length, { [tok.tokenToId('45')]: 60 });
    expect(metric.evaluate(all46)).toBeCloseTo(1, 5);
    expect(metric.evaluate(all45)).toBeCloseTo(-1, 5);
    expect(metric.linear).toBe(false);
  });
});

describe('a probability-difference metric', () => {
  it('has the gradient that finite differences give', () => {
    const ids = YEAR_TOKENS.map((y) => tok.tokenToId(y));
    const metric = probabilityDifference(
      ids,
      ids.map((_, y) => (y > 30 ? 1 : -1)),
      'p',
    );
    const logits = lastLogits(3, {});
    for (let i = 0; i < logits.data.length; i++) logits.data[i] = Math.sin(i * 0.37) * 2;
    const grad = metric.gradient(logits);
    const vocab = tok.vocab.length;
    for (const j of [2, 40, 70, 300]) {
      const k = 2 * vocab + j;
      const h = 1e-2;
      const up = { data: Float32Array.from(logits.data), dims: logits.dims };
      const down = { data: Float32Array.from(logits.data), dims: logits.dims };
      up.data[k]! += h;
      down.data[k]! -= h;
      const numeric = (metric.evaluate(up) - metric.evaluate(down)) / (2 * h);
      expect(grad.data[k]).toBeCloseTo(numeric, 3);
    }
    // Only the last position matters.
    expect(grad.data.subarray(0, 2 * vocab).every((g) => g === 0)).toBe(true);
  });
});

describe('a facts prompt pair', () => {
  it('pairs two cities of one template and compares their countries', () => {
    const pair = factsPair(
      tok,
      { prompt: 'The city of Lyon is located in', answer: 'France' },
      { prompt: 'The city of Madrid is located in', answer: 'Spain' },
    );
    expect(pair.changed).toHaveLength(1);
    expect(words(pair.corrupted)[pair.changed[0]!]).toBe('Madrid');
  });

  it('refuses two entities with the same answer', () => {
    expect(() =>
      factsPair(
        tok,
        { prompt: 'The city of Lyon is located in', answer: 'France' },
        { prompt: 'The city of Paris is located in', answer: 'France' },
      ),
    ).toThrow(TaskError);
  });
});

describe('the preset pairs', () => {
  it('start with the IOI example and include facts and years without eval sets', () => {
    const pairs = presetPairs(tok, null);
    expect(pairs[0]!.id).toBe('ioi');
    expect(pairs.map((p) => p.task)).toEqual(expect.arrayContaining(['ioi', 'facts', 'years']));
  });

  it('add held-out prompts from eval-sets.json, skipping ones that do not fit', () => {
    const sets = parseEvalSets({
      ioi: [
        {
          prompt: 'Friends Anna and Paul found a key at the farm. Paul gave it to',
          answer: 'Anna',
          distractor: 'Paul',
          order: 'ABBA',
        },
        {
          prompt: 'Friends Zorblax and Paul met. Paul gave it to',
          answer: 'Zorblax',
          distractor: 'Paul',
        },
      ],
      greaterThan: [
        { prompt: 'The siege went on from 1520 until 15', startYear: 20, century: '15' },
      ],
      facts: [
        { kind: 'city', prompt: 'Oslo is in the country of', answer: 'Norway', choices: [] },
        { kind: 'city', prompt: 'Rome is in the country of', answer: 'Italy', choices: [] },
      ],
    });
    expect(sets).not.toBeNull();
    const ids = presetPairs(tok, sets).map((p) => p.id);
    expect(ids).toContain('ioi-eval-1');
    expect(ids).not.toContain('ioi-eval-2');
    expect(ids).toContain('facts-1');
    expect(ids).toContain('years-eval-1');
  });

  it('treats a malformed eval-sets.json as absent', () => {
    expect(parseEvalSets({ ioi: 'nope' })).toBeNull();
  });
});
