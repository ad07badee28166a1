/**
 * Wires the "Run this on a real model" form (NotebookExport.astro) to a widget's experiment:
 * fills the library and model menus, and on submit writes the notebook in the page and downloads
 * it. Imported lazily by widget-element.ts the first time a widget offers a notebook.
 */
import type { Experiment, Flavour } from '../../notebook/experiment';
import {
  experimentNotebook,
  FLAVOUR_LABELS,
  notebookFileName,
  REAL_MODELS,
  resolveTarget,
} from '../../notebook/generate';
import { notebookText } from '../../notebook/nbformat';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function field<T extends HTMLElement>(form: HTMLElement, name: string): T {
  const element = form.querySelector<T>(`[data-notebook="${name}"]`);
  if (!element) throw new Error(`notebook export: missing [data-notebook="${name}"]`);
  return element;
}

function fill(
  select: HTMLSelectElement,
  options: readonly { value: string; text: string }[],
): void {
  const keep = select.value;
  select.replaceChildren(
    ...options.map(({ value, text }) =>
      Object.assign(document.createElement('option'), { value, text }),
    ),
  );
  if (options.some((o) => o.value === keep)) select.value = keep;
}

/** Saves `text` as a file named `name` through a temporary link (no server involved). */
function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ipynb+json' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Shows the form for `describe` (called at download time, so the notebook is the experiment as it
 * is then). Listeners end with `signal`.
 */
export function wireNotebookExport(
  form: HTMLFormElement,
  describe: () => Experiment,
  signal: AbortSignal,
): void {
  const flavourSelect = field<HTMLSelectElement>(form, 'flavour');
  const modelSelect = field<HTMLSelectElement>(form, 'model');
  const message = field<HTMLElement>(form, 'message');
  let flavours: readonly Flavour[] = ['transformerlens', 'nnsight'];
  try {
    flavours = describe().flavours;
  } catch (error) {
    // Say why now; the reader may change the experiment, and the next download describes it again.
    message.textContent = `No notebook of this experiment yet: ${messageOf(error)}`;
  }
  fill(
    flavourSelect,
    flavours.map((f) => ({ value: f, text: FLAVOUR_LABELS[f] })),
  );
  const fillModels = () => {
    const flavour = flavours.find((f) => f === flavourSelect.value) ?? flavours[0]!;
    fill(
      modelSelect,
      REAL_MODELS[flavour].map((m) => ({ value: m.id, text: m.label })),
    );
  };
  fillModels();
  flavourSelect.addEventListener('change', fillModels, { signal });
  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      try {
        const experiment = describe();
        const target = resolveTarget(experiment, flavourSelect.value, modelSelect.value);
        const name = notebookFileName(experiment, target);
        download(notebookText(experimentNotebook(experiment, target)), name);
        message.textContent = `Downloaded ${name}.`;
      } catch (error) {
        message.textContent = `No notebook: ${messageOf(error)}`;
      }
    },
    { signal },
  );
}
