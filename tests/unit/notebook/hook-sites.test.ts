import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isMissing,
  mappedHookSuffixes,
  nnsightExpression,
  nnsightSite,
  splitHookName,
} from '../../../src/ml/hook-sites';
import { buildNotebook, code } from '../../../src/notebook/nbformat';
import { pythonCompileErrors, schemaErrors } from '../../support/notebook';

const manifestHooks = (model: string): string[] =>
  (
    JSON.parse(
      readFileSync(
        new URL(`../../../public/models/${model}/manifest.json`, import.meta.url),
        'utf8',
      ),
    ) as { hooks: { name: string }[] }
  ).hooks.map((h) => h.name);

describe('the nnsight name map', () => {
  it.each(['tiny-lm', 'attn-only-2l', 'modadd'])(
    'places or explains every hook %s exposes, in GPT-2 and in Llama',
    (model) => {
      for (const hook of manifestHooks(model))
        for (const family of ['gpt2', 'llama'] as const) {
          const site = nnsightSite(hook, family);
          if (isMissing(site))
            expect(site.missing.length, `${hook} in ${family}`).toBeGreaterThan(10);
          else expect(site.module === '' || /^(transformer|model)\b/.test(site.module)).toBe(true);
        }
    },
  );

  it('reads hook_z at the input of the output projection, split into heads', () => {
    expect(nnsightExpression('blocks.5.attn.hook_z', 'gpt2', '5')).toBe(
      'model.transformer.h[5].attn.c_proj.input.unflatten(-1, (N_HEADS, -1))',
    );
    expect(nnsightExpression('blocks.5.attn.hook_z', 'llama', 'layer')).toBe(
      'model.model.layers[layer].self_attn.o_proj.input.unflatten(-1, (N_HEADS, -1))',
    );
    expect(nnsightExpression('blocks.5.attn.hook_z', 'gpt2', '5', { raw: true })).toBe(
      'model.transformer.h[5].attn.c_proj.input',
    );
  });

  it('reads mlp.hook_post at the input of the MLP’s down projection', () => {
    expect(nnsightExpression('blocks.2.mlp.hook_post', 'gpt2', '2')).toBe(
      'model.transformer.h[2].mlp.c_proj.input',
    );
    expect(nnsightExpression('blocks.2.mlp.hook_post', 'llama', '2')).toBe(
      'model.model.layers[2].mlp.down_proj.input',
    );
  });

  it('reads resid_post at the next block’s input, and at the final norm’s after the last block', () => {
    expect(nnsightExpression('blocks.0.hook_resid_post', 'gpt2', 'layer')).toBe(
      '(model.transformer.ln_f.input if layer == N_LAYERS - 1 else model.transformer.h[layer + 1].input)',
    );
    expect(nnsightExpression('blocks.0.hook_resid_post', 'llama', 'layer')).toContain(
      'model.model.norm.input if layer == N_LAYERS - 1',
    );
    expect(nnsightExpression('blocks.0.hook_resid_post', 'llama', 'N_LAYERS - 1')).toBe(
      'model.model.norm.input',
    );
  });

  it('takes element 0 of the attention module’s tuple output, and GPT-2’s q/k/v from thirds of c_attn', () => {
    expect(nnsightExpression('blocks.1.hook_attn_out', 'gpt2', '1')).toBe(
      'model.transformer.h[1].attn.output[0]',
    );
    expect(nnsightExpression('blocks.1.attn.hook_k', 'gpt2', '1')).toBe(
      'model.transformer.h[1].attn.c_attn.output[..., 1 * D_MODEL:2 * D_MODEL].unflatten(-1, (N_HEADS, -1))',
    );
    expect(nnsightExpression('blocks.1.attn.hook_k', 'llama', '1')).toContain('(N_KV_HEADS, -1)');
  });

  it('every expression is Python', () => {
    const lines = ['gpt2', 'llama'].flatMap((family) =>
      mappedHookSuffixes(family as 'gpt2' | 'llama').flatMap((suffix) => {
        const site = nnsightSite(suffix, family as 'gpt2' | 'llama');
        return isMissing(site)
          ? []
          : [`x = ${nnsightExpression(`blocks.3.${suffix}`, family as 'gpt2', '3')}`];
      }),
    );
    expect(lines.length).toBeGreaterThan(25);
    expect(pythonCompileErrors([`def f(model):\n    ${lines.join('\n    ')}\n`])).toEqual([]);
  });

  it('refuses a hook it does not know, and one with no module boundary', () => {
    expect(() => nnsightSite('blocks.0.hook_nonsense', 'gpt2')).toThrow(/No nnsight site/);
    expect(() => nnsightExpression('blocks.0.attn.hook_result', 'gpt2', '0')).toThrow(/W_O/);
    expect(splitHookName('blocks.11.mlp.hook_post')).toEqual({
      layer: 11,
      suffix: 'mlp.hook_post',
    });
    expect(splitHookName('hook_embed')).toEqual({ layer: null, suffix: 'hook_embed' });
  });
});

describe('the checks the notebook tests rely on', () => {
  it('the schema rejects a cell without its source, and Python rejects a broken cell', () => {
    const notebook = buildNotebook([code('x = 1')], {});
    const broken = { ...notebook, cells: [{ ...notebook.cells[0]!, source: undefined }] };
    expect(schemaErrors(broken as never)).not.toEqual([]);
    expect(schemaErrors(notebook)).toEqual([]);
    expect(pythonCompileErrors(['def f(:\n    pass\n'])).not.toEqual([]);
  });
});
