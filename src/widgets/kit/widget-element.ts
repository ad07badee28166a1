/**
 * <residual-widget>: the frame's behaviour, and the only widget JavaScript a chapter page loads
 * eagerly. It waits until the frame nears the viewport, then imports the widget's client module,
 * shows progress while the module mounts, and an error with Retry if anything fails.
 *
 * A widget's client module is registered by id, `registerWidget(id, () => import(…))`;
 * widget-clients.ts does it for every `<id>.client.ts`.
 *
 * State is mirrored in `data-state` on the element: idle → loading → ready | error.
 */
import { withBase } from '../../content/base';
import { failedModuleUrl, importAgain } from './import-again';
import {
  BACKEND_LABELS,
  type ComputeBackend,
  type WidgetContext,
  type WidgetLoader,
  type WidgetModule,
  type WidgetProgress,
} from './types';
import type { Experiment } from '../../notebook/experiment';

type WidgetState = 'idle' | 'loading' | 'ready' | 'error';

/** Words for src/ml's load stages, shown when a widget passes its LoadProgress straight through. */
const STAGE_LABELS: Record<string, string> = {
  manifest: 'Reading the model manifest',
  download: 'Downloading the model',
  session: 'Starting the model runtime',
  ready: 'Almost ready',
};

/**
 * The notebook export's code (the generator): never part of the page's first load, fetched when a
 * widget starts loading, so that it is usually there when the widget offers a notebook and the
 * form appears with the widget rather than a moment later.
 */
let notebookExportModule: Promise<typeof import('./notebook-export')> | null = null;
const notebookExport = () => (notebookExportModule ??= import('./notebook-export'));

const loaders = new Map<string, WidgetLoader>();
const waiting = new Map<
  string,
  { resolve: (loader: WidgetLoader) => void; reject: () => void }[]
>();
let registrationClosed = false;

/** The error a frame shows when no client module is registered under its id. */
function missingClient(id: string): Error {
  return new Error(
    `no client module is registered for "${id}" (src/widgets/${id}/${id}.client.ts)`,
  );
}

function loaderFor(id: string): Promise<WidgetLoader> {
  const known = loaders.get(id);
  if (known) return Promise.resolve(known);
  if (registrationClosed) return Promise.reject(missingClient(id));
  return new Promise((resolve, reject) =>
    waiting.set(id, [
      ...(waiting.get(id) ?? []),
      { resolve, reject: () => reject(missingClient(id)) },
    ]),
  );
}

function defineElement(): void {
  if (!customElements.get('residual-widget'))
    customElements.define('residual-widget', ResidualWidget);
}

/** Registers a widget's lazy client module under its id (the frame's `data-widget`). */
export function registerWidget(id: string, loader: WidgetLoader): void {
  loaders.set(id, loader);
  for (const { resolve } of waiting.get(id) ?? []) resolve(loader);
  waiting.delete(id);
  defineElement();
}

/**
 * Says that every client module is registered (widget-clients.ts calls it after registering
 * them all). From then on a frame whose id has no client shows an error with Retry instead of
 * waiting on "Loading…" for a module that will never come.
 */
export function closeRegistration(): void {
  registrationClosed = true;
  for (const entries of waiting.values()) for (const { reject } of entries) reject();
  waiting.clear();
  defineElement();
}

/**
 * Whether a model file could not be fetched (src/ml's ModelFileMissingError, here or as a cause),
 * checked by name so that this eager module does not import src/ml.
 */
function isMissingModelFile(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause)
    if (e.name === 'ModelFileMissingError') return true;
  return false;
}

/** Where a reader makes every widget's files available offline (the Progress page). */
function offlineControlsHref(): string {
  return withBase('/progress/#offline');
}

/** A readable one-line message for any thrown value. */
function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

class ResidualWidget extends HTMLElement {
  private observer: IntersectionObserver | null = null;
  private controller: AbortController | null = null;
  private pristine: Node[] = [];
  private notebookOffered = false;
  /** The mounted widget's latest description of its experiment (context.offerNotebook). */
  private describe: (() => Experiment) | null = null;
  /** The client module's address after its import failed, and the imports tried since. */
  private failedImport: { url: string; attempts: number } | null = null;

  private shellPart<T extends HTMLElement>(name: string): T {
    const element = this.querySelector<T>(`[data-shell="${name}"]`);
    if (!element) throw new Error(`residual-widget: missing [data-shell="${name}"]`);
    return element;
  }

  // Defined from a module script, which runs after the document is parsed: the frame's children
  // are all there when this runs.
  connectedCallback(): void {
    const body = this.shellPart('body');
    if (this.pristine.length === 0)
      this.pristine = [...body.childNodes].map((n) => n.cloneNode(true));
    this.shellPart<HTMLButtonElement>('retry').onclick = () => void this.load();
    if (!('IntersectionObserver' in window)) {
      void this.load();
      return;
    }
    // Start a little before the frame is on screen, so that it is usually ready when seen.
    this.observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        this.observer?.disconnect();
        void this.load();
      },
      { rootMargin: '300px 0px' },
    );
    this.observer.observe(this);
  }

  disconnectedCallback(): void {
    this.observer?.disconnect();
    this.controller?.abort();
  }

  private setState(state: WidgetState): void {
    this.dataset['state'] = state;
    // The body keeps its place while hidden (visibility, not display), so the frame keeps its size.
    const body = this.shellPart('body');
    body.inert = state !== 'ready';
    body.style.visibility = state === 'ready' ? '' : 'hidden';
    this.shellPart('status').hidden = state === 'ready';
    this.shellPart('retry').hidden = state !== 'error';
    this.shellPart('progress').hidden = state !== 'loading';
    this.showNotebook();
  }

  /** The notebook export shows once the widget is ready and has described its experiment. */
  private showNotebook(): void {
    const form = this.querySelector<HTMLElement>('[data-shell="notebook"]');
    if (form) form.hidden = !(this.notebookOffered && this.dataset['state'] === 'ready');
  }

  private showProgress(update: WidgetProgress): void {
    const bar = this.shellPart<HTMLProgressElement>('progress');
    const fraction = update.fraction;
    if (fraction === null || fraction === undefined) bar.removeAttribute('value');
    else bar.value = Math.min(1, Math.max(0, fraction));
    const label = update.label ?? (update.stage && (STAGE_LABELS[update.stage] ?? update.stage));
    const percent =
      fraction === null || fraction === undefined ? '' : ` ${Math.round(fraction * 100)}%`;
    if (label) this.shellPart('message').textContent = `${label}…${percent}`;
  }

  private showError(error: unknown, whileLoading: boolean): void {
    this.controller?.abort();
    this.setState('error');
    const message = this.shellPart('message');
    const what = whileLoading ? 'could not load' : 'stopped';
    message.textContent = `This figure ${what}: ${messageOf(error)}`;
    if (isMissingModelFile(error)) {
      // Offline before the model was ever downloaded: say what would help, not just what failed.
      const link = document.createElement('a');
      link.href = offlineControlsHref();
      link.textContent = 'Make widgets available offline';
      message.append(
        '. This browser has no copy of it yet: retry when you are online, or, before going offline, use “',
        link,
        '” on the Progress page.',
      );
    }
    message.setAttribute('role', 'alert');
    console.error(`[${this.dataset['widget']}]`, error);
  }

  /**
   * The frame's reserved height fits the figure as first shown; once the reader acts inside it,
   * what they choose may be shorter, so the reservation goes (a shift right after input is not
   * counted as layout shift).
   */
  private releaseReserveOnInput(signal: AbortSignal): void {
    const release = () => {
      this.dataset['reserve'] = 'released';
    };
    for (const type of ['pointerdown', 'keydown'])
      this.shellPart('body').addEventListener(type, release, { once: true, signal });
  }

  /**
   * A chart or table wider than its slot scrolls inside it; such a slot must be reachable by
   * keyboard to be scrolled (axe: scrollable-region-focusable). Checked whenever one is redrawn.
   */
  private focusScrollingCharts(signal: AbortSignal): void {
    const body = this.shellPart('body');
    let queued = false;
    const check = () => {
      queued = false;
      for (const slot of body.querySelectorAll<HTMLElement>('[data-chart], [data-table]')) {
        const scrolls = slot.scrollWidth > slot.clientWidth + 1;
        if (scrolls && !slot.hasAttribute('tabindex')) {
          slot.tabIndex = 0;
          slot.dataset['scrollFocus'] = 'added';
          if (!slot.hasAttribute('role')) slot.setAttribute('role', 'region');
          if (!slot.hasAttribute('aria-label')) {
            const caption = (
              slot.closest('figure')?.querySelector('figcaption') ?? slot.querySelector('caption')
            )?.textContent;
            const fallback = slot.matches('[data-table]') ? 'Table' : 'Chart';
            slot.setAttribute('aria-label', `${caption?.trim() || fallback} (scrolls sideways)`);
          }
        } else if (!scrolls && slot.dataset['scrollFocus'] === 'added') {
          slot.removeAttribute('tabindex');
          delete slot.dataset['scrollFocus'];
        }
      }
    };
    const observer = new MutationObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(check);
    });
    observer.observe(body, { childList: true, subtree: true });
    signal.addEventListener('abort', () => observer.disconnect(), { once: true });
    check();
  }

  /** The widget's client module; after a failed import, from a new address (import-again.ts). */
  private async importClient(id: string): Promise<WidgetModule> {
    const loader = await loaderFor(id);
    const failed = this.failedImport;
    try {
      return failed
        ? await importAgain<WidgetModule>(failed.url, ++failed.attempts)
        : await loader();
    } catch (error) {
      const url = failedModuleUrl(error);
      if (url && !failed) this.failedImport = { url, attempts: 0 };
      throw error;
    }
  }

  /** Imports the client module and mounts it on fresh markup; run again by Retry. */
  async load(): Promise<void> {
    const id = this.dataset['widget'] ?? '';
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const body = this.shellPart('body');
    body.replaceChildren(...this.pristine.map((node) => node.cloneNode(true)));
    this.shellPart('message').removeAttribute('role');
    this.notebookOffered = false;
    this.describe = null;
    this.setState('loading');
    void notebookExport().catch(() => (notebookExportModule = null));
    this.showProgress({ fraction: null, label: 'Loading the figure' });

    const context: WidgetContext = {
      root: body,
      signal: controller.signal,
      progress: (update) => {
        if (!controller.signal.aborted) this.showProgress(update);
      },
      setBackend: (backend: ComputeBackend) => {
        const slot = this.shellPart('backend');
        slot.textContent = BACKEND_LABELS[backend];
        slot.closest<HTMLElement>('[data-shell="backend-line"]')?.removeAttribute('hidden');
        this.dataset['backend'] = backend;
      },
      fail: (error) => {
        if (!controller.signal.aborted) this.showError(error, this.dataset['state'] === 'loading');
      },
      offerNotebook: (describe) => {
        const first = this.describe === null;
        this.describe = describe;
        const form = this.querySelector<HTMLFormElement>('[data-shell="notebook"]');
        if (!first || !form) return;
        void notebookExport()
          .then(({ wireNotebookExport }) => {
            if (controller.signal.aborted) return;
            wireNotebookExport(form, () => this.describe!(), controller.signal);
            this.notebookOffered = true;
            this.showNotebook();
          })
          .catch((error: unknown) => console.error('notebook export', error));
      },
    };

    try {
      const module = await this.importClient(id);
      await module.mount(context);
      if (!controller.signal.aborted) {
        this.setState('ready');
        this.releaseReserveOnInput(controller.signal);
        this.focusScrollingCharts(controller.signal);
      }
    } catch (error) {
      if (!controller.signal.aborted) this.showError(error, true);
    }
  }
}
