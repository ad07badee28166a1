/**
 * The height each widget's figure takes once loaded (the frame below its lead, the steps
 * included), at a phone width (390 px) and a desktop width (1280 px), measured in Chromium with
 * the defaults a reader first sees. WidgetShell reserves it before the model arrives, so that
 * nothing below the frame moves when the figure appears (tests/e2e/widget-layout.test.ts measures
 * the shift). After a widget's markup changes, build and run
 * `node_modules/.bin/node scripts/dev/measure-widget-heights.mjs --write` to measure them again.
 */
import type { WidgetId } from '../../content/vocabulary';

export interface ReservedHeight {
  readonly phone: number;
  readonly desktop: number;
}

export const RESERVED_HEIGHTS: Partial<Record<WidgetId, ReservedHeight>> = {
  'activation-patching': { phone: 3897, desktop: 3203 },
  'attribution-patching': { phone: 2932, desktop: 2312 },
  'das-illusion': { phone: 3217, desktop: 2446 },
  'direct-logit-attribution': { phone: 1929, desktop: 1427 },
  'greater-than': { phone: 2615, desktop: 2185 },
  grokking: { phone: 3082, desktop: 2089 },
  'induction-heads': { phone: 4552, desktop: 3469 },
  'ioi-circuit': { phone: 2065, desktop: 1330 },
  'logit-lens': { phone: 1789, desktop: 1335 },
  'max-activation-illusion': { phone: 2226, desktop: 1459 },
  'sae-lab': { phone: 3207, desktop: 2372 },
  'steering-vectors': { phone: 2233, desktop: 1505 },
  'toy-superposition': { phone: 2613, desktop: 1791 },
};
