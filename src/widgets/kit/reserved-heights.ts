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
  'activation-patching': { phone: 3888, desktop: 3194 },
  'attribution-patching': { phone: 2923, desktop: 2327 },
  'das-illusion': { phone: 3208, desktop: 2437 },
  'direct-logit-attribution': { phone: 1920, desktop: 1418 },
  'greater-than': { phone: 2606, desktop: 2176 },
  grokking: { phone: 3073, desktop: 2080 },
  'induction-heads': { phone: 4543, desktop: 3469 },
  'ioi-circuit': { phone: 2056, desktop: 1321 },
  'logit-lens': { phone: 1780, desktop: 1326 },
  'max-activation-illusion': { phone: 2241, desktop: 1450 },
  'sae-lab': { phone: 3198, desktop: 2372 },
  'steering-vectors': { phone: 2224, desktop: 1496 },
  'toy-superposition': { phone: 2604, desktop: 1782 },
};
