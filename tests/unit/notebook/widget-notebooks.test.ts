import { describe, expect, it } from 'vitest';
import { isMissing, nnsightSite } from '../../../src/ml/hook-sites';
import { REAL_MODELS } from '../../../src/notebook/experiment';
import { experimentNotebook, resolveTarget } from '../../../src/notebook/generate';
import { WIDGET_CASES } from './cases';
import { codeCells, experimentFromNotebook, pythonCompileErrors, schemaErrors } from './support';

describe.each(WIDGET_CASES)('the $widget notebook', ({ experiment, prompts, positions }) => {
  const targets = experiment.flavours.flatMap((flavour) =>
    REAL_MODELS[flavour].map((model) => resolveTarget(experiment, flavour, model.id)),
  );

  it.each(targets.map((t) => [`${t.flavour} on ${t.model.id}`, t] as const))(
    'is valid nbformat 4 whose code cells all compile as Python (%s)',
    (_, target) => {
      const notebook = experimentNotebook(experiment, target);
      expect(schemaErrors(notebook)).toEqual([]);
      expect(notebook.nbformat).toBe(4);
      expect(pythonCompileErrors(codeCells(notebook))).toEqual([]);
    },
  );

  it('holds the widget’s prompts and positions in its EXPERIMENT dict', () => {
    const notebook = experimentNotebook(experiment, targets[0]!);
    const settings = JSON.stringify(experimentFromNotebook(notebook));
    for (const prompt of prompts) expect(settings).toContain(JSON.stringify(prompt));
    const found = JSON.parse(settings) as Record<string, unknown>;
    const listed = JSON.stringify(found);
    for (const { position, token } of positions)
      expect(listed).toContain(JSON.stringify({ position, token }).slice(0, -1));
  });

  it('uses only hooks that the nnsight name map places in GPT-2 and Llama', () => {
    if (!experiment.flavours.includes('nnsight')) return;
    for (const hook of experiment.hooks)
      for (const family of ['gpt2', 'llama'] as const) {
        const site = nnsightSite(hook, family);
        expect(isMissing(site), `${hook} in ${family}`).toBe(false);
      }
  });
});
