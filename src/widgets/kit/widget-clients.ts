/**
 * Registers every widget's client module with <residual-widget>, so that no widget needs a
 * <script> of its own. The rule: widget `<id>` is mounted by `<folder>/<id>.client.ts` (one
 * folder may hold several, as logit-lens/ does). Each module stays a lazy chunk: the page loads
 * only this map, and a client module when its frame nears the viewport.
 *
 * Kept apart from widget-element.ts, which the shell's browser test bundles with esbuild
 * (import.meta.glob is Vite's).
 */
import type { WidgetModule } from './types';
import { registerWidget } from './widget-element';

const clients = import.meta.glob<WidgetModule>('../*/*.client.ts');

for (const [path, loader] of Object.entries(clients)) {
  const id = /([^/]+)\.client\.ts$/.exec(path)?.[1];
  if (id) registerWidget(id, loader);
}
