/** The logit lens widget's experiment: read every layer's residual stream through the unembedding. */
import { FINAL_NORM_MODULE, nnsightExpression } from '../../ml/hook-sites';
import type { Experiment, Target } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';
import { positionSettings, promptPositions } from '../positions';
import { piecesOf, type TokenNames } from './shared';

/** What the widget shows: its grid of top tokens (the shape of the widget's LensGrid). */
export interface LogitLensGrid {
  /** Row labels, the embedding first. */
  readonly layers: readonly string[];
  /** tiny-lm's tokens of the prompt, BOS first. */
  readonly positions: readonly string[];
  /** cells[row][position]: the top token and its probability. */
  readonly cells: readonly (readonly { readonly token: string; readonly probability: number }[])[];
}

function body(target: Target): CellDraft[] {
  const intro = markdown(
    'Each row reads the residual stream before a block (and after the last) through the final norm and the unembedding: the top token and its probability at every position of the prompt.',
  );
  if (target.flavour === 'transformerlens')
    return [
      intro,
      code(`
text = EXPERIMENT["prompt"]
tokens = to_tokens(text)
positions = real_positions(text, EXPERIMENT["positions"])
_, cache = model.run_with_cache(tokens)
streams = [cache[f"blocks.{l}.hook_resid_pre"] for l in range(N_LAYERS)]
streams.append(cache[f"blocks.{N_LAYERS - 1}.hook_resid_post"])
labels = [f"before L{l}" for l in range(N_LAYERS)] + [f"after L{N_LAYERS - 1}"]
words = [EXPERIMENT["positions"][i]["token"] for i in range(len(positions))]
for label, stream in zip(labels, streams):
    probs = model.unembed(model.ln_final(stream)).softmax(-1)[0]
    top = probs.argmax(-1)
    row = [f"{model.to_string(top[p])!r} {probs[p, top[p]].item():.2f}" for p in positions]
    print(f"{label:>10} | " + " | ".join(row))
print("positions (widget token -> real position):", list(zip(words, positions)))
`),
    ];
  const family = target.model.family;
  const norm = `model.${FINAL_NORM_MODULE[family]}`;
  return [
    intro,
    code(`
text = EXPERIMENT["prompt"]
tokens = to_tokens(text)
positions = real_positions(text, EXPERIMENT["positions"])
with model.trace(tokens, remote=REMOTE):
    lens = list().save()
    for layer in range(N_LAYERS + 1):
        if layer < N_LAYERS:
            stream = ${nnsightExpression('blocks.0.hook_resid_pre', family, 'layer')}
        else:
            stream = ${nnsightExpression('blocks.0.hook_resid_post', family, 'N_LAYERS - 1')}
        lens.append(model.lm_head(${norm}(stream)).softmax(-1)[0])
labels = [f"before L{l}" for l in range(N_LAYERS)] + [f"after L{N_LAYERS - 1}"]
for label, probs in zip(labels, lens):
    top = probs.argmax(-1)
    row = [f"{tokenizer.decode([int(top[p])])!r} {probs[p, top[p]].item():.2f}" for p in positions]
    print(f"{label:>10} | " + " | ".join(row))
`),
  ];
}

/** The logit lens on the widget's prompt, with the grid it showed. */
export function logitLensExperiment(
  prompt: string,
  grid: LogitLensGrid,
  tokenizer: TokenNames,
): Experiment {
  const positions = promptPositions(prompt, piecesOf(tokenizer, prompt));
  const last = grid.positions.length - 1;
  const final = grid.cells[grid.cells.length - 1]?.[last];
  // The first row from which the top token at the last position is already the final one.
  let settled = grid.cells.length - 1;
  while (settled > 0 && grid.cells[settled - 1]?.[last]?.token === final?.token) settled--;
  return {
    widget: 'logit-lens',
    title: 'Logit lens',
    summary: `Read tiny-lm's residual stream after each of its ${grid.layers.length - 1} blocks through the unembedding, on the prompt “${prompt}”.`,
    ranOn: 'tiny-lm',
    settings: { prompt, positions: positionSettings(positions) },
    hooks: ['blocks.0.hook_resid_pre', 'blocks.0.hook_resid_post', 'ln_final.hook_normalized'],
    flavours: ['transformerlens', 'nnsight'],
    readings: final
      ? [
          {
            label: 'final prediction at the last position',
            value: `“${final.token}” (${(final.probability * 100).toFixed(0)}%)`,
          },
          { label: 'first lens row showing it', value: grid.layers[settled] ?? '' },
        ]
      : [{ label: 'final prediction', value: 'not computed' }],
    expectation:
      'On GPT-2 small the early rows mostly echo the current token or common words, and the final answer appears in the last few layers (nostalgebraist, “interpreting GPT: the logit lens”, 2020). With 12 layers instead of 4 the answer settles more gradually than on tiny-lm, and on other model families the plain lens can read less cleanly.',
    body,
  };
}
