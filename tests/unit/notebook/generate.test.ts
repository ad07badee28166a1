import { describe, expect, it } from 'vitest';
import {
  experimentNotebook,
  notebookFileName,
  resolveTarget,
} from '../../../src/notebook/generate';
import { promptPositions } from '../../../src/notebook/positions';
import { pyLiteral } from '../../../src/notebook/python';
import { logitLensExperiment } from '../../../src/notebook/widgets/logit-lens';
import { tokenizerOf, WIDGET_CASES } from './cases';

const tinyLm = tokenizerOf('tiny-lm');

const lens = WIDGET_CASES.find((c) => c.widget === 'logit-lens')!.experiment;
const toy = WIDGET_CASES.find((c) => c.widget === 'toy-superposition')!.experiment;

describe('the notebook generator', () => {
  it('refuses a flavour or a model the widget does not offer, saying what it offers', () => {
    expect(() => resolveTarget(toy, 'nnsight', 'gpt2')).toThrow(
      /comes as Plain PyTorch, not “nnsight”/,
    );
    expect(() => resolveTarget(lens, 'transformerlens', 'gpt-5')).toThrow(/No model “gpt-5”/);
  });

  it('names the file after the widget, flavour and model', () => {
    expect(notebookFileName(lens, resolveTarget(lens, 'nnsight', 'llama-3.1-8b'))).toBe(
      'residual-logit-lens-nnsight-llama-3.1-8b.ipynb',
    );
  });

  it('writes remote=True runs for NDIF models and local ones otherwise', () => {
    const source = (modelId: string) =>
      experimentNotebook(lens, resolveTarget(lens, 'nnsight', modelId))
        .cells.map((c) => c.source.join(''))
        .join('\n');
    expect(source('llama-3.1-8b')).toContain('REMOTE = True');
    expect(source('llama-3.1-8b')).toContain('"meta-llama/Meta-Llama-3.1-8B"');
    expect(source('gpt2')).toContain('REMOTE = False');
    expect(source('gpt2')).toContain('model.transformer.h[layer].input');
  });

  it('says in the notebook that it was never run here, and how the widget’s numbers compare', () => {
    const header = experimentNotebook(
      lens,
      resolveTarget(lens, 'transformerlens', 'gpt2-small'),
    ).cells[0]!.source.join('');
    expect(header).toContain('never executed against the real');
    expect(header).toContain('| final prediction at the last position | “Mary” (90%) |');
  });

  it('gives the same file for the same experiment (stable cell ids)', () => {
    const target = resolveTarget(lens, 'transformerlens', 'gpt2-small');
    expect(JSON.stringify(experimentNotebook(lens, target))).toBe(
      JSON.stringify(experimentNotebook(lens, target)),
    );
  });
});

describe('a prompt with a word tiny-lm does not know', () => {
  it('still exports, with the word itself at its position (tiny-lm read it as <unk>)', () => {
    const prompt = 'When Zorblax and John went to the store, John gave a drink to';
    const tokens = tinyLm.tokens(tinyLm.encode(prompt));
    expect(tokens).toContain('<unk>');
    const row = tokens.map((token) => ({ token, probability: 0.5 }));
    const grid = { layers: ['embed', 'after block 0'], positions: tokens, cells: [row, row] };
    const settings = logitLensExperiment(prompt, grid, tinyLm).settings as {
      positions: { position: number; token: string }[];
    };
    expect(settings.positions[2]).toMatchObject({ position: 2, token: 'Zorblax', end: 12 });
  });
});

describe('Python literals and positions', () => {
  it('writes None, True, False and escaped strings', () => {
    expect(pyLiteral({ a: null, b: true, c: [false, 1.5], d: 'say "hi"\n' })).toBe(
      '{\n    "a": None,\n    "b": True,\n    "c": [False, 1.5],\n    "d": "say \\"hi\\"\\n",\n}',
    );
  });

  it('finds each token where it ends in the text, and refuses a token the text lacks', () => {
    expect(promptPositions('When Mary went, Mary', ['When', 'Mary', 'went', ',', 'Mary'])).toEqual([
      { position: 0, token: '<bos>', end: 0 },
      { position: 1, token: 'When', end: 4 },
      { position: 2, token: 'Mary', end: 9 },
      { position: 3, token: 'went', end: 14 },
      { position: 4, token: ',', end: 15 },
      { position: 5, token: 'Mary', end: 20 },
    ]);
    expect(() => promptPositions('When Mary went', ['When', 'John'])).toThrow(
      /“John” is not in the prompt/,
    );
  });
});
