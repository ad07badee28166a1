/**
 * Wires the illusion markup to tiny-lm: cuts the two text distributions into windows, reads every
 * MLP neuron's activations on them through src/ml (one batched call per distribution, all layers'
 * mlp.hook_post at once), then shows the selected neuron's top contexts on each side. Loaded by
 * the widget shell when the reader scrolls to the figure.
 */
import type { HookedModel, Tensor } from '../../ml';
import { chartColors, onThemeChange } from '../kit/chart-theme';
import type { WidgetContext } from '../kit/types';
import { loadTinyLmFor } from '../tiny-lm-experiments/load';
import { topContextItem } from '../kit/top-contexts';
import { part, showTiming } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { activationHistograms } from './charts';
import {
  firingTokens,
  pooledShare,
  rankByIllusion,
  twoFaces,
  unitValues,
  windowsOf,
  type TopContext,
  type TwoFaces,
} from './max-activation';
import texts from './texts.json';

import { maxActivationExperiment } from '../../notebook/widgets/max-activation-illusion';

/** Tokens per window (bos + 31 words): long enough for a sentence of context, one batch each. */
const WINDOW = 32;
/** Top contexts shown per distribution. */
const TOP = 8;
/** Context shown before and after the peak token, with "…" where it is cut. */
const CONTEXT_LIST = { before: 10, after: 3, valueClass: 'mai__value', ellipsis: true } as const;

const SIDES = [
  { key: 'news', label: 'news-like text' },
  { key: 'story', label: 'story-like text' },
] as const;

type Side = { windows: number[][]; cache: ReadonlyMap<string, Tensor> };

function documentsOf(json: unknown, key: string): string[] {
  const docs = (json as { distributions?: Record<string, unknown> }).distributions?.[key];
  if (!Array.isArray(docs) || !docs.every((d) => typeof d === 'string')) {
    throw new Error(`texts.json lacks the ${key} distribution`);
  }
  return docs as string[];
}

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const model: HookedModel = await loadTinyLmFor(context);
  const { tokenizer } = model;
  const hooks = model.blockHooks('mlp.hook_post');
  const mlpWidth = model.config.d_mlp;
  if (mlpWidth === null) {
    throw new Error(`${model.manifest.name} has no MLP layers, so it has no neurons to show.`);
  }
  const width: number = mlpWidth;

  const sides: Side[] = [];
  for (const { key, label } of SIDES) {
    const documents = documentsOf(texts, key).map((text) => tokenizer.encode(text));
    const windows = windowsOf(documents, Math.min(WINDOW, model.config.n_ctx), tokenizer.bosId);
    context.progress({ fraction: null, label: `Reading every neuron on the ${label}` });
    const { cache } = await model.runWithCache(windows, hooks);
    sides.push({ windows, cache });
  }
  if (signal.aborted) return;

  const form = part<HTMLFormElement>(root, '[data-mai="controls"]');
  const layerSelect = part<HTMLSelectElement>(form, 'select[name="layer"]');
  const neuronInput = part<HTMLInputElement>(form, 'input[name="neuron"]');
  const summary = part<HTMLElement>(root, '[data-mai="summary"]');
  const prediction = predictionIn(root, signal);
  const histogram = part<HTMLElement>(root, '[data-chart="histogram"]');
  const columns = SIDES.map(({ key }) => ({
    reading: part<HTMLElement>(root, `[data-mai="reading-${key}"]`),
    list: part<HTMLOListElement>(root, `[data-mai="contexts-${key}"]`),
  }));

  layerSelect.replaceChildren(
    ...hooks.map((_, layer) =>
      Object.assign(document.createElement('option'), {
        value: String(layer),
        textContent: `${layer} (MLP)`,
      }),
    ),
  );
  neuronInput.max = String(width - 1);

  const side = (s: number, layer: number) => ({
    acts: sides[s]!.cache.get(hooks[layer]!)!,
    windows: sides[s]!.windows,
  });
  const rankings = new Map<number, TwoFaces[]>();
  const ranking = (layer: number) => {
    let ranked = rankings.get(layer);
    if (!ranked) {
      ranked = rankByIllusion(side(0, layer), side(1, layer), TOP);
      rankings.set(layer, ranked);
    }
    return ranked;
  };

  // Start in the last MLP layer, the most processed one, on its most convincing two-faced neuron.
  const best = { layer: hooks.length - 1, unit: ranking(hooks.length - 1)[0]!.unit };
  layerSelect.value = String(best.layer);
  neuronInput.value = String(best.unit);

  const tokenText = (id: number) => tokenizer.tokens([id])[0] ?? '?';

  function contextItem(s: number, found: TopContext): HTMLLIElement {
    const ids = sides[s]!.windows[found.window]!;
    const item = topContextItem(tokenizer, { ...found, ids }, CONTEXT_LIST);
    item.dataset['window'] = String(found.window);
    item.dataset['position'] = String(found.position);
    return item;
  }

  /** "fires on: percent (3), Friday (2)" — what a reader would call the neuron from one side. */
  function reading(s: number, contexts: readonly TopContext[]): string {
    const tokens = firingTokens(contexts, sides[s]!.windows).slice(0, 3);
    return tokens.map(({ token, count }) => `“${tokenText(token)}” ×${count}`).join(', ');
  }

  function selected(): { layer: number; unit: number } | null {
    const layer = Number(layerSelect.value);
    const unit = neuronInput.valueAsNumber;
    if (!Number.isInteger(unit) || unit < 0 || unit >= width) return null;
    return { layer, unit };
  }

  function draw(): void {
    const choice = selected();
    if (!choice) return;
    histogram.replaceChildren(
      activationHistograms(
        SIDES.map(({ label }, s) => ({
          name: label,
          values: unitValues(side(s, choice.layer).acts, choice.unit),
        })),
        Math.min(760, Math.max(300, histogram.clientWidth || 640)),
        chartColors(),
      ),
    );
  }

  function show(): void {
    const choice = selected();
    if (!choice) {
      summary.textContent = `Choose a neuron from 0 to ${width - 1}.`;
      return;
    }
    const { layer, unit } = choice;
    const faces = twoFaces(unit, side(0, layer), side(1, layer), TOP);
    const lists = [faces.first, faces.second];
    lists.forEach((contexts, s) => {
      const column = columns[s]!;
      column.reading.textContent = `Fires on ${reading(s, contexts)}`;
      column.list.replaceChildren(...contexts.map((found) => contextItem(s, found)));
    });
    const [topA, topB] = lists.map((contexts, s) => firingTokens(contexts, sides[s]!.windows)[0]);
    const pooled = pooledShare(faces.first, faces.second, TOP);
    const rank = ranking(layer).findIndex((f) => f.unit === unit);
    root.dataset['layer'] = String(layer);
    root.dataset['neuron'] = String(unit);
    summary.dataset['overlap'] = faces.tokenOverlap.toFixed(3);
    const overlap = faces.tokenOverlap;
    prediction.answer(
      {
        kind: 'choice',
        value: overlap >= 0.5 ? 'most' : overlap > 0 ? 'some' : 'none',
        label: `${Math.round(overlap * 100)}% of the firing tokens in common`,
      },
      'Top-activating examples describe a neuron only on the text they were drawn from; on another kind of text the same neuron can fire for something else.',
    );
    summary.textContent =
      `Neuron ${unit} of layer ${layer}: on news it looks like a detector of “${topA ? tokenText(topA.token) : '?'}”, ` +
      `on stories a detector of “${topB ? tokenText(topB.token) : '?'}”` +
      (faces.tokenOverlap === 0
        ? ', with no token in common between the two top lists. '
        : ` (${Math.round(faces.tokenOverlap * 100)}% of the tokens in common). `) +
      `Pooled, its top ${TOP} are ${pooled.first} news and ${pooled.second} story contexts.`;
    showTiming(
      root,
      `Neuron ${rank + 1} of ${width} in layer ${layer} by how different its two faces look · ${sides[0]!.windows.length} + ${sides[1]!.windows.length} windows of ${sides[0]!.windows[0]!.length} tokens.`,
    );
    const shown = {
      sides: SIDES.map((s) => ({ ...s, documents: documentsOf(texts, s.key) })),
      layer,
      unit,
      nLayers: hooks.length,
      summary: summary.textContent,
      window: WINDOW,
      top: TOP,
    };
    context.offerNotebook(() => maxActivationExperiment(shown));
    draw();
  }

  function step(by: 1 | -1): void {
    const choice = selected() ?? { layer: Number(layerSelect.value), unit: 0 };
    const ranked = ranking(choice.layer);
    const at = ranked.findIndex((f) => f.unit === choice.unit);
    const next = Math.min(ranked.length - 1, Math.max(0, at + by));
    neuronInput.value = String(ranked[next]!.unit);
    show();
  }

  form.addEventListener('submit', (event) => event.preventDefault(), { signal });
  layerSelect.addEventListener(
    'change',
    () => {
      neuronInput.value = String(ranking(Number(layerSelect.value))[0]!.unit);
      show();
    },
    { signal },
  );
  neuronInput.addEventListener('input', show, { signal });
  part<HTMLButtonElement>(form, '[data-action="previous"]').addEventListener(
    'click',
    () => step(-1),
    { signal },
  );
  part<HTMLButtonElement>(form, '[data-action="next"]').addEventListener('click', () => step(1), {
    signal,
  });
  onThemeChange(draw, signal);
  show();
  requestAnimationFrame(() => {
    if (!signal.aborted) draw();
  });
}
