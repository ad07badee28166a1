import { describe, expect, it } from 'vitest';
import { withBase, withBaseInLinks, withoutBase } from '../../../src/content/base';

describe('paths under the site base', () => {
  it('puts a root path under the base, with or without its leading slash', () => {
    expect(withBase('/glossary/#term', '/residual/')).toBe('/residual/glossary/#term');
    expect(withBase('deck.json', '/residual/')).toBe('/residual/deck.json');
    expect(withBase('/', '/residual/')).toBe('/residual/');
    expect(withBase('/review/', '/')).toBe('/review/');
  });

  it('takes the base off a page path, and says when a path is outside the site', () => {
    expect(withoutBase('/residual/superposition/', '/residual/')).toBe('/superposition/');
    expect(withoutBase('/residual', '/residual/')).toBe('/');
    expect(withoutBase('/other/page/', '/residual/')).toBeNull();
    expect(withoutBase('/superposition/', '/')).toBe('/superposition/');
  });

  it("puts a page's root links under the base, and leaves other links alone", () => {
    const html =
      '<p><a href="/glossary/">glossary</a>, <a class="x" href="/review/">review</a>, ' +
      '<a href="https://arxiv.org/">paper</a>, <a href="//cdn.test/">cdn</a>, <a href="#top">top</a></p>';
    expect(withBaseInLinks(html, '/residual/')).toBe(
      '<p><a href="/residual/glossary/">glossary</a>, <a class="x" href="/residual/review/">review</a>, ' +
        '<a href="https://arxiv.org/">paper</a>, <a href="//cdn.test/">cdn</a>, <a href="#top">top</a></p>',
    );
    expect(withBaseInLinks(html, '/')).toBe(html);
  });
});
