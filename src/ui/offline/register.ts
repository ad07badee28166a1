/**
 * Service worker registration and the update flow. A new version installs in the background and
 * waits; the reader sees "Update available — Reload" and the page reloads only when they press
 * it, so a review in progress is never cut off.
 */
import { SITE_BASE, withBase } from '../../content/base';
import { SERVICE_WORKER_URL, SKIP_WAITING_MESSAGE } from './constants';
import { busyButton } from '../busy-button';

const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/** Registers the service worker (built sites only) and wires the update prompt. */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return null;
  const registration = await navigator.serviceWorker.register(withBase(SERVICE_WORKER_URL), {
    scope: SITE_BASE,
  });
  watchForUpdates(registration);
  return registration;
}

function watchForUpdates(registration: ServiceWorkerRegistration): void {
  let reloadRequested = false;
  const offer = (worker: ServiceWorker) => {
    // Without a controller this is the first install, not an update.
    if (!navigator.serviceWorker.controller) return;
    showUpdatePrompt(() => {
      // Another tab may have let this version take over already: then just reload.
      if (worker.state === 'activated' || worker.state === 'redundant') {
        location.reload();
        return;
      }
      reloadRequested = true;
      worker.postMessage(SKIP_WAITING_MESSAGE);
    });
  };
  if (registration.waiting) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => {
      if (installing.state === 'installed') offer(installing);
    });
  });
  // The first install also changes the controller (clientsClaim): reload only when asked to.
  // When another tab let a new version take over, this page's code is the old version's: offer
  // the reload here too (it may be mid-review, so it is still the reader's call).
  const hadController = navigator.serviceWorker.controller !== null;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadRequested) location.reload();
    else if (hadController) showUpdatePrompt(() => location.reload());
  });
  const check = () => void registration.update().catch(() => undefined);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });
  setInterval(check, UPDATE_CHECK_INTERVAL_MS);
}

function showUpdatePrompt(onReload: () => void): void {
  if (document.querySelector('.residual-update')) return;
  const prompt = document.createElement('div');
  prompt.className = 'residual-update';
  prompt.setAttribute('role', 'status');
  const text = document.createElement('p');
  text.textContent = 'Update available — reload to use the new version.';
  const reload = busyButton('Reload', 'Reloading…', onReload);
  const later = document.createElement('button');
  later.type = 'button';
  later.textContent = 'Later';
  later.addEventListener('click', () => prompt.remove());
  prompt.append(text, reload, later);
  document.body.append(prompt);
}
