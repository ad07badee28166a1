/** The steering widget's experiment: activation addition of a contrast pair's difference. */
import { nnsightExpression } from '../../ml/hook-sites';
import type { Experiment, Target } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';
import { fixed } from './shared';

/** The widget's settings and what it measured (the sentiment of the next word, with and without). */
export interface SteeringShown {
  readonly positive: string;
  readonly negative: string;
  readonly prompt: string;
  readonly layer: number;
  readonly nLayers: number;
  readonly placement: 'start' | 'every' | 'everyWithBos';
  readonly coefficient: number;
  readonly plainSentiment: number;
  readonly steeredSentiment: number;
  /** The words tiny-lm's sentiment reads (the widget's POSITIVE_WORDS / NEGATIVE_WORDS). */
  readonly positiveWords: readonly string[];
  readonly negativeWords: readonly string[];
}

const SETUP = `
# The layer at the same depth as the widget's (resid_pre of block LAYER; 0 = the embeddings).
LAYER = round(EXPERIMENT["layer"] / EXPERIMENT["widget_layers"] * N_LAYERS)
positive, negative = to_tokens(EXPERIMENT["positive"]), to_tokens(EXPERIMENT["negative"])
# ActAdd pads the shorter side of the pair with spaces so that the two line up token by token.
space = token_id("")
width = max(positive.shape[1], negative.shape[1])
pad = lambda t: torch.cat([t, torch.full((1, width - t.shape[1]), space)], dim=1)
positive, negative = pad(positive), pad(negative)
sentiment_ids = (torch.tensor([token_id(w) for w in EXPERIMENT["positive_words"]]),
                 torch.tensor([token_id(w) for w in EXPERIMENT["negative_words"]]))


def addition(vector, coefficient, length):
    """What is added to resid_pre [1, length, d_model], placed as the widget places it."""
    added = torch.zeros(1, length, vector.shape[-1], dtype=vector.dtype, device=vector.device)
    if EXPERIMENT["placement"] == "start":
        rows = min(length, vector.shape[0])
        added[0, :rows] = coefficient * vector[:rows]
    else:
        first = 1 if EXPERIMENT["placement"] == "every" else 0
        added[0, first:] = coefficient * vector[-1]
    return added


def sentiment(last_logits):
    """Mean logit of the positive words minus the negative ones (the widget's measure)."""
    last = last_logits.float().cpu()
    return (last[sentiment_ids[0]].mean() - last[sentiment_ids[1]].mean()).item()
`;

const TL_RUN = `
_, cache = model.run_with_cache(torch.cat([positive, negative]), names_filter=f"blocks.{LAYER}.hook_resid_pre")
acts = cache[f"blocks.{LAYER}.hook_resid_pre"]
vector = acts[0] - acts[1]  # [pos, d_model]


def steered_logits(tokens, coefficient):
    hook = lambda resid, hook: resid + addition(vector, coefficient, resid.shape[1])
    return model.run_with_hooks(tokens, fwd_hooks=[(f"blocks.{LAYER}.hook_resid_pre", hook)])[0, -1]
`;

function nnsightRun(target: Target): string {
  const resid = nnsightExpression('blocks.0.hook_resid_pre', target.model.family, 'LAYER');
  return `
with model.trace(torch.cat([positive, negative]), remote=REMOTE):
    acts = ${resid}.save()
vector = acts[0] - acts[1]  # [pos, d_model]


def steered_logits(tokens, coefficient):
    with model.trace(tokens, remote=REMOTE):
        resid = ${resid}
        resid[:] = resid + addition(vector, coefficient, resid.shape[1]).to(resid.device)
        logits = model.lm_head.output[0, -1].save()
    return logits
`;
}

const GENERATE = `
def continue_greedily(coefficient, steps=EXPERIMENT["steps"]):
    tokens = to_tokens(EXPERIMENT["prompt"])
    for _ in range(steps):
        next_id = steered_logits(tokens, coefficient).argmax().item()
        tokens = torch.cat([tokens, torch.tensor([[next_id]])], dim=1)
    return tokens[0, to_tokens(EXPERIMENT["prompt"]).shape[1]:]


print("plain:  ", decode_text(continue_greedily(0)))
print("steered:", decode_text(continue_greedily(EXPERIMENT["coefficient"])))
prompt_tokens = to_tokens(EXPERIMENT["prompt"])
for c in EXPERIMENT["curve"]:
    print(f"coefficient {c:+3d}: sentiment of the next word {sentiment(steered_logits(prompt_tokens, c)):+.2f}")
`;

function body(target: Target): CellDraft[] {
  const decode =
    target.flavour === 'transformerlens'
      ? 'decode_text = lambda ids: model.to_string(ids)'
      : 'decode_text = lambda ids: tokenizer.decode(ids)';
  return [
    markdown(
      'The steering vector is the difference of the residual streams of the two sides of the contrast pair at one layer (Turner et al., “Activation Addition”, 2023). Added to the prompt’s stream, it shifts the continuation; the sentiment measure reads the next-word logits of a few positive and negative adjectives.',
    ),
    code(SETUP + (target.flavour === 'transformerlens' ? TL_RUN : nnsightRun(target))),
    code(`${decode}\n${GENERATE}`),
  ];
}

/** The widget's contrast pair, layer, placement and coefficient. */
export function steeringExperiment(shown: SteeringShown): Experiment {
  return {
    widget: 'steering-vectors',
    title: 'Steering vectors',
    summary: `Added ${shown.coefficient} × (“${shown.positive}” − “${shown.negative}”) to tiny-lm's residual stream before block ${shown.layer} (placement: ${shown.placement}) while it continued “${shown.prompt}”.`,
    ranOn: 'tiny-lm',
    settings: {
      positive: shown.positive,
      negative: shown.negative,
      prompt: shown.prompt,
      layer: shown.layer,
      widget_layers: shown.nLayers,
      placement: shown.placement,
      coefficient: shown.coefficient,
      curve: Array.from({ length: 21 }, (_, i) => i - 10),
      steps: 12,
      positive_words: [...shown.positiveWords],
      negative_words: [...shown.negativeWords],
    },
    hooks: ['blocks.0.hook_resid_pre'],
    flavours: ['transformerlens', 'nnsight'],
    readings: [
      {
        label: 'sentiment of the next word, without the vector',
        value: fixed(shown.plainSentiment),
      },
      { label: `with ${shown.coefficient} × the vector`, value: fixed(shown.steeredSentiment) },
    ],
    expectation:
      'Turner et al. steered GPT-2-XL with “Love” − “Hate” at layer 6 and coefficients around 5; on GPT-2 small expect the sentiment to move with the coefficient at early and middle layers, with fluent text only for moderate coefficients (the residual stream’s norm differs from tiny-lm’s, so the same coefficient is not the same strength). The widget’s layer is mapped to the same relative depth; change LAYER to explore.',
    body,
  };
}
