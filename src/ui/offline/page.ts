/**
 * The script every page gets (injected by src/site/offline/integration.ts): offline support with the
 * update prompt, and chapter progress in the sidebar.
 */
import { registerServiceWorker } from './register';

void registerServiceWorker().catch((error: unknown) => {
  console.warn(
    'Residual: the service worker could not be registered; offline reading is off.',
    error,
  );
});

// The sidebar badges need the database: load that code after the page is up.
void import('../progress/sidebar')
  .then(({ decorateSidebar }) => decorateSidebar())
  .catch(() => {
    // No IndexedDB (some private windows) or no reading plan: the sidebar simply shows no badges.
  });
