/**
 * What a widget hands to the notebook export: its current experiment, as data. The generator
 * (generate.ts) turns it into a notebook for a chosen flavour and model. Pure types and tables.
 */
import type { ModelFamily } from '../ml/hook-sites';
import type { CellDraft } from './nbformat';

/** How the notebook runs the experiment. */
export type Flavour = 'transformerlens' | 'nnsight' | 'pytorch';

export const FLAVOUR_LABELS: Record<Flavour, string> = {
  transformerlens: 'TransformerLens',
  nnsight: 'nnsight',
  pytorch: 'Plain PyTorch',
};

/** A real model a notebook can run on. */
export interface RealModel {
  readonly id: string;
  /** How the menu names it. */
  readonly label: string;
  /** The name the library loads it by. */
  readonly name: string;
  readonly family: ModelFamily;
  /** nnsight only: run on NDIF (`remote=True`) rather than locally. */
  readonly remote: boolean;
}

/** Models offered per flavour; the first is the default. */
export const REAL_MODELS: Record<Flavour, readonly RealModel[]> = {
  transformerlens: [
    {
      id: 'gpt2-small',
      label: 'GPT-2 small (124M)',
      name: 'gpt2-small',
      family: 'gpt2',
      remote: false,
    },
    {
      id: 'gpt2-medium',
      label: 'GPT-2 medium (355M)',
      name: 'gpt2-medium',
      family: 'gpt2',
      remote: false,
    },
  ],
  nnsight: [
    {
      id: 'gpt2',
      label: 'GPT-2 small, local',
      name: 'openai-community/gpt2',
      family: 'gpt2',
      remote: false,
    },
    {
      id: 'llama-3.1-8b',
      label: 'Llama 3.1 8B on NDIF (remote)',
      name: 'meta-llama/Meta-Llama-3.1-8B',
      family: 'llama',
      remote: true,
    },
  ],
  pytorch: [
    {
      id: 'toy',
      label: 'The widget’s own model, retrained',
      name: 'toy',
      family: 'gpt2',
      remote: false,
    },
  ],
};

/** JSON values that go into the notebook's settings cell. */
export type Setting =
  string | number | boolean | null | readonly Setting[] | { readonly [key: string]: Setting };

/** What the widget measured on its own model, shown beside what to expect. */
export interface Reading {
  readonly label: string;
  readonly value: string;
}

/** Everything the code cells of one flavour need. */
export interface Target {
  readonly flavour: Flavour;
  readonly model: RealModel;
}

/**
 * A widget's current experiment. `settings` is written into the notebook verbatim (a Python dict
 * named EXPERIMENT) and is what the code reads; `hooks` lists the TransformerLens hook names the
 * code touches (each must be in src/ml's name map for the nnsight flavour).
 */
export interface Experiment {
  readonly widget: string;
  readonly title: string;
  /** One or two sentences: what the widget did. */
  readonly summary: string;
  /** The model the widget ran on ("tiny-lm", "attn-only-2l", "a toy model trained in the page"). */
  readonly ranOn: string;
  readonly settings: Readonly<Record<string, Setting>>;
  readonly hooks: readonly string[];
  readonly flavours: readonly Flavour[];
  readonly readings: readonly Reading[];
  /** What the real model should show, with sources where a paper measured it. */
  readonly expectation: string;
  /** The cells that load nothing and compute the experiment (after setup and settings). */
  readonly body: (target: Target) => CellDraft[];
}
