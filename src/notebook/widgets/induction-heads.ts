/** The induction-heads widget's experiment: repeated random sequences, every head's two scores. */
import { nnsightExpression } from '../../ml/hook-sites';
import type { Experiment, Target } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';
import { fixed } from './shared';

/** What the widget ran and found (the shape of its InductionRun, and its settings). */
export interface InductionShown {
  /** Words per copy, sequences per batch, and the widget's seed. */
  readonly length: number;
  readonly batch: number;
  readonly seed: number;
  /** The first sequence's words, as the widget shows them. */
  readonly words: string;
  readonly run: {
    readonly previousTokenHead: {
      readonly layer: number;
      readonly head: number;
      readonly score: number;
    };
    readonly inductionHead: {
      readonly layer: number;
      readonly head: number;
      readonly score: number;
    };
    readonly firstCopyLoss: number;
    readonly secondCopyLoss: number;
  };
}

const SEQUENCES = `
L, B = EXPERIMENT["length"], EXPERIMENT["batch"]
generator = torch.Generator().manual_seed(EXPERIMENT["seed"])
# Ordinary tokens (ids 1000-20000 are words in GPT-2's and Llama's vocabularies), BOS first.
half = torch.randint(1000, 20000, (B, L), generator=generator)
bos = to_tokens("")[:, :1].repeat(B, 1)
tokens = torch.cat([bos, half, half], dim=1)
`;

const SCORES = `
def head_scores(patterns):
    """[layer][head] previous-token and induction scores, as Residual's widget defines them."""
    previous, induction = [], []
    for pattern in patterns:  # [batch, head, query, key]
        pattern = pattern.float().cpu()
        previous.append(pattern.diagonal(offset=-1, dim1=-2, dim2=-1).mean((0, -1)))
        # Query p of the second copy (p = L+1 .. 2L) attending to key p - L + 1.
        induction.append(pattern.diagonal(offset=-(L - 1), dim1=-2, dim2=-1)[..., 2 : L + 2].mean((0, -1)))
    return torch.stack(previous), torch.stack(induction)


def copy_losses(logits):
    nll = -logits.float().cpu().log_softmax(-1)[:, :-1].gather(-1, tokens[:, 1:, None])[..., 0]
    return nll[:, 1:L].mean().item(), nll[:, L + 1 :].mean().item()


previous, induction = head_scores(patterns)
first_loss, second_loss = copy_losses(logits)
for name, scores in [("previous-token", previous), ("induction", induction)]:
    top = scores.flatten().argsort(descending=True)[:5]
    print(name, "heads:", ", ".join(f"L{int(i) // N_HEADS}H{int(i) % N_HEADS} {scores.flatten()[i]:.2f}" for i in top))
print(f"loss on the first copy {first_loss:.2f}, on the second {second_loss:.2f}")
`;

function body(target: Target): CellDraft[] {
  const intro = markdown(
    'A batch of random token sequences, each repeated once. An induction head attends from a token in the second copy to the token after its first occurrence; a previous-token head attends one back. The loss falls on the second copy because induction heads copy the continuation.',
  );
  const run =
    target.flavour === 'transformerlens'
      ? `
logits, cache = model.run_with_cache(tokens.to(model.cfg.device), names_filter=lambda name: name.endswith("hook_pattern"))
patterns = [cache[f"blocks.{layer}.attn.hook_pattern"] for layer in range(N_LAYERS)]
`
      : `
with model.trace(tokens, remote=REMOTE, output_attentions=True):
    patterns = list().save()
    for layer in range(N_LAYERS):
        patterns.append(${nnsightExpression('blocks.0.attn.hook_pattern', target.model.family, 'layer')})
    logits = model.output.logits.save()
`;
  return [intro, code(SEQUENCES + run), code(SCORES)];
}

/** The widget's batch of repeated sequences and the heads it found. */
export function inductionExperiment(shown: InductionShown): Experiment {
  const { run } = shown;
  const head = (h: { layer: number; head: number }) => `L${h.layer}H${h.head}`;
  return {
    widget: 'induction-heads',
    title: 'Attention and induction heads',
    summary: `Ran attn-only-2l on ${shown.batch} sequences of ${shown.length} random words repeated once (seed ${shown.seed}; the first: “${shown.words}”) and scored every head as a previous-token and an induction head.`,
    ranOn: 'attn-only-2l',
    settings: {
      length: shown.length,
      batch: shown.batch,
      seed: shown.seed,
      widget_words: shown.words,
    },
    hooks: ['blocks.0.attn.hook_pattern'],
    flavours: ['transformerlens', 'nnsight'],
    readings: [
      {
        label: 'previous-token head',
        value: `${head(run.previousTokenHead)} (score ${fixed(run.previousTokenHead.score)})`,
      },
      {
        label: 'induction head',
        value: `${head(run.inductionHead)} (score ${fixed(run.inductionHead.score)})`,
      },
      {
        label: 'loss, first copy → second copy',
        value: `${fixed(run.firstCopyLoss)} → ${fixed(run.secondCopyLoss)}`,
      },
    ],
    expectation:
      'GPT-2 small has several strong induction heads in its middle layers (Olsson et al., 2022, found them in every model they studied), each fed by previous-token heads in earlier layers; the loss on the second copy drops far below the first, as it does on attn-only-2l. The sequences are random tokens of the real vocabulary, not the widget’s words, so the scores compare in kind, not value.',
    body,
  };
}
