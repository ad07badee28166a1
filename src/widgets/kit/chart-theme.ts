/**
 * Colours for charts, read from Starlight's theme variables so that a chart reads in the light and
 * the dark theme alike, and a way to redraw when the reader switches theme. Imported by widget
 * client modules (lazily), never by the eager shell.
 *
 * Chart libraries need real colour strings for their scales, not `var(--…)`, hence the lookup.
 */

/** Resolved theme colours: text, background, hairlines, and the hues Starlight defines. */
export interface ChartColors {
  readonly text: string;
  readonly muted: string;
  readonly background: string;
  readonly hairline: string;
  readonly accent: string;
  readonly blue: string;
  readonly red: string;
  readonly orange: string;
  readonly green: string;
  readonly purple: string;
  /** Diverging scale for signed values: [negative, zero, positive]; zero is the background. */
  readonly diverging: readonly [string, string, string];
}

function cssVariable(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/** The theme's colours as they are now, resolved on `element` (default: the document root). */
export function chartColors(element: Element = document.documentElement): ChartColors {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) =>
    cssVariable(style, `--sl-color-${name}`, fallback);
  const background = read('bg', '#17181c');
  const blue = read('blue', '#3355ff');
  const red = read('red', '#ee4477');
  return {
    text: read('white', '#ffffff'),
    muted: read('gray-3', '#8b8d98'),
    background,
    hairline: read('gray-5', '#353841'),
    accent: read('accent', '#3366ff'),
    blue,
    red,
    orange: read('orange', '#f0b541'),
    green: read('green', '#8ced52'),
    purple: read('purple', '#c65ef0'),
    diverging: [blue, background, red],
  };
}

/**
 * The style of every Plot chart: the theme's text colour in the page's font at `fontSize`, no
 * background of its own (the frame's shows through), and marks free to reach past the plot area.
 */
export function plotStyle(colors: ChartColors, fontSize: string): Partial<CSSStyleDeclaration> {
  return {
    fontSize,
    fontFamily: 'inherit',
    color: colors.text,
    background: 'transparent',
    overflow: 'visible',
  };
}

/** Whether Starlight shows the light theme now. */
export function isLightTheme(): boolean {
  return document.documentElement.dataset['theme'] === 'light';
}

/**
 * Calls `redraw` whenever the reader switches between light and dark theme, until `signal` aborts.
 * Starlight marks the theme in `data-theme` on <html>.
 */
export function onThemeChange(redraw: () => void, signal: AbortSignal): void {
  const observer = new MutationObserver(() => redraw());
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  signal.addEventListener('abort', () => observer.disconnect(), { once: true });
}

/**
 * Makes a chart one image for assistive technology: role="img" with `label` on the root, and no
 * ARIA on the marks inside (chart libraries label their <g> groups, which axe rejects on elements
 * without a role). Pair every chart with its numbers in text or a table.
 */
export function accessibleChart<T extends Element>(chart: T, label: string): T {
  const svg = chart instanceof SVGSVGElement ? chart : chart.querySelector('svg');
  for (const marked of chart.querySelectorAll('[aria-label], [aria-description]')) {
    marked.removeAttribute('aria-label');
    marked.removeAttribute('aria-description');
  }
  svg?.setAttribute('role', 'img');
  svg?.setAttribute('aria-label', label);
  return chart;
}
