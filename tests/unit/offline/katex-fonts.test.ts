import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PRECACHED_KATEX_FONTS } from '../../../src/site/offline/service-worker';
import { DIST, builtPages, requireBuiltSite } from '../../support/built-site';

/** KaTeX's classes that switch to a font of their own (katex.css), and that font. */
const CLASS_FONTS: Record<string, string> = {
  mathnormal: 'Math-Italic',
  mathit: 'Main-Italic',
  textit: 'Main-Italic',
  mathbf: 'Main-Bold',
  textbf: 'Main-Bold',
  boldsymbol: 'Math-BoldItalic',
  mathbb: 'AMS-Regular',
  textbb: 'AMS-Regular',
  amsrm: 'AMS-Regular',
  mathcal: 'Caligraphic-Regular',
  mathfrak: 'Fraktur-Regular',
  textfrak: 'Fraktur-Regular',
  mathsf: 'SansSerif-Regular',
  textsf: 'SansSerif-Regular',
  mathtt: 'Typewriter-Regular',
  texttt: 'Typewriter-Regular',
  mathscr: 'Script-Regular',
  textscr: 'Script-Regular',
};

/** The fonts the math in `html` needs, read from the classes KaTeX gave its spans. */
function fontsUsed(html: string): Set<string> {
  const fonts = new Set<string>();
  for (const [, classes] of html.matchAll(/class=\\?"([^"\\]*)\\?"/g)) {
    const names = classes!.split(/\s+/);
    if (names.includes('katex')) fonts.add('Main-Regular');
    for (const name of names) {
      const font = CLASS_FONTS[name];
      if (font) fonts.add(font);
    }
    if (names.includes('delimsizing') || names.includes('large-op')) {
      for (const name of names) {
        const size = /^size([1-4])$/.exec(name);
        if (size) fonts.add(`Size${size[1]}-Regular`);
      }
    }
  }
  return fonts;
}

describe('the KaTeX fonts in the precache', () => {
  requireBuiltSite();
  const sources = [...builtPages().values(), readFileSync(join(DIST, 'card-math.json'), 'utf8')];

  test('cover every font the chapters and cards use, so math looks right offline', () => {
    const used = new Set(sources.flatMap((html) => [...fontsUsed(html)]));
    const missing = [...used].filter(
      (font) => !(PRECACHED_KATEX_FONTS as readonly string[]).includes(font),
    );
    expect(missing).toEqual([]);
  });

  test('are read from the pages: math in italics needs KaTeX_Math-Italic', () => {
    expect([
      ...fontsUsed('<span class="katex"><span class="mord mathnormal">x</span></span>'),
    ]).toEqual(['Main-Regular', 'Math-Italic']);
  });
});
