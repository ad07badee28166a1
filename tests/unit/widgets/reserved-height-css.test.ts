// A widget frame reserves its figure's height for the reader's font: the height measured in the
// site's font where 1ch is as wide as it was then, the one measured in DejaVu Sans where 1ch is
// as wide as DejaVu's, and a CSS length that computes the same line.
import { describe, expect, it } from 'vitest';
import { reservedHeightAt, reservedHeightCss } from '../../../src/widgets/kit/reserved-height-css';
import { FONT_ZERO_WIDTHS, RESERVED_HEIGHTS } from '../../../src/widgets/kit/reserved-heights';

/** Evaluates a reservedHeightCss length where 1ch is `zeroWidth` px. */
function evaluateCss(css: string, zeroWidth: number): number {
  const plain = /^(\d+(?:\.\d+)?)px$/.exec(css);
  if (plain) return Number(plain[1]);
  const calc =
    /^calc\((\d+(?:\.\d+)?)px \+ \(1ch - (\d+(?:\.\d+)?)px\) \* (-?\d+(?:\.\d+)?)\)$/.exec(css);
  if (!calc) throw new Error(`not a reserved height: ${css}`);
  return Number(calc[1]) + (zeroWidth - Number(calc[2])) * Number(calc[3]);
}

describe('the height a widget frame reserves for the reader’s font', () => {
  it('is the height measured in each of the two fonts where 1ch is as wide as it was then', () => {
    expect(reservedHeightAt(1427, 1501, FONT_ZERO_WIDTHS.site)).toBeCloseTo(1427, 6);
    expect(reservedHeightAt(1427, 1501, FONT_ZERO_WIDTHS.wide)).toBeCloseTo(1501, 6);
  });

  it('lies between them for a font of a width between theirs', () => {
    const between = (FONT_ZERO_WIDTHS.site + FONT_ZERO_WIDTHS.wide) / 2;
    expect(reservedHeightAt(1427, 1501, between)).toBeCloseTo(1464, 6);
    // A figure that a wide font makes shorter is reserved shorter, too.
    expect(reservedHeightAt(3217, 3120, between)).toBeCloseTo(3168.5, 6);
  });

  it('is a CSS length that computes the same, within half a pixel, for every widget', () => {
    const widths = [8, FONT_ZERO_WIDTHS.site, 9.5, FONT_ZERO_WIDTHS.wide, 11];
    for (const [id, heights] of Object.entries(RESERVED_HEIGHTS))
      for (const [site, wide] of [
        [heights.phone, heights.phoneWide],
        [heights.desktop, heights.desktopWide],
      ] as const)
        for (const zeroWidth of widths)
          expect(
            Math.abs(
              evaluateCss(reservedHeightCss(site, wide), zeroWidth) -
                reservedHeightAt(site, wide, zeroWidth),
            ),
            `${id} at 1ch = ${zeroWidth}px`,
          ).toBeLessThan(0.5);
  });

  it('is a plain length where both fonts measured the same', () => {
    expect(reservedHeightCss(1330, 1330)).toBe('1330px');
  });

  it('is reserved for every widget that has a figure, in both fonts', () => {
    expect(Object.keys(RESERVED_HEIGHTS).length).toBeGreaterThanOrEqual(13);
    for (const heights of Object.values(RESERVED_HEIGHTS))
      for (const value of [heights.phone, heights.desktop, heights.phoneWide, heights.desktopWide])
        expect(value).toBeGreaterThan(0);
  });
});
