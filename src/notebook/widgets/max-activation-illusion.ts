/** The max-activating-examples illusion: one neuron, two text distributions, two different faces. */
import { nnsightExpression } from '../../ml/hook-sites';
import type { Experiment, Target } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';

/** What the widget shows: both distributions' documents, the neuron chosen, what it reads as. */
export interface MaxActivationShown {
  readonly sides: readonly { readonly label: string; readonly documents: readonly string[] }[];
  readonly layer: number;
  readonly unit: number;
  readonly nLayers: number;
  readonly summary: string;
  readonly window: number;
  readonly top: number;
}

function collect(target: Target): string {
  if (target.flavour === 'transformerlens')
    return `
HOOK = f"blocks.{LAYER}.mlp.hook_post"


def neuron_acts(tokens):
    _, cache = model.run_with_cache(tokens, names_filter=HOOK)
    return cache[HOOK][0].float().cpu()  # [pos, d_mlp]
`;
  return `
def neuron_acts(tokens):
    with model.trace(tokens, remote=REMOTE):
        acts = ${nnsightExpression('blocks.0.mlp.hook_post', target.model.family, 'LAYER')}[0].save()
    return acts.float().cpu()  # [pos, d_mlp]
`;
}

const FACES = `
# Windows of WINDOW tokens (BOS first) from each distribution, as the widget cuts them.
def windows_of(documents):
    out = []
    for text in documents:
        ids = to_tokens(text)[0, 1:]
        for start in range(0, len(ids), EXPERIMENT["window"] - 1):
            chunk = ids[start : start + EXPERIMENT["window"] - 1]
            if len(chunk) > 1:
                out.append(torch.cat([to_tokens("")[0, :1], chunk]))
    return out


sides = []
for side in EXPERIMENT["sides"]:
    windows = windows_of(side["documents"])
    acts = [neuron_acts(w[None]) for w in windows]
    sides.append({"label": side["label"], "windows": windows, "acts": acts})
print([f"{s['label']}: {len(s['windows'])} windows" for s in sides])


def top_contexts(side, unit, k=EXPERIMENT["top"]):
    """The k (window, position, activation) where the unit fires most, BOS excluded."""
    found = [(a[1:, unit].max().item(), w, a[1:, unit].argmax().item() + 1) for w, a in zip(side["windows"], side["acts"])]
    return sorted(found, key=lambda f: -f[0])[:k]


def face(side, unit):
    """The tokens the unit fires on in its top contexts, most common first."""
    tokens = [int(w[p]) for _, w, p in top_contexts(side, unit)]
    return sorted(set(tokens), key=lambda t: -tokens.count(t)), tokens


def illusion_score(unit):
    """Fires on both (weaker top / stronger top), on different tokens, each face one clear token."""
    a, b = (top_contexts(s, unit) for s in sides)
    strength = min(a[0][0], b[0][0]) / max(a[0][0], b[0][0]) if a[0][0] > 0 and b[0][0] > 0 else 0.0
    (fa, ta), (fb, tb) = face(sides[0], unit), face(sides[1], unit)
    overlap = len(set(fa) & set(fb)) / max(1, len(set(fa) | set(fb)))
    clarity = ((ta.count(fa[0]) / len(ta)) * (tb.count(fb[0]) / len(tb))) ** 0.5
    return strength * (1 - overlap) * clarity


d_mlp = sides[0]["acts"][0].shape[-1]
scores = torch.tensor([illusion_score(u) for u in range(d_mlp)])
for unit in scores.argsort(descending=True)[:3].tolist():
    print(f"neuron {unit} of layer {LAYER}: illusion score {scores[unit]:.2f}")
    for side in sides:
        print(f"  on {side['label']}:")
        for value, window, position in top_contexts(side, unit):
            before = decode_text(window[max(1, position - 10) : position])
            print(f"    {value:6.2f}  ...{before} [[{decode_text(window[position : position + 1])}]]")
`;

function body(target: Target): CellDraft[] {
  const decode =
    target.flavour === 'transformerlens'
      ? 'decode_text = lambda ids: model.to_string(ids)'
      : 'decode_text = lambda ids: tokenizer.decode(ids)';
  return [
    markdown(
      'Every MLP neuron of one layer is read on two kinds of text (the widget’s own documents). For each neuron the top-activating contexts are taken in each distribution separately; a neuron whose two lists fire on different tokens would be described quite differently depending on which data set one looked at (Bolukbasi et al., “An Interpretability Illusion for BERT”, 2021). The score is the widget’s without its token-ownership factor. Neuron indices do not correspond across models: the notebook ranks the real model’s own neurons.',
    ),
    code(
      `# The MLP at the widget's relative depth.\nLAYER = min(N_LAYERS - 1, round(EXPERIMENT["layer"] / max(1, EXPERIMENT["widget_layers"] - 1) * (N_LAYERS - 1)))\n${decode}\n${collect(target)}`,
    ),
    code(FACES),
  ];
}

/** The widget's two distributions and the neuron it shows. */
export function maxActivationExperiment(shown: MaxActivationShown): Experiment {
  return {
    widget: 'max-activation-illusion',
    title: 'Max-activating examples illusion',
    summary: `Read every MLP neuron of tiny-lm on ${shown.sides.map((s) => s.label).join(' and ')} and showed neuron ${shown.unit} of layer ${shown.layer}, whose top-activating contexts look different on each.`,
    ranOn: 'tiny-lm',
    settings: {
      layer: shown.layer,
      unit: shown.unit,
      widget_layers: shown.nLayers,
      window: shown.window,
      top: shown.top,
      sides: shown.sides.map((s) => ({ label: s.label, documents: [...s.documents] })),
    },
    hooks: ['blocks.0.mlp.hook_post'],
    flavours: ['transformerlens', 'nnsight'],
    readings: [{ label: `neuron ${shown.unit} of layer ${shown.layer}`, value: shown.summary }],
    expectation:
      'A model with thousands of neurons per layer and broad training data has many polysemantic neurons, so expect several neurons whose news and story faces differ; whether a face is “the” meaning of a neuron depends on the data set used to find it, which is the illusion. Short, synthetic texts like these are far from the model’s training distribution; try your own documents in EXPERIMENT.',
    body,
  };
}
