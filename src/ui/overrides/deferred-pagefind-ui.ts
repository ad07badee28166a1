/**
 * Starlight's search builds Pagefind's UI (a Svelte app, the largest script on every page) as
 * soon as the page is idle. On a phone that is a long task while the page is still loading, paid
 * on every page whether or not the reader searches. astro.config.mjs points Starlight's import of
 * '@pagefind/default-ui' here: the same constructor, which loads and builds the real UI when the
 * reader shows intent to search (pointer over, touch or focus on the search button) or opens the
 * search dialog (the button, Ctrl+K or ⌘K), and then focuses its input.
 */

interface PagefindOptions {
  /** The selector of the element the UI is built in (Starlight: '#starlight__search'). */
  element?: string;
  [option: string]: unknown;
}

type PagefindConstructor = new (options: PagefindOptions) => unknown;

/** Pagefind's own UI module (not the alias: this path is left as it is). */
const loadPagefindUi = async (): Promise<PagefindConstructor> =>
  (await import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs')).PagefindUI;

export class PagefindUI {
  constructor(options: PagefindOptions) {
    const host = document.querySelector(options.element ?? '[data-pagefind-ui]');
    const dialog = host?.closest('dialog') ?? null;
    const button = document.querySelector<HTMLButtonElement>('button[data-open-modal]');
    let built: Promise<void> | null = null;
    const build = (): Promise<void> =>
      (built ??= loadPagefindUi().then(
        (Real) => {
          new Real(options);
          if (dialog?.open) dialog.querySelector('input')?.focus();
        },
        () => {
          // Not loaded (offline before it was ever cached, say): the next intent tries again.
          built = null;
        },
      ));
    if (!dialog || dialog.open) {
      void build();
      return;
    }
    for (const intent of ['pointerenter', 'touchstart', 'focus'] as const) {
      button?.addEventListener(intent, () => void build(), { once: true, passive: true });
    }
    new MutationObserver((_, observer) => {
      if (!dialog.open) return;
      observer.disconnect();
      void build();
    }).observe(dialog, { attributes: true, attributeFilter: ['open'] });
  }
}
