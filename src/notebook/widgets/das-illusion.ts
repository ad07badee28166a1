/** DAS and the subspace illusion: a learned direction in an MLP's hidden layer, split in two. */
import type { Experiment, Setting } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';
import { promptPositions } from '../positions';
import { fixed, piecesOf, type TokenNames } from './shared';

/** The part of the widget's das.json a notebook needs. */
export interface DasShown {
  readonly training: { readonly steps: number; readonly lr: number; readonly batch: number };
  readonly trainPairs: readonly DasPairShown[];
  readonly evalPairs: readonly DasPairShown[];
  readonly sites: readonly {
    readonly role: string;
    readonly hook: string;
    readonly layer: number;
    readonly position: 'S2' | 'END';
  }[];
}

interface DasPairShown {
  readonly base: string;
  readonly source: string;
  readonly io: number;
  readonly s: number;
  readonly positions: { readonly S2: number; readonly END: number };
}

/** Condition → logit difference (the widget's per-pair and mean results). */
type ByCondition = Readonly<Record<string, number>>;

function pairSetting(pair: DasPairShown, tokenizer: TokenNames): Setting {
  const positions = promptPositions(pair.base, piecesOf(tokenizer, pair.base));
  const [io = '', s = ''] = tokenizer.tokens([pair.io, pair.s]);
  return {
    base: pair.base,
    source: pair.source,
    io,
    s,
    s2_end: positions[pair.positions.S2]?.end ?? null,
  };
}

const SETUP = `
import torch.nn.functional as F

# The MLP at the widget's relative depth, read at the widget's position (S2 or END).
LAYER = min(N_LAYERS - 1, round(EXPERIMENT["layer"] / max(1, EXPERIMENT["widget_layers"] - 1) * (N_LAYERS - 1)))
HOOK = f"blocks.{LAYER}.mlp.hook_post"


def batch_of(pairs):
    """Base and source tokens of the pairs whose two prompts tokenise alike (the first's length)."""
    base = [to_tokens(p["base"]) for p in pairs]
    source = [to_tokens(p["source"]) for p in pairs]
    keep = [i for i in range(len(pairs)) if base[i].shape == source[i].shape == base[0].shape]
    at = [real_positions(pairs[i]["base"], [{"position": 1, "end": pairs[i]["s2_end"]}])[0] if EXPERIMENT["position"] == "S2" else base[0].shape[1] - 1 for i in keep]
    return {
        "base": torch.cat([base[i] for i in keep]).to(model.cfg.device),
        "source": torch.cat([source[i] for i in keep]).to(model.cfg.device),
        "io": torch.tensor([token_id(pairs[i]["io"]) for i in keep]),
        "s": torch.tensor([token_id(pairs[i]["s"]) for i in keep]),
        "at": torch.tensor(at),
    }


train, test = batch_of(EXPERIMENT["train_pairs"]), batch_of(EXPERIMENT["eval_pairs"])
for data in (train, test):
    rows = torch.arange(len(data["at"]))
    _, base_cache = model.run_with_cache(data["base"], names_filter=HOOK)
    _, source_cache = model.run_with_cache(data["source"], names_filter=HOOK)
    data["base_act"] = base_cache[HOOK][rows, data["at"]]
    data["source_act"] = source_cache[HOOK][rows, data["at"]]
print(f"{len(train['at'])} training pairs, {len(test['at'])} held-out pairs at {HOOK}")


def patched_logit_diff(data, change):
    """Mean logit(IO) - logit(S) of the base prompts with change [batch, d_mlp] added at the site."""
    rows = torch.arange(len(data["at"]))

    def hook(act, hook):
        act = act.clone()
        act[rows, data["at"]] = act[rows, data["at"]] + change.to(act.dtype)
        return act

    last = model.run_with_hooks(data["base"], fwd_hooks=[(HOOK, hook)])[:, -1]
    return (last[rows, data["io"]] - last[rows, data["s"]]).mean()


def along(data, v):
    """Patch only the component along unit vector v: base + ((source - base) . v) v."""
    v = v / v.norm()
    return ((data["source_act"] - data["base_act"]) @ v)[:, None] * v
`;

const TRAIN = `
# DAS, as the widget's direction was learned: minimise the patched logit difference, v renormalised.
torch.manual_seed(0)
v = torch.randn(train["base_act"].shape[1], device=train["base_act"].device)
v = (v / v.norm()).requires_grad_(True)
optimizer = torch.optim.Adam([v], lr=EXPERIMENT["lr"])
with torch.enable_grad():
    for step in range(EXPERIMENT["steps"]):
        pick = torch.randperm(len(train["at"]))[: EXPERIMENT["batch"]]
        part = {k: t[pick] for k, t in train.items()}
        loss = patched_logit_diff(part, along(part, v))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            v /= v.norm()
v = v.detach()

# Split v: the part W_out reads (its column space) and the part W_out ignores (its kernel).
W_out = model.W_out[LAYER].float()  # [d_mlp, d_model]
projector = W_out @ torch.linalg.pinv(W_out)
dormant = projector @ v
disconnected = v - dormant
print(f"|dormant| = {dormant.norm():.3f}, |disconnected| = {disconnected.norm():.3f} of a unit v")
`;

const REPORT = `
with torch.no_grad():
    conditions = {
        "base, unpatched": patched_logit_diff(test, torch.zeros_like(test["base_act"])),
        "whole activation patched": patched_logit_diff(test, test["source_act"] - test["base_act"]),
        "along v (DAS)": patched_logit_diff(test, along(test, v)),
        "dormant part only": patched_logit_diff(test, along(test, dormant)),
        "disconnected part only": patched_logit_diff(test, along(test, disconnected)),
    }
for name, value in conditions.items():
    print(f"{name:>26}: mean logit difference {value.item():+.2f}")
`;

function body(): CellDraft[] {
  return [
    markdown(
      'Distributed alignment search (DAS) learns one direction v in the MLP’s hidden activation such that patching only the component along v moves the answer. Makelov et al. (“Is This the Subspace You Are Looking for?”, 2023) showed such a v can be illusory: split it into the part the MLP’s output weights read (dormant on this data) and the part they ignore (disconnected); each alone does little, together they open a path that whole-activation patching never uses. TransformerLens only: training v needs gradients through the patched model, which this notebook does with TransformerLens hooks.',
    ),
    code(SETUP),
    code(TRAIN),
    code(REPORT),
  ];
}

/** The widget's site and pairs, with what it measured on the chosen pair and on all pairs. */
export function dasExperiment(
  das: DasShown,
  siteIndex: number,
  nLayers: number,
  tokenizer: TokenNames,
  chosen: { readonly logitDiff: ByCondition } | null,
  mean: { readonly mean: ByCondition } | null,
): Experiment {
  const site = das.sites[siteIndex] ?? das.sites[0]!;
  const row = (label: string, values: ByCondition) => ({
    label,
    value: ['base', 'full', 'direction', 'dormant', 'disconnected']
      .map((c) => `${c} ${fixed(values[c] ?? Number.NaN)}`)
      .join(', '),
  });
  return {
    widget: 'das-illusion',
    title: 'DAS and the subspace illusion',
    summary: `Patched tiny-lm's ${site.hook} at ${site.position} (the ${site.role} site) along a DAS direction and along its two parts, on IOI pairs whose source prompt swaps the repeated subject.`,
    ranOn: 'tiny-lm',
    settings: {
      widget_hook: site.hook,
      layer: site.layer,
      widget_layers: nLayers,
      position: site.position,
      role: site.role,
      steps: das.training.steps,
      lr: das.training.lr,
      batch: das.training.batch,
      train_pairs: das.trainPairs.map((p) => pairSetting(p, tokenizer)),
      eval_pairs: das.evalPairs.map((p) => pairSetting(p, tokenizer)),
    },
    hooks: [site.hook.replace(/^blocks\.\d+\./, 'blocks.0.')],
    flavours: ['transformerlens'],
    readings: [
      ...(chosen ? [row('chosen pair, logit difference', chosen.logitDiff)] : []),
      ...(mean ? [row('mean over held-out pairs', mean.mean)] : []),
    ],
    expectation:
      'Makelov et al. found the illusion in GPT-2 small’s MLPs on IOI: a DAS direction at a site where whole-activation patching does little still flips the answer, and its two parts alone do not. GPT-2’s MLPs have 3,072 hidden units for a 768-wide stream, so the ignored part (the kernel of W_out) is large; expect the illusion to be at least as clear as on tiny-lm.',
    body,
  };
}
