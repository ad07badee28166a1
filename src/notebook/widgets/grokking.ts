/** Grokking modular addition, retrained in plain PyTorch with the widget model's own recipe. */
import type { Experiment } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';

/** What the widget replays and found (its model card, and the key frequencies the page finds). */
export interface GrokkingShown {
  /** public/models/modadd/card.json as fetched (null when it did not load). */
  readonly card: unknown;
  /** The key frequencies the page finds in the final embedding. */
  readonly keys: readonly number[];
}

interface CardFields {
  p: number;
  config: {
    d_model: number;
    n_heads: number;
    d_head: number;
    d_mlp: number;
    d_vocab: number;
    n_ctx: number;
    init_std: number;
  };
  split: { trainMaskBase64: string; trainFraction: number };
  training: {
    steps: number;
    lr: number;
    weightDecay: number;
    betas: [number, number];
    seed: number;
  };
  grokking: {
    trainAcc100Step: number | null;
    testAcc99Step: number | null;
    keyFrequencies?: number[];
  };
}

/** The card's fields the notebook needs, or an error that says which is missing. */
function cardFields(card: unknown): CardFields {
  const c = card as Partial<CardFields> | null;
  const missing = [
    typeof c?.p === 'number' ? null : 'p',
    c?.config && typeof c.config.d_model === 'number' ? null : 'config',
    typeof c?.split?.trainMaskBase64 === 'string' ? null : 'split.trainMaskBase64',
    c?.training && typeof c.training.steps === 'number' ? null : 'training',
    c?.grokking ? null : 'grokking',
  ].filter((m) => m !== null);
  if (missing.length > 0)
    throw new Error(
      `The modadd model card did not load or lacks ${missing.join(', ')}: no notebook.`,
    );
  return c as CardFields;
}

const DATA = `
import base64

import numpy as np
import torch.nn as nn
import torch.nn.functional as F

p, cfg, train_cfg = EXPERIMENT["p"], EXPERIMENT["config"], EXPERIMENT["training"]
torch.manual_seed(train_cfg["seed"])
# Every pair (a, b) as the prompt "a b =" (token ids [a, b, p]); the answer (a + b) mod p.
a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
tokens = torch.stack([a.flatten(), b.flatten(), torch.full((p * p,), p)], dim=1).to(device)
answers = ((a + b) % p).flatten().to(device)
# The widget model's own split: bit i of the mask says whether pair a*p+b was trained on.
bits = np.unpackbits(np.frombuffer(base64.b64decode(EXPERIMENT["train_mask_base64"]), np.uint8), bitorder="little")
is_train = torch.tensor(bits[: p * p].astype(bool), device=device)
print(f"{int(is_train.sum())} training pairs, {int((~is_train).sum())} test pairs")
`;

const MODEL = `
class OneLayerTransformer(nn.Module):
    """One attention layer (4 heads) and one ReLU MLP, no LayerNorm: the widget model's shape."""

    def __init__(self):
        super().__init__()
        d, h, e, m, v, std = cfg["d_model"], cfg["n_heads"], cfg["d_head"], cfg["d_mlp"], cfg["d_vocab"], cfg["init_std"]
        init = lambda *shape: nn.Parameter(torch.randn(*shape) * std)
        self.W_E, self.W_pos = init(v, d), init(cfg["n_ctx"], d)
        self.W_Q, self.W_K, self.W_V, self.W_O = init(h, d, e), init(h, d, e), init(h, d, e), init(h, e, d)
        self.W_in, self.b_in = init(d, m), nn.Parameter(torch.zeros(m))
        self.W_out, self.b_out = init(m, d), nn.Parameter(torch.zeros(d))
        self.W_U = init(d, v)

    def forward(self, tokens):
        x = self.W_E[tokens] + self.W_pos  # [batch, pos, d_model]
        q, k, v = (torch.einsum("bpd,hde->bhpe", x, W) for W in (self.W_Q, self.W_K, self.W_V))
        scores = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
        causal = torch.ones(x.shape[1], x.shape[1], dtype=torch.bool, device=x.device).tril()
        pattern = scores.masked_fill(~causal, float("-inf")).softmax(-1)
        x = x + torch.einsum("bhpe,hed->bpd", pattern @ v, self.W_O)
        x = x + F.relu(x @ self.W_in + self.b_in) @ self.W_out + self.b_out
        return (x[:, -1] @ self.W_U)[:, :p]  # logits over the p answers


model = OneLayerTransformer().to(device)
optimizer = torch.optim.AdamW(model.parameters(), lr=train_cfg["lr"], weight_decay=train_cfg["weightDecay"], betas=tuple(train_cfg["betas"]))
history = []
for step in range(train_cfg["steps"] + 1):
    logits = model(tokens)
    loss = F.cross_entropy(logits[is_train], answers[is_train])
    if step % 100 == 0:
        with torch.no_grad():
            correct = logits.argmax(-1) == answers
            history.append((step, correct[is_train].float().mean().item(), correct[~is_train].float().mean().item()))
            print(f"step {step:5d}  train loss {loss.item():.2e}  train acc {history[-1][1]:.3f}  test acc {history[-1][2]:.3f}")
    if step < train_cfg["steps"]:
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
`;

const FOURIER = `
# Key frequencies: the Fourier components of the embedding over the p residues that stand out.
with torch.no_grad():
    residues = torch.arange(p, device=device, dtype=torch.float32)
    W_E = model.W_E[:p]
    norms = []
    for freq in range(1, p // 2 + 1):
        cos, sin = torch.cos(2 * torch.pi * freq * residues / p), torch.sin(2 * torch.pi * freq * residues / p)
        norms.append(((cos / cos.norm()) @ W_E).norm() ** 2 + ((sin / sin.norm()) @ W_E).norm() ** 2)
    norms = torch.stack(norms).cpu()
top = (norms.argsort(descending=True)[:6] + 1).tolist()
print("strongest embedding frequencies:", top)
print("the widget's key frequencies:", EXPERIMENT["widget_key_frequencies"])
first_train = next((s for s, tr, te in history if tr >= 1.0), None)
first_test = next((s for s, tr, te in history if te >= 0.99), None)
print(f"train accuracy 100% at step {first_train}, test accuracy >= 99% at step {first_test}")
`;

function body(): CellDraft[] {
  return [
    markdown(
      'This retrains the widget’s model, not a language model: a one-layer transformer on (a + b) mod 113, with the recipe and the very train/test split of Residual’s modadd model card, in plain PyTorch (full-batch training over 4,000 steps: quick on a GPU, a long wait on a CPU). It logs the train and test accuracy every 100 steps and finds the key frequencies in the embedding, as Nanda et al. (“Progress measures for grokking via mechanistic interpretability”, 2023) did. There is no real-model analogue of this experiment; the analysis transfers, not the model.',
    ),
    code(DATA),
    code(MODEL),
    code(FOURIER),
  ];
}

/** The widget's model card and the key frequencies the page found. */
export function grokkingExperiment(shown: GrokkingShown): Experiment {
  const card = cardFields(shown.card);
  const g = card.grokking;
  return {
    widget: 'grokking',
    title: 'Grokking',
    summary: `Replayed ${card.training.steps} steps of training of a one-layer transformer on (a + b) mod ${card.p} from its checkpoints, and read the key frequencies off its embedding.`,
    ranOn: 'the modadd model’s checkpoints',
    settings: {
      p: card.p,
      config: { ...card.config },
      training: {
        steps: card.training.steps,
        lr: card.training.lr,
        weightDecay: card.training.weightDecay,
        betas: [...card.training.betas],
        seed: card.training.seed,
      },
      train_mask_base64: card.split.trainMaskBase64,
      widget_key_frequencies: [...shown.keys],
    },
    hooks: [],
    flavours: ['pytorch'],
    readings: [
      { label: 'train accuracy 100% at step', value: String(g.trainAcc100Step ?? 'n/a') },
      { label: 'test accuracy ≥ 99% at step', value: String(g.testAcc99Step ?? 'n/a') },
      {
        label: 'key frequencies (this page / the model card)',
        value: `${shown.keys.join(', ')} / ${(g.keyFrequencies ?? []).join(', ')}`,
      },
    ],
    expectation:
      'The same story, not the same numbers: train accuracy reaches 100% early, test accuracy stays low and then climbs late (grokking), and a handful of frequencies come to dominate the embedding. Which frequencies depends on the random initialisation, so expect a different set of about four to six.',
    body,
  };
}
