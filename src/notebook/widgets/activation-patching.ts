/** The activation- and attribution-patching widgets' experiments: one prompt pair, every cell. */
import type { Experiment, Reading } from '../experiment';
import {
  attributionCells,
  PATCH_HOOKS,
  pairSettings,
  patchingCells,
  type PairShown,
} from './patching';
import { fixed, type TokenNames } from './shared';

/** The part of the widgets' PatchingMaps a notebook reports. */
export interface MapsShown {
  readonly clean: number;
  readonly corrupted: number;
  readonly families: readonly {
    readonly family: { readonly title: string };
    readonly grid: {
      readonly rows: readonly string[];
      readonly columns: readonly string[];
      readonly values: ArrayLike<number>;
    };
  }[];
}

/** The cell of each family whose patch moved the metric most, as readings. */
function strongestCells(maps: MapsShown, direction: 'denoise' | 'noise'): Reading[] {
  const base = direction === 'denoise' ? maps.corrupted : maps.clean;
  return maps.families.map(({ family, grid }) => {
    let best = 0;
    for (let k = 1; k < grid.values.length; k++)
      if (Math.abs(grid.values[k]! - base) > Math.abs(grid.values[best]! - base)) best = k;
    const width = grid.columns.length;
    const where = `${grid.rows[Math.floor(best / width)] ?? ''} at ${grid.columns[best % width] ?? ''}`;
    return {
      label: `${family.title}: strongest cell`,
      value: `${where} → ${fixed(grid.values[best] ?? NaN)}`,
    };
  });
}

function readings(maps: MapsShown | null, direction: 'denoise' | 'noise'): Reading[] {
  if (!maps) return [];
  return [
    {
      label: 'metric on the clean / corrupted prompt',
      value: `${fixed(maps.clean)} / ${fixed(maps.corrupted)}`,
    },
    {
      label: 'direction',
      value:
        direction === 'denoise'
          ? 'denoise (clean patched into corrupted)'
          : 'noise (corrupted patched into clean)',
    },
    ...strongestCells(maps, direction),
  ];
}

const PATCHING_EXPECTATION =
  'On GPT-2 small with an IOI pair (Wang et al., 2022), patching the residual stream moves the answer from the names’ positions to the last position across the middle layers; among the heads, the name movers (layers 9–10) and S-inhibition heads (7–8) stand out. Twelve layers spread the same pattern that tiny-lm shows in four. Where the real tokenizer splits a word into several tokens, the notebook reads the widget’s position at the word’s last token.';

/** Activation patching of the widget's pair, in every family, in its direction. */
export function activationPatchingExperiment(
  pair: PairShown,
  tokenizer: TokenNames,
  direction: 'denoise' | 'noise',
  maps: MapsShown | null,
): Experiment {
  return {
    widget: 'activation-patching',
    title: 'Activation patching',
    summary: `Patched each activation of tiny-lm between “${pair.cleanText}” and “${pair.corruptedText}” (${direction}), one cell at a time: the residual stream, attention and MLP outputs at every position, and every head.`,
    ranOn: 'tiny-lm',
    settings: pairSettings(pair, tokenizer, direction),
    hooks: PATCH_HOOKS,
    flavours: ['transformerlens', 'nnsight'],
    readings: readings(maps, direction),
    expectation: PATCHING_EXPECTATION,
    body: patchingCells,
  };
}

/** Attribution patching of the same cells, compared with true patching. */
export function attributionPatchingExperiment(
  pair: PairShown,
  tokenizer: TokenNames,
  direction: 'denoise' | 'noise',
  maps: MapsShown | null,
  correlation: number | null,
): Experiment {
  return {
    widget: 'attribution-patching',
    title: 'Attribution patching',
    summary: `Estimated every patch of tiny-lm between “${pair.cleanText}” and “${pair.corruptedText}” (${direction}) from one forward and backward pass, and compared the estimates with true activation patching.`,
    ranOn: 'tiny-lm',
    settings: pairSettings(pair, tokenizer, direction),
    hooks: PATCH_HOOKS,
    flavours: ['transformerlens', 'nnsight'],
    readings: [
      ...(correlation === null
        ? []
        : [{ label: 'correlation with true patching', value: `r = ${fixed(correlation, 3)}` }]),
      ...readings(maps, direction),
    ],
    expectation:
      'Attribution patching is a linear approximation: on GPT-2 small it tracks true patching well for small, local patches (attention and MLP outputs, heads) and worst for the residual stream at early layers, where one patch changes much downstream (Neel Nanda, “Attribution Patching: Activation Patching At Industrial Scale”, 2023). Expect a lower correlation than tiny-lm’s on the residual stream and a good one on heads.',
    body: attributionCells,
  };
}
