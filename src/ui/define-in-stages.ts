/**
 * A card page's custom element, defined once its code is imported in stages, the main thread given
 * back between them. Evaluating a module runs every module it imports that has not run yet, in one
 * task: a card page's whole graph (Dexie, the scheduler, the schemas, the page's own code) took
 * 60–100 ms here, a long task of a quarter of a second or more on a slow phone, during which a tap
 * waits. Importing its heaviest parts first, one stage at a time, cuts that task into shorter
 * ones; the element is the same. If the code cannot be loaded (offline before the site was saved,
 * a failed download), the element says so instead of staying silent.
 */
import { yieldToMain } from '../storage/slices';
import { whenNear } from './when-near';

/** The heaviest modules the card pages share: Dexie, then ts-fsrs with the schemas. */
export const CARD_PAGE_STAGES: readonly (() => Promise<unknown>)[] = [
  () => import('../storage/open'),
  () => import('../srs/scheduler'),
];

export const LOAD_FAILED =
  'This part of the page could not be loaded. Check the connection, then reload the page.';

export interface StagesOptions {
  /**
   * For a part of the page below the first screen: load nothing until the first element comes
   * within this margin of the screen or takes focus (whenNear), so that its code, its database
   * reads and its checks do not share the page's first second with what the reader sees first.
   */
  readonly near?: string;
}

export async function defineInStages(
  tag: string,
  load: () => Promise<CustomElementConstructor>,
  stages: readonly (() => Promise<unknown>)[] = CARD_PAGE_STAGES,
  options: StagesOptions = {},
): Promise<void> {
  const { near } = options;
  const host = near === undefined ? null : document.querySelector<HTMLElement>(tag);
  if (host && near !== undefined)
    await new Promise<void>((resolve) => whenNear(host, near, resolve));
  let element: CustomElementConstructor;
  try {
    for (const stage of stages) {
      await stage();
      await yieldToMain();
    }
    element = await load();
  } catch {
    for (const host of document.querySelectorAll<HTMLElement>(tag)) showLoadFailed(host);
    return;
  }
  customElements.define(tag, element);
}

/** The message, with a reload button, where the element's content would be; nothing says "loading". */
function showLoadFailed(host: HTMLElement): void {
  const message = document.createElement('div');
  message.className = 'residual-load-failed';
  message.setAttribute('role', 'alert');
  const text = document.createElement('p');
  text.textContent = LOAD_FAILED;
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.textContent = 'Reload page';
  reload.addEventListener('click', () => location.reload());
  message.append(text, reload);
  host.prepend(message);
  host.removeAttribute('aria-busy');
  for (const loading of host.querySelectorAll<HTMLElement>('[data-loading]')) loading.hidden = true;
}
