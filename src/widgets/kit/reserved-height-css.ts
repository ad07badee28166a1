/**
 * A frame's reserved height for the reader's own font, as a CSS length: the height measured in
 * the site's font (Liberation Sans), moved along the line through the one measured in DejaVu Sans
 * by how much wider the frame's "0" (1ch) is than it was then (FONT_ZERO_WIDTHS). Exact in both
 * measured fonts; in between (San Francisco, Segoe UI) the figure's lines wrap between the two.
 * CSS works it out where the frame is laid out, before any script runs, so the reservation is
 * right from the first paint.
 */
import { FONT_ZERO_WIDTHS } from './reserved-heights';

/** Px of height per px of 1ch between the two fonts measured. */
function perZeroWidth(site: number, wide: number): number {
  return (wide - site) / (FONT_ZERO_WIDTHS.wide - FONT_ZERO_WIDTHS.site);
}

/** The height reserved where 1ch is `zeroWidth` px (what the CSS of reservedHeightCss computes). */
export function reservedHeightAt(site: number, wide: number, zeroWidth: number): number {
  return site + (zeroWidth - FONT_ZERO_WIDTHS.site) * perZeroWidth(site, wide);
}

/** reservedHeightAt as a CSS length, 1ch read in the element it applies to. */
export function reservedHeightCss(site: number, wide: number): string {
  const slope = Math.round(perZeroWidth(site, wide) * 1000) / 1000;
  if (slope === 0) return `${site}px`;
  return `calc(${site}px + (1ch - ${FONT_ZERO_WIDTHS.site}px) * ${slope})`;
}
