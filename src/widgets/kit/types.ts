/**
 * The contract between the widget shell and a widget's client module. Types only: importing this
 * file costs no JavaScript.
 */
import type { Experiment } from '../../notebook/experiment';

/** Where a widget computes. Shown to the reader in the widget's frame. */
export type ComputeBackend = 'webgpu' | 'wasm' | 'cpu';

/** The words the frame shows for each backend. */
export const BACKEND_LABELS: Record<ComputeBackend, string> = {
  webgpu: 'WebGPU',
  wasm: 'WASM',
  cpu: 'CPU (JS)',
};

/**
 * Loading progress. `fraction` in [0, 1], or null when the total is unknown (an indeterminate bar).
 * src/ml's LoadProgress ({ stage, fraction }) fits as it is.
 */
export interface WidgetProgress {
  readonly fraction?: number | null;
  /** What is happening, in a few words ("Downloading tiny-lm", "Training"). */
  readonly label?: string;
  /** src/ml's load stage, used as the label when no label is given. */
  readonly stage?: string;
}

/** What the shell hands to a widget's `mount`. */
export interface WidgetContext {
  /** The widget's own markup (its Astro component's content), fresh on every mount. */
  readonly root: HTMLElement;
  /** Aborted when the widget is mounted again (Retry) or removed from the page. */
  readonly signal: AbortSignal;
  /** Updates the loading bar while `mount` has not yet resolved. */
  progress(update: WidgetProgress): void;
  /** Shows where the widget computes ('webgpu' | 'wasm' | 'cpu'). */
  setBackend(backend: ComputeBackend): void;
  /** Shows an error with a Retry button after mounting (e.g. a model that fails later). */
  fail(error: unknown): void;
  /**
   * Offers "Run this on a real model": `describe` returns the widget's current experiment (called
   * when the reader downloads, so it is the experiment as it is then). See src/notebook.
   */
  offerNotebook(describe: () => Experiment): void;
}

/**
 * A widget's client module (loaded with a dynamic import when the reader scrolls to it). `mount`
 * wires up the markup; while its promise is pending the shell shows the loading state, a rejection
 * shows the error with Retry.
 */
export interface WidgetModule {
  mount(context: WidgetContext): void | Promise<void>;
}

/** `() => import('./client')`: the dynamic import that keeps a widget out of the page's first load. */
export type WidgetLoader = () => Promise<WidgetModule>;
