import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer, type HookedModel } from '../../../src/ml';
import {
  findCircuit,
  headRoles,
  ioiBatch,
  IOI_TEMPLATES,
  logitDiffAt,
  meanPerSender,
  senderRows,
  strongestDirectHead,
  tileBatch,
  type IoiPrompt,
} from '../../../src/widgets/ioi-circuit/circuit';
import { loadFromDisk } from '../ml/support';

const tok = Tokenizer.fromJson(
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../models/tiny-lm/tokenizer.json'), 'utf8'),
  ),
);

describe('a batch of IOI prompts', () => {
  const batch = ioiBatch(tok, IOI_TEMPLATES[0], 6);

  it('alternates ABBA and BABA and finds both subject mentions', () => {
    expect(batch.map((p) => p.order)).toEqual(['ABBA', 'BABA', 'ABBA', 'BABA', 'ABBA', 'BABA']);
    for (const p of batch) {
      expect(p.clean[p.positions.io]).toBe(p.io);
      expect(p.clean[p.positions.s1]).toBe(p.s);
      expect(p.clean[p.positions.s2]).toBe(p.s);
      expect(p.positions.s2).toBeGreaterThan(p.positions.s1);
    }
    expect(tok.decode(batch[0]!.clean.slice(1))).toBe(
      'When Mary and John went to the store, John gave a drink to',
    );
  });

  it('corrupts with three other names, all different, and nothing else', () => {
    for (const p of batch) {
      const changed = p.clean.flatMap((id, i) => (id === p.corrupted[i] ? [] : [i]));
      expect(changed.sort()).toEqual([p.positions.io, p.positions.s1, p.positions.s2].sort());
      const abc = changed.map((i) => p.corrupted[i]);
      expect(new Set(abc).size).toBe(3);
      expect(abc).not.toContain(p.io);
      expect(abc).not.toContain(p.s);
    }
  });
});

describe('path-patching bookkeeping', () => {
  it('tiles a batch sender-major and averages it back per sender', () => {
    const t = tileBatch({ data: Float32Array.from([1, 2, 3, 4]), dims: [2, 2] }, 3);
    expect(t.dims).toEqual([6, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    expect(senderRows(2, 2)).toEqual([4, 5]);
    expect(meanPerSender([1, 3, 5, 7], 2)).toEqual([2, 6]);
  });

  it('names heads by their effects and attention', () => {
    const attention = [
      { io: 0.6, s2: 0.1 },
      { io: 0.6, s2: 0.1 },
      { io: 0.1, s2: 0.7 },
      { io: 0.1, s2: 0.7 },
    ];
    expect(headRoles([-0.2, 0.2, -0.2, 0], [Number.NaN, 0, 0, -0.3], attention, 0.05)).toEqual([
      'name mover',
      'negative name mover',
      '',
      'S-inhibition',
    ]);
  });
});

describe('the head the prediction asks about', () => {
  it('is the one with the largest direct effect in size, a name mover’s negative one included', () => {
    expect(strongestDirectHead([0.01, -0.12, 0.05, 0])).toBe(1);
    expect(strongestDirectHead([0.01, -0.02, 0.05, 0])).toBe(2);
  });
});

describe('the circuit search on a random model', () => {
  let model: HookedModel;
  let prompts: IoiPrompt[];
  beforeAll(async () => {
    model = await loadFromDisk('_lab-random');
    const t = model.tokenizer;
    const [mary, john] = [t.tokenToId('Mary'), t.tokenToId('John')];
    const clean = t.encode('When Mary and John went to the store, John gave a drink to');
    const make = (cleanIds: number[], io: number, s: number): IoiPrompt => ({
      clean: cleanIds,
      corrupted: cleanIds.map((id) => (id === mary || id === john ? t.tokenToId('the') : id)),
      io,
      s,
      order: 'ABBA',
      positions: { io: cleanIds.indexOf(io), s1: cleanIds.indexOf(s), s2: cleanIds.lastIndexOf(s) },
      text: '',
    });
    const swapped = clean.map((id) => (id === mary ? john : id === john ? mary : id));
    prompts = [make(clean, mary, john), make(swapped, john, mary)];
  });
  afterAll(() => model?.release());

  it("gives a last-layer head's direct effect as the run with that head patched and the last MLP held clean", async () => {
    const result = await findCircuit(model, prompts);
    const L = model.config.n_layers;
    const H = model.config.n_heads;
    expect(result.direct).toHaveLength(L * H);
    const head = 2;
    const z = `blocks.${L - 1}.attn.hook_z`;
    const mlp = `blocks.${L - 1}.hook_mlp_out`;
    const cleanRun = await model.runWithCache(
      prompts.map((p) => p.clean),
      [mlp],
    );
    const abcRun = await model.runWithCache(
      prompts.map((p) => p.corrupted),
      [z],
    );
    const run = await model.runWithInterventions(
      prompts.map((p) => p.clean),
      [
        { hook: z, kind: 'patch', value: abcRun.cache.get(z)!, heads: [head] },
        { hook: mlp, kind: 'patch', value: cleanRun.cache.get(mlp)! },
      ],
    );
    const ld = prompts.map((p, i) => logitDiffAt(run.logits, i, p.io, p.s));
    const expected = ((ld[0]! + ld[1]!) / 2 - result.clean) / result.clean;
    expect(result.direct[(L - 1) * H + head]).toBeCloseTo(expected, 4);
    // Heads of the last layer cannot reach any receiver's query.
    expect(result.viaQueries.slice((L - 1) * H).every((v) => Number.isNaN(v))).toBe(true);
  });
});
