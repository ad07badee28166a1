/**
 * Registers every widget's client module with <residual-widget>, so that no widget needs a
 * <script> of its own. The rule: widget `<id>` is mounted by `src/widgets/<id>/<id>.client.ts`,
 * and a frame whose id has no client shows an error with Retry. Each module stays a lazy chunk:
 * the page loads only this map, and a client module when its frame nears the viewport.
 *
 * Kept apart from widget-element.ts, which the shell's browser test bundles with esbuild
 * (import.meta.glob is Vite's).
 */
import type { WidgetModule } from './types';
import { closeRegistration, registerWidget } from './widget-element';

const clients = import.meta.glob<WidgetModule>('../*/*.client.ts');

for (const [path, loader] of Object.entries(clients)) {
  const id = /([^/]+)\.client\.ts$/.exec(path)?.[1];
  if (id) registerWidget(id, loader);
}
closeRegistration();
