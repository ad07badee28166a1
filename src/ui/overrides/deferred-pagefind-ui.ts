/**
 * Pagefind's UI (a Svelte app, the largest script on every page), built when the reader goes to
 * search rather than while every page loads.
 *
 * Starlight builds it from a requestIdleCallback without a timeout, which headless Chromium was
 * seen to hold back for good once the search dialog was open: the reader got an empty dialog. So
 * astro.config.mjs points Starlight's import of '@pagefind/default-ui' here, at a constructor that
 * does nothing, and Search.astro calls `buildSearchOnIntent`: the real UI, with the options
 * Starlight gives it, is built on the first sign of intent (pointer over, touch or focus on the
 * search button) or when the dialog opens (the button, Ctrl+K or ⌘K), and its input is focused.
 *
 * If it cannot be loaded (offline before it was ever cached, say) the dialog says so, with a Try
 * again button; reopening the dialog tries again too. Chromium keeps a failed module import for the
 * life of the page, so a retry asks for the module at a new address (the widgets' Retry does the
 * same: import-again.ts).
 */
import { pagefindUserConfig } from 'virtual:starlight/pagefind-config';
import { failedModuleUrl, importAgain } from '../../widgets/kit/import-again';
import { busyButton } from '../busy-button';

/** What Starlight's idle-time build constructs: nothing; `buildSearchOnIntent` builds instead. */
export class PagefindUI {
  constructor(options: unknown) {
    void options;
  }
}

type PagefindConstructor = new (options: Record<string, unknown>) => unknown;

interface PagefindUiModule {
  PagefindUI: PagefindConstructor;
}

/** The address whose import failed, and how many times it was asked for again since. */
let failedImport: { url: string; attempts: number } | null = null;

/** Pagefind's own UI module (not the alias: this path is left as it is). */
async function loadPagefindUi(): Promise<PagefindConstructor> {
  const failed = failedImport;
  try {
    const module: PagefindUiModule = failed
      ? await importAgain<PagefindUiModule>(failed.url, ++failed.attempts)
      : await import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs');
    return module.PagefindUI;
  } catch (error) {
    const url = failedModuleUrl(error);
    if (url && !failed) failedImport = { url, attempts: 0 };
    throw error;
  }
}

const HOST_ID = 'starlight__search';

const NOT_LOADED_MESSAGE = 'Search could not be loaded. Check the connection, then try again.';

/**
 * Builds the search UI inside Starlight's `<site-search>` element when the reader first shows
 * intent to search. Does nothing in `astro dev`, where Starlight shows a notice instead.
 */
export function buildSearchOnIntent(siteSearch: HTMLElement): void {
  const host = siteSearch.querySelector(`#${HOST_ID}`);
  const dialog = siteSearch.querySelector('dialog');
  const button = siteSearch.querySelector('button[data-open-modal]');
  if (!host || !dialog) return;
  let built = false;
  let loading: Promise<void> | null = null;
  const build = () => {
    if (built || loading) return;
    loading = loadPagefindUi()
      .then((Real) => {
        host.replaceChildren();
        new Real(starlightSearchOptions(siteSearch));
        built = true;
        if (dialog.open) dialog.querySelector('input')?.focus();
      })
      .catch((error: unknown) => {
        console.error('Residual: search could not be loaded.', error);
        sayNotLoaded(host, build);
      })
      .finally(() => {
        loading = null;
      });
  };
  for (const intent of ['pointerenter', 'touchstart', 'focus'] as const) {
    button?.addEventListener(intent, build, { passive: true });
  }
  new MutationObserver((_, observer) => {
    if (built) observer.disconnect();
    else if (dialog.open) build();
  }).observe(dialog, { attributes: true, attributeFilter: ['open'] });
  if (dialog.open) build();
}

/** The options Starlight's Search.astro passes to Pagefind's UI (Starlight 0.42). */
function starlightSearchOptions(siteSearch: HTMLElement): Record<string, unknown> {
  let translations: unknown = {};
  try {
    translations = JSON.parse(siteSearch.dataset['translations'] ?? '{}');
  } catch {
    // Starlight ignores unreadable translations too: Pagefind's English is the fallback.
  }
  const stripTrailingSlash = siteSearch.dataset['stripTrailingSlash'] !== undefined;
  const formatUrl = (url: string) =>
    stripTrailingSlash ? url.replace(/(.)\/(#.*)?$/, '$1$2') : url;
  const base = import.meta.env.BASE_URL;
  return {
    ...pagefindUserConfig,
    element: `#${HOST_ID}`,
    baseUrl: base,
    bundlePath: `${base.replace(/\/$/, '')}/pagefind/`,
    showImages: false,
    translations,
    showSubResults: true,
    processResult: (result: { url: string; sub_results: { url: string }[] }) => {
      result.url = formatUrl(result.url);
      for (const sub of result.sub_results) sub.url = formatUrl(sub.url);
    },
  };
}

/**
 * Puts the reason search is missing where its box would be, for readers and screen readers, with
 * a button that tries again (and keeps focus in the dialog while it does).
 */
function sayNotLoaded(host: Element, retry: () => void): void {
  const box = document.createElement('div');
  box.className = 'residual-search-unavailable';
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = NOT_LOADED_MESSAGE;
  const again = busyButton('Try again', 'Loading search…', retry);
  box.append(message, again);
  host.replaceChildren(box);
  if (host.closest('dialog')?.open) again.focus();
}
