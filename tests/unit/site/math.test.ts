// Math in the built site: every `$…$` of the chapters and records reaches the page as KaTeX's
// HTML, never as dollar signs, and the site ships no KaTeX JavaScript.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtPages, DIST, requireBuiltSite } from '../../support/built-site';

requireBuiltSite();
const pages = builtPages();

/** A page's visible text: no scripts, styles or TeX annotations (KaTeX keeps the source there). */
function visibleText(html: string): string {
  return html
    .replace(/<(script|style|annotation)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#36;|&dollar;/g, '$');
}

describe('math on the built pages', () => {
  it('leaves no unrendered $…$ on any chapter or the glossary', () => {
    const leftovers: string[] = [];
    for (const [path, html] of pages) {
      if (path.startsWith('/dev/')) continue;
      const match = visibleText(html).match(/\$[^$\s][^$]{0,80}\$/);
      if (match) leftovers.push(`${path}: ${match[0]}`);
    }
    expect(leftovers).toEqual([]);
  });

  it('ships KaTeX as CSS and fonts only, never as JavaScript', () => {
    const assets = readdirSync(join(DIST, '_astro'));
    expect(assets.some((name) => /^KaTeX_.*\.woff2$/.test(name))).toBe(true);
    expect(assets.filter((name) => /katex/i.test(name) && name.endsWith('.js'))).toEqual([]);
  });
});
