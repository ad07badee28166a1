/** The SAE lab's experiment: sparse autoencoders on the residual stream, measured three ways. */
import { nnsightExpression } from '../../ml/hook-sites';
import type { Experiment, Target } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';
import { fixed } from './shared';

/** One of the lab's SAEs and what the page measured (the shape of its Entry). */
export interface SaeEntryShown {
  readonly sae: {
    readonly label: string;
    readonly kind: string;
    readonly dIn: number;
    readonly dSae: number;
    readonly k?: number;
  };
  readonly result: { readonly l0: number; readonly fvu: number; readonly dead: number };
  readonly loss: { readonly lossRecovered: number } | null;
}

/** `blocks.1.hook_resid_post` → 2: the block whose resid_pre it equals. */
function residPreIndex(hook: string): number {
  const match = /^blocks\.(\d+)\.hook_resid_(pre|post)$/.exec(hook);
  if (!match) throw new Error(`The SAE lab reads a residual hook, not ${hook}`);
  return Number(match[1]) + (match[2] === 'post' ? 1 : 0);
}

function collect(target: Target): string {
  if (target.flavour === 'transformerlens')
    return `
HOOK = f"blocks.{LAYER}.hook_resid_pre"
rows = []
for text in EXPERIMENT["texts"]:
    tokens = to_tokens(text)
    _, cache = model.run_with_cache(tokens, names_filter=HOOK)
    rows.append(cache[HOOK][0, 1:].float().cpu())  # every position but BOS, as the widget


def spliced_loss(tokens, replace):
    """Next-token loss with the stream at HOOK (after BOS) replaced by replace(stream)."""
    def hook(resid, hook):
        resid[:, 1:] = replace(resid[:, 1:].float()).to(resid.dtype)
        return resid
    return model.run_with_hooks(tokens, return_type="loss", fwd_hooks=[(HOOK, hook)]).item()
`;
  const resid = nnsightExpression('blocks.0.hook_resid_pre', target.model.family, 'LAYER');
  return `
rows = []
for text in EXPERIMENT["texts"]:
    with model.trace(to_tokens(text), remote=REMOTE):
        stream = ${resid}[0, 1:].save()  # every position but BOS, as the widget
    rows.append(stream.float().cpu())


def spliced_loss(tokens, replace):
    """Next-token loss with the stream at LAYER (after BOS) replaced by replace(stream).
    Local runs only: the SAE lives in this notebook, not on NDIF."""
    with model.trace(tokens):
        resid = ${resid}
        resid[:, 1:] = replace(resid[:, 1:].float()).to(resid.dtype)
        logits = model.lm_head.output.save()
    return F.cross_entropy(logits[0, :-1].float(), tokens[0, 1:].to(logits.device)).item()
`;
}

const TRAIN = `
acts = torch.cat(rows).to(device)
print(f"{acts.shape[0]} activations of width {acts.shape[1]} at resid_pre of block {LAYER}")
# Scaled so that the mean norm is sqrt(d_in), which makes the L1 coefficient mean the same on any model.
SCALE = (acts.shape[1] ** 0.5 / acts.norm(dim=-1).mean()).item()
acts = acts * SCALE


class Sae(nn.Module):
    """ReLU + L1, or TopK (k features kept per token), as the widget's SAEs."""

    def __init__(self, d_in, d_sae, k=None):
        super().__init__()
        self.k = k
        self.W_enc = nn.Parameter(torch.randn(d_in, d_sae, device=device) / d_in**0.5)
        self.b_enc = nn.Parameter(torch.zeros(d_sae, device=device))
        self.W_dec = nn.Parameter(self.W_enc.data.T.clone())
        self.b_dec = nn.Parameter(acts.mean(0).clone())

    def encode(self, x):
        pre = (x - self.b_dec) @ self.W_enc + self.b_enc
        if self.k is None:
            return F.relu(pre)
        top = pre.topk(self.k, dim=-1)
        return torch.zeros_like(pre).scatter(-1, top.indices, F.relu(top.values))

    def forward(self, x):
        return self.encode(x) @ self.W_dec + self.b_dec


def train(sae, steps=EXPERIMENT["steps"], batch=256, lr=1e-3, l1=EXPERIMENT["l1"]):
    optimizer = torch.optim.Adam(sae.parameters(), lr=lr)
    with torch.enable_grad():
        for step in range(steps):
            x = acts[torch.randint(0, acts.shape[0], (batch,), device=device)]
            f = sae.encode(x)
            loss = (f @ sae.W_dec + sae.b_dec - x).pow(2).sum(-1).mean()
            if sae.k is None:
                loss = loss + l1 * (f * sae.W_dec.norm(dim=1)).sum(-1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return sae


def measure(sae):
    with torch.no_grad():
        f = sae.encode(acts)
        l0 = (f > 0).float().sum(-1).mean().item()
        fvu = ((sae(acts) - acts).pow(2).sum() / (acts - acts.mean(0)).pow(2).sum()).item()
        dead = int((f.sum(0) == 0).sum())
    return l0, fvu, dead
`;

const COMPARE = `
d_sae = EXPERIMENT["expansion"] * acts.shape[1]
saes = {"ReLU + L1": train(Sae(acts.shape[1], d_sae)), f"TopK (k = {EXPERIMENT['k']})": train(Sae(acts.shape[1], d_sae, k=EXPERIMENT["k"]))}
tokens = to_tokens(EXPERIMENT["texts"][0])
for name, sae in saes.items():
    l0, fvu, dead = measure(sae)
    line = f"{name:>14}: L0 {l0:.1f}  FVU {fvu:.3f}  dead {dead} of {d_sae}"
    if not REMOTE:
        clean, zero = spliced_loss(tokens, lambda x: x), spliced_loss(tokens, torch.zeros_like)
        spliced = spliced_loss(tokens, lambda x: (sae(x.to(device) * SCALE) / SCALE).to(x.device))
        line += f"  loss recovered {(zero - spliced) / (zero - clean):.3f}"
    print(line)
`;

function body(target: Target): CellDraft[] {
  return [
    markdown(
      'This trains two small SAEs on the real model’s residual stream at the same relative depth as the widget’s site, on the widget’s held-out text (a few thousand tokens: enough to run every step and compare the measures, far too few for good features; for those, collect millions of tokens or load an SAE trained by others). Measures as in the widget: L0 (features active per token), FVU (fraction of variance unexplained) and the share of the next-token loss recovered when the reconstruction replaces the stream.',
    ),
    code(
      `import torch.nn as nn\nimport torch.nn.functional as F\n\n# resid_pre of the block at the widget's relative depth.\nLAYER = round(EXPERIMENT["resid_pre_layer"] / EXPERIMENT["widget_layers"] * N_LAYERS)\n${target.flavour === 'transformerlens' ? 'REMOTE = False\n' : ''}${collect(target)}`,
    ),
    code(TRAIN),
    code(COMPARE),
  ];
}

/** The lab's site, held-out text and shipped SAEs with their measures. */
export function saeLabExperiment(
  hook: string,
  nLayers: number,
  texts: readonly string[],
  entries: readonly SaeEntryShown[],
): Experiment {
  const first = entries[0]?.sae;
  const topK = entries.find((e) => e.sae.kind.toLowerCase().includes('topk'))?.sae.k ?? 16;
  return {
    widget: 'sae-lab',
    title: 'SAE lab',
    summary: `Compared ${entries.length} sparse autoencoders (${entries.map((e) => e.sae.label).join(', ')}) with ${first?.dSae ?? '?'} features each on tiny-lm's ${hook}, measured on held-out text in the page.`,
    ranOn: 'tiny-lm',
    settings: {
      widget_hook: hook,
      resid_pre_layer: residPreIndex(hook),
      widget_layers: nLayers,
      expansion: first ? Math.round(first.dSae / first.dIn) : 8,
      k: topK,
      l1: 5,
      steps: 2000,
      texts: texts.map((t) => t.replace(/<bos>\s*/g, '').trim()).filter((t) => t.length > 0),
    },
    hooks: ['blocks.0.hook_resid_pre'],
    flavours: ['transformerlens', 'nnsight'],
    readings: entries.map((e) => ({
      label: e.sae.label,
      value: `L0 ${fixed(e.result.l0, 1)}, FVU ${fixed(e.result.fvu, 3)}, dead ${e.result.dead}${e.loss ? `, loss recovered ${fixed(e.loss.lossRecovered, 3)}` : ''}`,
    })),
    expectation:
      'On GPT-2 small, SAEs trained on hundreds of millions of tokens reach FVU of a few percent at L0 in the tens (Bricken et al., 2023, and later work); trained here on a few thousand tokens, expect a higher FVU, many dead features and a lower loss recovered than tiny-lm’s, with TopK holding L0 exactly at k. The comparison that carries over is the trade-off: lower L0 costs reconstruction.',
    body,
  };
}
