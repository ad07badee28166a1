/**
 * What the patching widgets share (activation patching, attribution patching, IOI, greater-than):
 * a clean / corrupted prompt pair with its metric as settings, and the Python that patches one
 * activation at a time (true patching) or estimates every patch from one gradient (attribution).
 */
import { nnsightExpression, type ModelFamily } from '../../ml/hook-sites';
import type { Setting, Target } from '../experiment';
import { code, type CellDraft } from '../nbformat';
import { positionSettings, promptPositions } from '../positions';
import { piecesOf, type TokenNames } from './shared';

/** The part of the widgets' PromptPair a notebook needs. */
export interface PairShown {
  readonly task: 'ioi' | 'facts' | 'years';
  readonly label: string;
  readonly cleanText: string;
  readonly corruptedText: string;
  readonly answer: string;
  readonly distractor: string;
  readonly changed: readonly number[];
  readonly startYear?: number;
}

/** The families the patching widgets sweep: TransformerLens hook suffix and sweep axis. */
/** In the order a block computes them (nnsight reads a trace's activations in that order). */
export const PATCH_FAMILIES = [
  { hook: 'hook_resid_pre', title: 'Residual stream (before each block)', over: 'positions' },
  { hook: 'attn.hook_z', title: 'Heads (all positions)', over: 'heads' },
  { hook: 'hook_attn_out', title: 'Attention output', over: 'positions' },
  { hook: 'hook_mlp_out', title: 'MLP output', over: 'positions' },
] as const;

export const PATCH_HOOKS = PATCH_FAMILIES.map((f) => `blocks.0.${f.hook}`);

/** The settings of a pair: both prompts, the widget's positions, the metric. */
export function pairSettings(
  pair: PairShown,
  tokenizer: TokenNames,
  direction: 'denoise' | 'noise',
  families: readonly string[] = PATCH_FAMILIES.map((f) => f.hook),
): Record<string, Setting> {
  const metric: Setting =
    pair.task === 'years'
      ? { kind: 'year_probability_difference', start: pair.startYear ?? Number(pair.answer) }
      : { kind: 'logit_difference', answer: pair.answer, distractor: pair.distractor };
  return {
    pair: pair.label,
    clean: pair.cleanText,
    corrupted: pair.corruptedText,
    positions: positionSettings(
      promptPositions(pair.cleanText, piecesOf(tokenizer, pair.cleanText)),
    ),
    changed_positions: [...pair.changed],
    metric,
    direction,
    families: [...families],
  };
}

/** Tokens of both prompts, where the widget's positions fall, and the metric as a function. */
const PAIR_SETUP = `
clean_tokens = to_tokens(EXPERIMENT["clean"])
corrupted_tokens = to_tokens(EXPERIMENT["corrupted"])
positions = real_positions(EXPERIMENT["clean"], EXPERIMENT["positions"])
if clean_tokens.shape != corrupted_tokens.shape:
    print("The real tokenizer splits the two prompts into different lengths:",
          clean_tokens.shape[1], "and", corrupted_tokens.shape[1], "- patching by position needs equal lengths.")
# Denoising patches the clean run's activations into the corrupted run; noising the reverse.
denoise = EXPERIMENT["direction"] == "denoise"
source_tokens, base_tokens = (clean_tokens, corrupted_tokens) if denoise else (corrupted_tokens, clean_tokens)

metric = EXPERIMENT["metric"]
if metric["kind"] == "logit_difference":
    weights = {token_id(metric["answer"]): 1.0, token_id(metric["distractor"]): -1.0}
else:  # Hanna et al.'s probability difference: p(year > start) - p(year <= start)
    weights = {digits_id(f"{y:02d}"): (1.0 if y > metric["start"] else -1.0) for y in range(100)}
METRIC_IDS = torch.tensor(list(weights))
METRIC_WEIGHTS = torch.tensor(list(weights.values()))
ON_PROBABILITIES = metric["kind"] != "logit_difference"


def metric_of(last_logits):
    """The widget's metric from the logits at the last position ([vocab] or [batch, vocab])."""
    values = last_logits.float().softmax(-1) if ON_PROBABILITIES else last_logits.float()
    return (values[..., METRIC_IDS.to(values.device)] * METRIC_WEIGHTS.to(values.device)).sum(-1)
`;

const TL_PATCHING = `
from functools import partial

source_logits, source_cache = model.run_with_cache(source_tokens)
base_logits = model(base_tokens)
source_value, base_value = metric_of(source_logits[0, -1]).item(), metric_of(base_logits[0, -1]).item()
print(f"metric: clean {metric_of(model(clean_tokens)[0, -1]).item():.3f}, corrupted {metric_of(model(corrupted_tokens)[0, -1]).item():.3f}")


def patch(activation, hook, position=None, head=None):
    source = source_cache[hook.name]
    if head is not None:  # hook_z: [batch, pos, head, d_head], every position
        activation[:, :, head] = source[:, :, head]
    else:
        activation[:, position] = source[:, position]
    return activation


patched = {}
for family in EXPERIMENT["families"]:
    per_head = family == "attn.hook_z"
    columns = range(N_HEADS) if per_head else positions
    grid = torch.zeros(N_LAYERS, len(columns))
    for layer in range(N_LAYERS):
        name = f"blocks.{layer}.{family}"
        for i, column in enumerate(columns):
            hook = partial(patch, head=column) if per_head else partial(patch, position=column)
            logits = model.run_with_hooks(base_tokens, fwd_hooks=[(name, hook)])
            grid[layer, i] = metric_of(logits[0, -1])
    patched[family] = grid
`;

const pyName = (hook: string) => hook.replace(/\W/g, '_');

/**
 * Python functions `site_<family>(layer)` reading each family's activation inside a trace, and
 * `raw_<family>(layer)` reading it as the model holds it (heads merged), for gradients.
 */
function nnsightSites(family: ModelFamily): string {
  return PATCH_FAMILIES.flatMap((f) => [
    `def site_${pyName(f.hook)}(layer):\n    return ${nnsightExpression(`blocks.0.${f.hook}`, family, 'layer')}`,
    `def raw_${pyName(f.hook)}(layer):\n    return ${nnsightExpression(`blocks.0.${f.hook}`, family, 'layer', { raw: true })}`,
  ]).join('\n\n\n');
}

function nnsightPatching(family: ModelFamily): string {
  return `
${nnsightSites(family)}


SITES = {${PATCH_FAMILIES.map((f) => `"${f.hook}": site_${pyName(f.hook)}`).join(', ')}}
RAW_SITES = {${PATCH_FAMILIES.map((f) => `"${f.hook}": raw_${pyName(f.hook)}`).join(', ')}}

# One pass over the source prompt saves every activation that will be patched in.
with model.trace(source_tokens, remote=REMOTE):
    source = {family: list().save() for family in EXPERIMENT["families"]}
    for layer in range(N_LAYERS):
        for family in EXPERIMENT["families"]:  # in the order the block computes them
            source[family].append(SITES[family](layer).clone())
    source_value = metric_of(model.lm_head.output[0, -1]).save()
with model.trace(base_tokens, remote=REMOTE):
    base_value = metric_of(model.lm_head.output[0, -1]).save()
source_value, base_value = float(source_value), float(base_value)

# One trace per (family, layer); one invoke per patched position or head, batched together.
patched = {}
for family in EXPERIMENT["families"]:
    per_head = family == "attn.hook_z"
    columns = list(range(N_HEADS)) if per_head else positions
    grid = torch.zeros(N_LAYERS, len(columns))
    for layer in range(N_LAYERS):
        with model.trace(remote=REMOTE) as tracer:
            values = list().save()
            for column in columns:
                with tracer.invoke(base_tokens):
                    activation = SITES[family](layer)
                    if per_head:
                        activation[:, :, column] = source[family][layer][:, :, column]
                    else:
                        activation[:, column] = source[family][layer][:, column]
                    values.append(metric_of(model.lm_head.output[0, -1]))
        grid[layer] = torch.tensor([float(v) for v in values])
    patched[family] = grid
`;
}

const REPORT = `
def show(grid, columns, title):
    """The grid as the widget normalises it: 0 = the unpatched base run, 1 = the source run."""
    share = (grid - base_value) / (source_value - base_value)
    print(title)
    print("        " + " ".join(f"{c[:7]:>7}" for c in columns))
    for layer in range(grid.shape[0]):
        print(f"L{layer:<6} " + " ".join(f"{v:7.2f}" for v in share[layer].tolist()))


words = [p["token"] for p in EXPERIMENT["positions"]]
for family, grid in patched.items():
    columns = [f"H{h}" for h in range(N_HEADS)] if family == "attn.hook_z" else words
    show(grid, columns, f"{family}: share of the {EXPERIMENT['direction']} effect")
`;

/** Activation patching of every family over the widget's positions (and every head). */
export function patchingCells(target: Target): CellDraft[] {
  const run =
    target.flavour === 'transformerlens' ? TL_PATCHING : nnsightPatching(target.model.family);
  return [code(PAIR_SETUP), code(run), code(REPORT)];
}

const TL_ATTRIBUTION = `
# Attribution patching: (source - base) x d metric / d activation, for every cell at once.
torch.set_grad_enabled(True)
names = lambda name: any(name.endswith(family) for family in EXPERIMENT["families"])
base_cache, base_grads = {}, {}
model.add_hook(names, lambda act, hook: base_cache.__setitem__(hook.name, act.detach()), "fwd")
model.add_hook(names, lambda grad, hook: base_grads.__setitem__(hook.name, grad.detach()), "bwd")
metric_of(model(base_tokens)[0, -1]).backward()
model.reset_hooks()
torch.set_grad_enabled(False)

estimated = {}
for family in EXPERIMENT["families"]:
    per_head = family == "attn.hook_z"
    columns = range(N_HEADS) if per_head else positions
    grid = torch.zeros(N_LAYERS, len(columns))
    for layer in range(N_LAYERS):
        name = f"blocks.{layer}.{family}"
        change = (source_cache[name] - base_cache[name]) * base_grads[name]
        for i, column in enumerate(columns):
            grid[layer, i] = change[0, :, column].sum() if per_head else change[0, column].sum()
    estimated[family] = grid + base_value
`;

function nnsightAttribution(): string {
  return `
# Attribution patching: (source - base) x d metric / d activation, for every cell at once.
# Gradients are read inside metric.backward(), in the order backpropagation reaches them.
torch.set_grad_enabled(True)
with model.trace(base_tokens, remote=REMOTE):
    base_acts = {family: list().save() for family in EXPERIMENT["families"]}
    for layer in range(N_LAYERS):
        for family in EXPERIMENT["families"]:
            base_acts[family].append(RAW_SITES[family](layer))
    value = metric_of(model.lm_head.output[0, -1])
    base_grads = {family: list().save() for family in EXPERIMENT["families"]}
    with value.backward():
        for layer in reversed(range(N_LAYERS)):
            for family in reversed(EXPERIMENT["families"]):
                base_grads[family].append(base_acts[family][layer].grad)
torch.set_grad_enabled(False)

estimated = {}
for family in EXPERIMENT["families"]:
    per_head = family == "attn.hook_z"
    columns = list(range(N_HEADS)) if per_head else positions
    grads = base_grads[family][::-1]
    grid = torch.zeros(N_LAYERS, len(columns))
    for layer in range(N_LAYERS):
        before = base_acts[family][layer].float()
        change = (source[family][layer].float().reshape(before.shape) - before) * grads[layer].float()
        if per_head:
            change = change.unflatten(-1, (N_HEADS, -1))
        for i, column in enumerate(columns):
            grid[layer, i] = change[0, :, column].sum() if per_head else change[0, column].sum()
    estimated[family] = grid + base_value
`;
}

const COMPARE = `
truth = torch.cat([patched[f].flatten() for f in EXPERIMENT["families"]])
estimate = torch.cat([estimated[f].flatten() for f in EXPERIMENT["families"]])
r = torch.corrcoef(torch.stack([truth, estimate]))[0, 1].item()
print(f"correlation of attribution patching with activation patching over {truth.numel()} cells: r = {r:.3f}")
for family in EXPERIMENT["families"]:
    a, b = patched[family].flatten(), estimated[family].flatten()
    print(f"  {family:>16}: r = {torch.corrcoef(torch.stack([a, b]))[0, 1].item():.3f}")
`;

/** Activation patching, then attribution patching of the same cells, and how well they agree. */
export function attributionCells(target: Target): CellDraft[] {
  const estimate = target.flavour === 'transformerlens' ? TL_ATTRIBUTION : nnsightAttribution();
  return [...patchingCells(target), code(estimate), code(COMPARE)];
}
