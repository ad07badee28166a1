/** The greater-than widget's experiment: years after a start year, and what carries the comparison. */
import type { Experiment, Target } from '../experiment';
import { code, markdown, type CellDraft } from '../nbformat';
import { pairSettings, patchingCells } from './patching';
import { fixed, type TokenNames } from './shared';

/** What the widget shows: its template, start year, and (once patched) the two metrics. */
export interface GreaterThanShown {
  readonly template: string;
  readonly century: string;
  readonly startYear: number;
  /** p(YY) for YY = 00..99 after the start year (the widget's sweep row), when computed. */
  readonly probabilities: ArrayLike<number> | null;
  readonly patching: { readonly clean: number; readonly corrupted: number } | null;
}

const yy = (year: number) => String(year).padStart(2, '0');
const promptOf = (shown: GreaterThanShown, year: number) =>
  shown.template.replaceAll('{c}', shown.century).replace('{x}', yy(year));

function body(target: Target): CellDraft[] {
  const sweep =
    target.flavour === 'transformerlens'
      ? `
def year_probabilities(text):
    probs = model(to_tokens(text))[0, -1].softmax(-1)
    return probs[YEAR_IDS].cpu()
`
      : `
def year_probabilities(text):
    with model.trace(to_tokens(text), remote=REMOTE):
        probs = model.lm_head.output[0, -1].softmax(-1).save()
    return probs[YEAR_IDS].float().cpu()
`;
  return [
    markdown(
      'First the curve: for every start year, the probability the model gives each two-digit year after the second century token, and Hanna et al.’s probability difference p(year > start) − p(year ≤ start). Then patching from the prompt whose start year is “01”, heads and MLPs, for the widget’s start year.',
    ),
    code(`${sweep}
YEAR_IDS = torch.tensor([digits_id(f"{y:02d}") for y in range(100)])
differences = []
for start in EXPERIMENT["start_years"]:
    text = EXPERIMENT["template"].replace("{c}", EXPERIMENT["century"]).replace("{x}", f"{start:02d}")
    p = year_probabilities(text)
    differences.append((p[start + 1 :].sum() - p[: start + 1].sum()).item())
print(f"mean probability difference over {len(differences)} start years: {sum(differences) / len(differences):.3f}")
chosen = EXPERIMENT["start_years"].index(EXPERIMENT["metric"]["start"])
print(f"at the widget's start year {EXPERIMENT['metric']['start']:02d}: {differences[chosen]:.3f}")
`),
    ...patchingCells(target),
  ];
}

/** The widget's template and start year, with its numbers. */
export function greaterThanExperiment(shown: GreaterThanShown, tokenizer: TokenNames): Experiment {
  const clean = promptOf(shown, shown.startYear);
  const pair = {
    task: 'years' as const,
    label: clean,
    cleanText: clean,
    corruptedText: promptOf(shown, 1),
    answer: yy(shown.startYear),
    distractor: '01',
    changed: [],
    startYear: shown.startYear,
  };
  const settings = pairSettings(pair, tokenizer, 'denoise', ['attn.hook_z', 'hook_mlp_out']);
  const p = shown.probabilities;
  const above = p
    ? Array.from(p).reduce((sum, v, y) => (y > shown.startYear ? sum + v : sum), 0)
    : null;
  return {
    widget: 'greater-than',
    title: 'Greater-than',
    summary: `Asked tiny-lm to continue “${clean}” for every start year 02–97, and patched its heads and MLPs from the “01” prompt at start year ${yy(shown.startYear)}.`,
    ranOn: 'tiny-lm',
    settings: {
      ...settings,
      template: shown.template,
      century: shown.century,
      start_years: Array.from({ length: 96 }, (_, i) => i + 2),
    },
    hooks: ['blocks.0.attn.hook_z', 'blocks.0.hook_mlp_out'],
    flavours: ['transformerlens', 'nnsight'],
    readings: [
      ...(above === null
        ? []
        : [{ label: `p(later year) after ${yy(shown.startYear)}`, value: fixed(above, 3) }]),
      ...(shown.patching
        ? [
            {
              label: 'probability difference, clean / “01” prompt',
              value: `${fixed(shown.patching.clean, 3)} / ${fixed(shown.patching.corrupted, 3)}`,
            },
          ]
        : []),
    ],
    expectation:
      'Hanna et al. (2023) found GPT-2 small puts most probability on years after the start year, with a sharp step at the start year; patching singles out a few attention heads in layers 5–9 that attend to the start year and the MLPs 8–11 that turn it into the comparison. On Llama 3 the tokenizer splits four-digit numbers differently (three digits, then one), so “YY” is not one token there and the year metric does not carry over as it is.',
    body,
  };
}
