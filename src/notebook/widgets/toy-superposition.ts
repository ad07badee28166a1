/** The toy model of superposition, reproduced in plain PyTorch with the widget's settings. */
import type { Experiment } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';

/** The widget's settings and its summary of the trained model. */
export interface ToyShown {
  readonly features: number;
  readonly dimensions: number;
  readonly sparsity: number;
  readonly importanceDecay: number;
  readonly seed: number;
  readonly steps: number;
  readonly represented: number;
  readonly summary: string;
}

const MODEL = `
n, m = EXPERIMENT["features"], EXPERIMENT["dimensions"]
importance = torch.tensor([EXPERIMENT["importance_decay"] ** i for i in range(n)], device=device)
torch.manual_seed(EXPERIMENT["seed"])
# W [m, n]: column i is feature i's direction in the hidden space (Xavier-normal, b = 0).
W = nn.Parameter(torch.randn(m, n, device=device) * (2 / (m + n)) ** 0.5)
b = nn.Parameter(torch.zeros(n, device=device))
optimizer = torch.optim.Adam([W, b], lr=EXPERIMENT["learning_rate"])


def sample(batch):
    """Each feature is 0 with probability S, else uniform in [0, 1)."""
    x = torch.rand(batch, n, device=device)
    return x * (torch.rand(batch, n, device=device) >= EXPERIMENT["sparsity"])


for step in range(EXPERIMENT["steps"]):
    x = sample(EXPERIMENT["batch"])
    x_hat = F.relu(x @ W.T @ W + b)  # h = W x, x' = ReLU(W^T h + b)
    loss = (importance * (x - x_hat) ** 2).sum(-1).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"step {EXPERIMENT['steps']}: loss {loss.item():.4f}")
`;

const GEOMETRY = `
with torch.no_grad():
    gram = W.T @ W  # [n, n]
    norms = gram.diagonal().sqrt()
    unit = W / norms.clamp_min(1e-9)
    overlap = (unit.T @ W) ** 2  # (W_i-hat . W_j)^2
    interference = overlap.sum(1) - overlap.diagonal()
    dimensionality = norms**2 / (norms**2 + interference)
represented = [i for i in range(n) if norms[i] > 0.5]
print(f"{len(represented)} of {n} features represented in {m} dimensions")
print("feature  importance  norm  superposition  dimensionality")
for i in range(n):
    print(f"f{i:<7} {importance[i]:10.2f} {norms[i]:5.2f} {interference[i]:14.2f} {dimensionality[i]:15.2f}")
`;

function body(): CellDraft[] {
  return [
    markdown(
      'This is the widget’s own experiment, not a real language model: Elhage et al.’s toy model (“Toy Models of Superposition”, 2022) trained in PyTorch with the same settings, so the geometry can be checked at full precision and pushed further (more features, more steps, a sparsity sweep). In real models superposition is studied indirectly, by training sparse autoencoders on their activations: the SAE lab’s notebook does that on GPT-2 small.',
    ),
    code('import torch.nn as nn\nimport torch.nn.functional as F\n' + MODEL),
    code(GEOMETRY),
  ];
}

/** The widget's toy model, as trained in the page. */
export function toySuperpositionExperiment(shown: ToyShown): Experiment {
  return {
    widget: 'toy-superposition',
    title: 'Toy models of superposition',
    summary: `Trained the toy model with ${shown.features} features in ${shown.dimensions} hidden dimensions, sparsity ${shown.sparsity}, importance decay ${shown.importanceDecay} (seed ${shown.seed}) in the page.`,
    ranOn: 'a toy model trained in the page',
    settings: {
      features: shown.features,
      dimensions: shown.dimensions,
      sparsity: shown.sparsity,
      importance_decay: shown.importanceDecay,
      seed: shown.seed,
      steps: shown.steps,
      batch: 1024,
      learning_rate: 0.01,
    },
    hooks: [],
    flavours: ['pytorch'],
    readings: [
      { label: 'features represented', value: `${shown.represented} of ${shown.features}` },
      { label: 'the widget’s summary', value: shown.summary },
    ],
    expectation:
      'The same phase as in the page: with these settings PyTorch should represent the same number of features, with the same geometry (antipodal pairs, a pentagon at high sparsity in 2 dimensions), though a different random stream (the page seeds its own generator) can settle into a different local optimum; rerun with other seeds.',
    body,
  };
}
