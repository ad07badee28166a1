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
  'activation-patching': { phone: 3608, desktop: 3039 },
  'attribution-patching': { phone: 2533, desktop: 2036 },
  'das-illusion': { phone: 2710, desktop: 2009 },
  'direct-logit-attribution': { phone: 1691, desktop: 1254 },
  'greater-than': { phone: 2401, desktop: 2098 },
  grokking: { phone: 2843, desktop: 2001 },
  'induction-heads': { phone: 4030, desktop: 3222 },
  'ioi-circuit': { phone: 1826, desktop: 1166 },
  'logit-lens': { phone: 1455, desktop: 1078 },
  'max-activation-illusion': { phone: 2012, desktop: 1358 },
  'sae-lab': { phone: 2962, desktop: 2290 },
  'steering-vectors': { phone: 1995, desktop: 1342 },
  'toy-superposition': { phone: 2196, desktop: 1463 },
};
