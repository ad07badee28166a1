import { describe, expect, it } from 'vitest';
import { escapeHtml, mathHtml } from '../../../src/content/math-html';
import { hasMath, splitMath, unescapedDollars } from '../../../src/content/math-text';

describe('inline math in text fields', () => {
  it('splits text at $…$ into text and TeX', () => {
    expect(splitMath('The product $W_U W_E$ reads bigrams.')).toEqual([
      { kind: 'text', value: 'The product ' },
      { kind: 'math', tex: 'W_U W_E' },
      { kind: 'text', value: ' reads bigrams.' },
    ]);
  });

  it('reads \\$ as a literal dollar and leaves an unclosed $ as text', () => {
    expect(splitMath('It costs \\$5, not $x.')).toEqual([
      { kind: 'text', value: 'It costs $5, not $x.' },
    ]);
    expect(hasMath('It costs \\$5.')).toBe(false);
    expect(unescapedDollars('a $b$ \\$ $c')).toBe(3);
  });

  it('keeps a dollar escaped inside TeX from closing the math', () => {
    expect(splitMath('$a \\$ b$')).toEqual([{ kind: 'math', tex: 'a \\$ b' }]);
  });
});

describe('rendering a text field for a page', () => {
  it('renders the math with KaTeX and escapes every other character', () => {
    const html = mathHtml('<b>bold</b> & $W_{QK}$');
    expect(html.startsWith('&lt;b&gt;bold&lt;/b&gt; &amp; <span class="katex">')).toBe(true);
    expect(html).toContain('<math');
    expect(html).not.toContain('<b>');
  });

  it('never lets markup inside math through', () => {
    const html = mathHtml(
      '$\\text{<img src=x onerror=alert(1)>}$ and $\\href{javascript:alert(1)}{x}$',
    );
    expect(html).not.toMatch(/<img|<a\s/);
    expect(html).toContain('&lt;img');
  });

  it('gives plain text unchanged but escaped', () => {
    expect(mathHtml('No math: "quotes" and it\'s fine.')).toBe(
      escapeHtml('No math: "quotes" and it\'s fine.'),
    );
  });
});
