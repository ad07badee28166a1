/**
 * The height each widget's figure takes once loaded (the frame below its lead and steps), at a
 * phone width (390 px) and a desktop width (1280 px), measured in Chromium with the defaults a
 * reader first sees. WidgetShell reserves it before the model arrives, so that nothing below the
 * frame moves when the figure appears (tests/e2e/widget-layout.test.ts measures the shift). After
 * a widget's markup changes, build and run
 * `node_modules/.bin/node scripts/dev/measure-widget-heights.mjs --write` to measure them again.
 */
import type { WidgetId } from '../../content/vocabulary';

export interface ReservedHeight {
  readonly phone: number;
  readonly desktop: number;
}

export const RESERVED_HEIGHTS: Partial<Record<WidgetId, ReservedHeight>> = {
  'activation-patching': { phone: 3321, desktop: 2826 },
  'attribution-patching': { phone: 2285, desktop: 1862 },
  'das-illusion': { phone: 2620, desktop: 1992 },
  'direct-logit-attribution': { phone: 1514, desktop: 1150 },
  'greater-than': { phone: 2188, desktop: 1935 },
  grokking: { phone: 2581, desktop: 1861 },
  'induction-heads': { phone: 3345, desktop: 2709 },
  'ioi-circuit': { phone: 1633, desktop: 1047 },
  'logit-lens': { phone: 1254, desktop: 975 },
  'max-activation-illusion': { phone: 1954, desktop: 1326 },
  'sae-lab': { phone: 2809, desktop: 2187 },
  'steering-vectors': { phone: 1649, desktop: 1119 },
  'toy-superposition': { phone: 1899, desktop: 1473 },
};
