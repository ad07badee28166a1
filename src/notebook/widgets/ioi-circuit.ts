/** The IOI-circuit widget's experiment: path patching every head on a batch of IOI prompts. */
import { nnsightExpression, type ModelFamily } from '../../ml/hook-sites';
import type { Experiment, Target } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';
import { positionSettings, promptPositions } from '../positions';
import { fixed, piecesOf, type TokenNames } from './shared';

/** The part of the widget's CircuitResult a notebook needs. */
export interface CircuitShown {
  readonly layers: number;
  readonly heads: number;
  readonly prompts: readonly {
    readonly text: string;
    readonly corrupted: readonly number[];
    /** Token ids of the indirect object and the subject, and where the names sit. */
    readonly io: number;
    readonly s: number;
    readonly positions: { readonly io: number; readonly s1: number; readonly s2: number };
  }[];
  readonly clean: number;
  readonly corrupted: number;
  readonly roles: readonly string[];
}

/** The widget's share of the clean logit difference an effect must reach to give a head a role. */
const ROLE_THRESHOLD = 0.05;

const SETUP = `
prompts = EXPERIMENT["prompts"]
clean = [to_tokens(p["clean"]) for p in prompts]
abc = [to_tokens(p["corrupted"]) for p in prompts]
# Batch the prompts whose clean and ABC versions tokenise to the first prompt's length.
keep = [i for i in range(len(prompts)) if clean[i].shape == abc[i].shape == clean[0].shape]
if len(keep) < len(prompts):
    print("left out (the real tokenizer splits a name):", [prompts[i]["clean"] for i in range(len(prompts)) if i not in keep])
clean_tokens = torch.cat([clean[i] for i in keep])
abc_tokens = torch.cat([abc[i] for i in keep])
io_ids = torch.tensor([token_id(prompts[i]["io"]) for i in keep])
s_ids = torch.tensor([token_id(prompts[i]["s"]) for i in keep])
io_pos = [real_positions(prompts[i]["clean"], [prompts[i]["io_position"]])[0] for i in keep]
s2_pos = [real_positions(prompts[i]["clean"], [prompts[i]["s2_position"]])[0] for i in keep]
rows = torch.arange(len(keep))


def logit_diff(logits):
    """Mean logit(IO) - logit(S) at the last position."""
    last = logits[:, -1].float()
    return (last[rows, io_ids.to(last.device)] - last[rows, s_ids.to(last.device)]).mean().item()
`;

const TL_RUN = `
from functools import partial

clean_logits, clean_cache = model.run_with_cache(clean_tokens)
abc_logits, abc_cache = model.run_with_cache(abc_tokens)
clean_value, abc_value = logit_diff(clean_logits), logit_diff(abc_logits)
print(f"logit difference: clean {clean_value:.2f}, ABC {abc_value:.2f}")


def from_abc(z, hook, head):
    z[:, :, head] = abc_cache[hook.name][:, :, head]
    return z


def from_clean(activation, hook):
    return clean_cache[hook.name]


total = torch.zeros(N_LAYERS, N_HEADS)
direct = torch.zeros(N_LAYERS, N_HEADS)
attention = torch.zeros(N_LAYERS, N_HEADS, 2)  # to IO, to S2, from the last position
for layer in range(N_LAYERS):
    pattern = clean_cache[f"blocks.{layer}.attn.hook_pattern"][:, :, -1]  # [batch, head, key]
    attention[layer, :, 0] = pattern[rows, :, io_pos].mean(0)
    attention[layer, :, 1] = pattern[rows, :, s2_pos].mean(0)
    # Every later attention and MLP output held clean: only the path into the logits changes.
    frozen = [(f"blocks.{layer}.hook_mlp_out", from_clean)] + [
        (f"blocks.{later}.{name}", from_clean) for later in range(layer + 1, N_LAYERS) for name in ("hook_attn_out", "hook_mlp_out")
    ]
    for head in range(N_HEADS):
        patch = (f"blocks.{layer}.attn.hook_z", partial(from_abc, head=head))
        total[layer, head] = logit_diff(model.run_with_hooks(clean_tokens, fwd_hooks=[patch])) - clean_value
        direct[layer, head] = logit_diff(model.run_with_hooks(clean_tokens, fwd_hooks=[patch] + frozen)) - clean_value
`;

function nnsightRun(family: ModelFamily): string {
  const z = nnsightExpression('blocks.0.attn.hook_z', family, 'layer');
  const zLater = nnsightExpression('blocks.0.attn.hook_z', family, 'later');
  const attnOut = nnsightExpression('blocks.0.hook_attn_out', family, 'later');
  const mlpOut = nnsightExpression('blocks.0.hook_mlp_out', family, 'later');
  const mlpHere = nnsightExpression('blocks.0.hook_mlp_out', family, 'layer');
  return `
# The clean and ABC runs, saving every head's z and every attention / MLP output.
def run_and_save(tokens):
    with model.trace(tokens, remote=REMOTE, output_attentions=True):
        z, attn_out, mlp_out = list().save(), list().save(), list().save()
        for later in range(N_LAYERS):
            z.append(${zLater}.clone())
            attn_out.append(${attnOut}.clone())
            mlp_out.append(${mlpOut}.clone())
        patterns = list().save()
        for later in range(N_LAYERS):
            patterns.append(model.output.attentions[later][:, :, -1])
        value = model.output.logits[:, -1].save()
    return z, attn_out, mlp_out, patterns, value


clean_z, clean_attn, clean_mlp, clean_patterns, clean_last = run_and_save(clean_tokens)
abc_z, _, _, _, abc_last = run_and_save(abc_tokens)
clean_value, abc_value = logit_diff(clean_last[:, None]), logit_diff(abc_last[:, None])
print(f"logit difference: clean {clean_value:.2f}, ABC {abc_value:.2f}")

total = torch.zeros(N_LAYERS, N_HEADS)
direct = torch.zeros(N_LAYERS, N_HEADS)
attention = torch.zeros(N_LAYERS, N_HEADS, 2)  # to IO, to S2, from the last position
for layer in range(N_LAYERS):
    pattern = clean_patterns[layer].float().cpu()  # [batch, head, key]
    attention[layer, :, 0] = pattern[rows, :, io_pos].mean(0)
    attention[layer, :, 1] = pattern[rows, :, s2_pos].mean(0)
    with model.trace(remote=REMOTE) as tracer:
        values = list().save()
        for head in range(N_HEADS):
            for frozen in (False, True):
                with tracer.invoke(clean_tokens):
                    ${z}[:, :, head] = abc_z[layer][:, :, head]
                    if frozen:  # every later attention and MLP output held clean
                        ${mlpHere}[:] = clean_mlp[layer]
                        for later in range(layer + 1, N_LAYERS):
                            ${attnOut}[:] = clean_attn[later]
                            ${mlpOut}[:] = clean_mlp[later]
                    values.append(model.lm_head.output[:, -1])
    for head in range(N_HEADS):
        total[layer, head] = logit_diff(values[2 * head][:, None]) - clean_value
        direct[layer, head] = logit_diff(values[2 * head + 1][:, None]) - clean_value
`;
}

const REPORT = `
share_total, share_direct = total / clean_value, direct / clean_value
threshold = EXPERIMENT["role_threshold"]
print("head      total  direct  attn IO  attn S2  role")
for layer in range(N_LAYERS):
    for head in range(N_HEADS):
        copies_io = attention[layer, head, 0] > attention[layer, head, 1]
        d = share_direct[layer, head].item()
        role = "name mover" if copies_io and d <= -threshold else "negative name mover" if copies_io and d >= threshold else ""
        if abs(share_total[layer, head]) >= threshold or role:
            print(f"L{layer}H{head:<5} {share_total[layer, head]:+6.2f} {d:+7.2f} {attention[layer, head, 0]:8.2f} {attention[layer, head, 1]:8.2f}  {role}")
`;

function body(target: Target): CellDraft[] {
  return [
    markdown(
      'Each head’s output (z) is taken from the ABC prompts (three other names) while everything else runs on the clean prompts. Its total effect lets everything downstream change; its direct effect holds every later attention and MLP output at its clean value, so only the path into the logits moves. Name movers attend from the last position to the indirect object and have a large negative direct effect when patched. (The widget also traces the path through the name movers’ queries to find S-inhibition heads; this notebook stops at the direct path.)',
    ),
    code(SETUP),
    code(target.flavour === 'transformerlens' ? TL_RUN : nnsightRun(target.model.family)),
    code(REPORT),
  ];
}

/** The widget's batch of IOI prompts and the roles it found. */
export function ioiExperiment(
  shown: CircuitShown,
  tokenizer: TokenNames & { decode(ids: readonly number[]): string },
): Experiment {
  const prompts = shown.prompts.map((p) => {
    const pieces = piecesOf(tokenizer, p.text);
    const positions = promptPositions(p.text, pieces);
    const corrupted = tokenizer.decode(p.corrupted.slice(1));
    const [io = '', s = ''] = tokenizer.tokens([p.io, p.s]);
    const at = (position: number) => {
      const found = positions[position];
      return found ? { position, token: found.token, end: found.end } : null;
    };
    return {
      clean: p.text,
      corrupted,
      io,
      s,
      io_position: at(p.positions.io),
      s2_position: at(p.positions.s2),
    };
  });
  const named = (role: string) =>
    shown.roles
      .flatMap((r, k) => (r === role ? [`L${Math.floor(k / shown.heads)}H${k % shown.heads}`] : []))
      .join(', ') || 'none';
  const first = shown.prompts[0]?.text ?? '';
  return {
    widget: 'ioi-circuit',
    title: 'IOI circuit',
    summary: `Path-patched every head of tiny-lm on ${shown.prompts.length} IOI prompts of one template (the first: “${first}”) against their ABC versions, and gave heads roles by their direct effect, their effect through the name movers’ queries and where they attend.`,
    ranOn: 'tiny-lm',
    settings: {
      prompts,
      positions: positionSettings(promptPositions(first, piecesOf(tokenizer, first))),
      role_threshold: ROLE_THRESHOLD,
    },
    hooks: [
      'blocks.0.attn.hook_z',
      'blocks.0.attn.hook_pattern',
      'blocks.0.hook_attn_out',
      'blocks.0.hook_mlp_out',
    ],
    flavours: ['transformerlens', 'nnsight'],
    readings: [
      {
        label: 'mean logit difference, clean / ABC',
        value: `${fixed(shown.clean)} / ${fixed(shown.corrupted)}`,
      },
      { label: 'name movers', value: named('name mover') },
      { label: 'negative name movers', value: named('negative name mover') },
      { label: 'S-inhibition heads', value: named('S-inhibition') },
    ],
    expectation:
      'Wang et al. (2022) found in GPT-2 small name movers 9.6, 9.9 and 10.0, negative name movers 10.7 and 11.10, and S-inhibition heads in layers 7–8, with the logit difference around 3.5 on their prompts; the direct effects here should single out the same late heads. tiny-lm’s circuit is smaller and sits in 4 layers.',
    body,
  };
}
