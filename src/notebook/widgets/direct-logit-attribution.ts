/** The direct-logit-attribution widget's experiment: split the last position's logit difference. */
import { nnsightExpression } from '../../ml/hook-sites';
import type { Experiment, Target } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';
import { positionSettings, promptPositions } from '../positions';
import { finalNormPython, fixed, headWritersPython, piecesOf, type TokenNames } from './shared';

/** What the widget shows (the shape of its bars()): one bar per component, and the total. */
export interface DlaShown {
  readonly label: string;
  readonly total: number;
  readonly bars: readonly { readonly label: string; readonly value: number }[];
}

function body(target: Target): CellDraft[] {
  const intro = markdown(
    'The final residual stream at the last position is a sum of what each component wrote. Through the final norm (linearised with the whole stream’s scale) and the unembedding, each write adds its own share to the logit difference.',
  );
  const setup = `
text = EXPERIMENT["prompt"]
tokens = to_tokens(text)
answer = token_id(EXPERIMENT["answer"])
distractor = token_id(EXPERIMENT["distractor"]) if EXPERIMENT["distractor"] else None
`;
  if (target.flavour === 'transformerlens')
    return [
      intro,
      code(`${setup}
logits, cache = model.run_with_cache(tokens)
direction = model.W_U[:, answer] - (model.W_U[:, distractor] if distractor is not None else 0)
heads, head_labels = cache.stack_head_results(layer=-1, pos_slice=-1, return_labels=True)
rest, rest_labels = cache.decompose_resid(layer=-1, pos_slice=-1, mode="mlp", return_labels=True)
stack = torch.cat([rest, heads], dim=0)
labels = rest_labels + head_labels
effects = cache.apply_ln_to_stack(stack, layer=-1, pos_slice=-1)[:, 0] @ direction
total = logits[0, -1, answer] - (logits[0, -1, distractor] if distractor is not None else 0)
print(f"logit difference {total.item():.3f}; sum of direct effects {effects.sum().item():.3f} (the rest is biases)")
for i in effects.abs().argsort(descending=True)[:12]:
    print(f"{labels[i]:>12} {effects[i].item():+.3f}")
`),
    ];
  const family = target.model.family;
  return [
    intro,
    code(`${setup}
with model.trace(tokens, remote=REMOTE):
    ${headWritersPython(family).replace(/\n/g, '\n    ')}
    ${finalNormPython(family).replace(/\n/g, '\n    ')}
    writes = list().save()
    labels = list().save()
    embed = ${nnsightExpression('blocks.0.hook_resid_pre', family, '0')}[0, -1]
    for layer in range(N_LAYERS):
        z = ${nnsightExpression('blocks.0.attn.hook_z', family, 'layer')}[0, -1]
        heads = torch.einsum("hd,hdm->hm", z, W_O_heads(layer))
        for head in range(N_HEADS):
            writes.append(heads[head])
            labels.append(f"L{layer}H{head}")
        writes.append(${nnsightExpression('blocks.0.hook_mlp_out', family, 'layer')}[0, -1])
        labels.append(f"L{layer} mlp")
    final = ${nnsightExpression('blocks.0.hook_resid_post', family, 'N_LAYERS - 1')}[0, -1]
    W_U = model.lm_head.weight
    direction = W_U[answer] - (W_U[distractor] if distractor is not None else 0)
    effects = (through_final_norm(torch.stack([embed] + list(writes)), final) @ direction).save()
    logits = model.lm_head.output[0, -1].save()
labels = ["embed"] + list(labels)
total = logits[answer] - (logits[distractor] if distractor is not None else 0)
print(f"logit difference {total.item():.3f}; sum of direct effects {effects.sum().item():.3f} (the rest is biases)")
for i in effects.abs().argsort(descending=True)[:12]:
    print(f"{labels[i]:>12} {effects[i].item():+.3f}")
`),
  ];
}

/**
 * The widget's prompt and chosen answer / distractor (the menus' values: token ids, or "none"),
 * with the bars it shows.
 */
export function directLogitAttributionExperiment(
  prompt: string,
  tokenizer: TokenNames,
  answerId: string,
  distractorId: string,
  shown: DlaShown | null,
): Experiment {
  const name = (id: string) =>
    /^\d+$/.test(id) ? (tokenizer.tokens([Number(id)])[0] ?? '') : null;
  const answer = name(answerId) ?? '';
  const distractor = name(distractorId);
  const heads = [...(shown?.bars ?? [])]
    .filter((b) => /^L\d+H\d+$/.test(b.label))
    .sort((x, y) => Math.abs(y.value) - Math.abs(x.value));
  return {
    widget: 'direct-logit-attribution',
    title: 'Direct logit attribution',
    summary: `Split tiny-lm's ${shown?.label ?? 'logit'} at the last position of “${prompt}” into the direct effect of the embeddings, every head and every MLP.`,
    ranOn: 'tiny-lm',
    settings: {
      prompt,
      positions: positionSettings(promptPositions(prompt, piecesOf(tokenizer, prompt))),
      answer,
      distractor,
    },
    hooks: [
      'blocks.0.hook_resid_pre',
      'blocks.0.attn.hook_z',
      'blocks.0.hook_mlp_out',
      'blocks.0.hook_resid_post',
    ],
    flavours: ['transformerlens', 'nnsight'],
    readings: shown
      ? [
          { label: shown.label, value: fixed(shown.total, 3) },
          ...heads
            .slice(0, 3)
            .map((b) => ({ label: `direct effect of ${b.label}`, value: fixed(b.value, 3) })),
        ]
      : [],
    expectation:
      'On GPT-2 small with the IOI prompt, a few late heads (the name movers of Wang et al., 2022, in layers 9 and 10) carry most of the direct effect toward the indirect object, and some heads push against it; tiny-lm spreads the same job over 4 layers × 4 heads. With a distractor the sum of the direct effects matches the logit difference up to the biases.',
    body,
  };
}
