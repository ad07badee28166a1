import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isMissing, nnsightSite } from '../../../src/ml/hook-sites';
import { REAL_MODELS } from '../../../src/notebook/experiment';
import { experimentNotebook, resolveTarget } from '../../../src/notebook/generate';
import { WIDGET_CASES } from './cases';
import {
  codeCells,
  experimentFromNotebook,
  pythonCompileErrors,
  schemaErrors,
} from '../../support/notebook';

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
    const settings = experimentFromNotebook(notebook) as {
      positions?: { position: number; token: string }[];
    };
    const text = JSON.stringify(settings);
    for (const prompt of prompts) expect(text).toContain(JSON.stringify(prompt));
    if (positions.length > 0)
      expect(settings.positions?.map(({ position, token }) => ({ position, token }))).toEqual(
        positions,
      );
  });

  it('uses only hooks of Residual’s models, each placed in GPT-2 and Llama by the name map', () => {
    const known = new Set(
      (
        JSON.parse(
          readFileSync(
            new URL('../../../public/models/tiny-lm/manifest.json', import.meta.url),
            'utf8',
          ),
        ) as {
          hooks: { name: string }[];
        }
      ).hooks.map((h) => h.name),
    );
    if (experiment.flavours.every((f) => f === 'pytorch')) expect(experiment.hooks).toEqual([]);
    else expect(experiment.hooks.length).toBeGreaterThan(0);
    for (const hook of experiment.hooks) {
      expect(known.has(hook), hook).toBe(true);
      for (const family of ['gpt2', 'llama'] as const)
        expect(isMissing(nnsightSite(hook, family)), `${hook} in ${family}`).toBe(false);
    }
  });
});
