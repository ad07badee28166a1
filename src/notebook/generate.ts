/**
 * The notebook generator: an Experiment (a widget's current experiment, as data) and a target
 * (flavour + real model) → an nbformat 4 notebook. Pure; runs in the page, so the export works
 * offline.
 */
import { buildNotebook, code, markdown, type CellDraft, type Notebook } from './nbformat';
import {
  FLAVOUR_LABELS,
  REAL_MODELS,
  type Experiment,
  type Flavour,
  type RealModel,
  type Target,
} from './experiment';
import { installCell, loadCell, POSITIONS_CELL, pyLiteral } from './python';

/** The target a flavour and model id name, or an error that says what is wrong. */
export function resolveTarget(experiment: Experiment, flavour: string, modelId: string): Target {
  const known = experiment.flavours.find((f) => f === flavour);
  if (!known)
    throw new Error(
      `The ${experiment.title} notebook comes as ${experiment.flavours.map((f) => FLAVOUR_LABELS[f]).join(' or ')}, not “${flavour}”.`,
    );
  const model = REAL_MODELS[known].find((m: RealModel) => m.id === modelId);
  if (!model) throw new Error(`No model “${modelId}” for ${FLAVOUR_LABELS[known]}.`);
  return { flavour: known, model };
}

function header(experiment: Experiment, target: Target): CellDraft {
  const where =
    target.flavour === 'pytorch'
      ? 'plain PyTorch'
      : `${FLAVOUR_LABELS[target.flavour]} on ${target.model.label}`;
  const readings = experiment.readings.map((r) => `| ${r.label} | ${r.value} |`).join('\n');
  return markdown(`
# ${experiment.title}: from ${experiment.ranOn} to ${target.flavour === 'pytorch' ? 'a notebook' : 'a real model'}

Exported from Residual's widget **${experiment.title}** (${where}).

**What the widget did.** ${experiment.summary}

**What it measured on ${experiment.ranOn}:**

| reading | value |
| --- | --- |
${readings}

**What to expect here.** ${experiment.expectation}

*Not run by Residual:* the page wrote this notebook offline; it was never executed against the real
model (no GPU and no network where it was made). Numbers will differ from ${experiment.ranOn}'s; the
comparison is in the shape of the result.`);
}

/** The notebook for `experiment` on `target` (see resolveTarget). */
export function experimentNotebook(experiment: Experiment, target: Target): Notebook {
  const settings = `# The widget's experiment, exactly as it was when exported.\nEXPERIMENT = ${pyLiteral(experiment.settings as Record<string, never>)}`;
  const drafts: CellDraft[] = [
    header(experiment, target),
    code(installCell(target)),
    code(settings),
    code(loadCell(target)),
  ];
  if (target.flavour !== 'pytorch') drafts.push(code(POSITIONS_CELL));
  drafts.push(...experiment.body(target));
  return buildNotebook(drafts, {
    widget: experiment.widget,
    flavour: target.flavour,
    model: target.model.name,
    generator: 'Residual (offline, in the page)',
  });
}

/** The file name a download gets: `residual-<widget>-<flavour>-<model>.ipynb`. */
export function notebookFileName(experiment: Experiment, target: Target): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^-|-$/g, '');
  return `residual-${slug(experiment.widget)}-${target.flavour}-${slug(target.model.id)}.ipynb`;
}

export { FLAVOUR_LABELS, REAL_MODELS, type Flavour };
