/**
 * The height each widget's figure takes once loaded (the frame below its lead, the steps
 * included), at a phone width (390 px) and a desktop width (1280 px), measured in Chromium with
 * the defaults a reader first sees: in the site's font list as Linux with fonts-liberation draws
 * it (Liberation Sans, Arial's widths), and with DejaVu Sans first (`…Wide`), the widest sans-serif
 * a reader is likely to have (a Linux without Liberation fonts falls back to it; San Francisco,
 * Segoe UI and Roboto are narrower). A wider font wraps more lines, so the figure is taller.
 * WidgetShell reserves the height for the reader's own font before the model arrives
 * (reservedHeightCss), so that nothing below the frame moves when the figure appears
 * (tests/e2e/widget-layout.test.ts measures the shift in both fonts). After a widget's markup
 * changes, build and run `node_modules/.bin/node scripts/dev/measure-widget-heights.mjs --write`
 * to measure them again.
 *
 * Two are larger than one measurement: das-illusion reserves the height it reaches once every
 * held-out pair is patched (in both fonts: read after a minute on the page, 3,217 and 3,387 px on a
 * phone), and toy-superposition the tallest of several runs (its trained features differ from run
 * to run).
 */
import type { WidgetId } from '../../content/vocabulary';

export interface ReservedHeight {
  readonly phone: number;
  readonly desktop: number;
  readonly phoneWide: number;
  readonly desktopWide: number;
}

/**
 * The width of "0" (CSS's 1ch) in a widget frame's font when the heights were measured, px: the
 * site's font list (Liberation Sans) and DejaVu Sans. It stands for how wide the reader's font is.
 */
export const FONT_ZERO_WIDTHS = { site: 8.8984375, wide: 10.1796875 } as const;

export const RESERVED_HEIGHTS: Partial<Record<WidgetId, ReservedHeight>> = {
  'activation-patching': { phone: 3897, desktop: 3203, phoneWide: 4123, desktopWide: 3299 },
  'attribution-patching': { phone: 2932, desktop: 2312, phoneWide: 3102, desktopWide: 2432 },
  'das-illusion': { phone: 3217, desktop: 2446, phoneWide: 3387, desktopWide: 2520 },
  'direct-logit-attribution': { phone: 1929, desktop: 1427, phoneWide: 2050, desktopWide: 1501 },
  'greater-than': { phone: 2615, desktop: 2185, phoneWide: 2764, desktopWide: 2209 },
  grokking: { phone: 3082, desktop: 2089, phoneWide: 3253, desktopWide: 2226 },
  'induction-heads': { phone: 4552, desktop: 3469, phoneWide: 4791, desktopWide: 3661 },
  'ioi-circuit': { phone: 2065, desktop: 1330, phoneWide: 2138, desktopWide: 1428 },
  'logit-lens': { phone: 1789, desktop: 1335, phoneWide: 1935, desktopWide: 1433 },
  'max-activation-illusion': { phone: 2226, desktop: 1459, phoneWide: 2445, desktopWide: 1630 },
  'sae-lab': { phone: 3207, desktop: 2372, phoneWide: 3418, desktopWide: 2487 },
  'steering-vectors': { phone: 2233, desktop: 1505, phoneWide: 2378, desktopWide: 1643 },
  'toy-superposition': { phone: 2613, desktop: 1791, phoneWide: 2799, desktopWide: 1954 },
};
