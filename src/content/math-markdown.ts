/**
 * Math in the chapters' MDX: Sätteri (Astro's Markdown processor) parses `$…$` and `$$…$$` when
 * its `math` feature is on; this mdast plugin swaps each math node for KaTeX's HTML at build
 * time, with the same settings as the records' text fields (math-html.ts), so no KaTeX
 * JavaScript reaches a page. (remark-math and rehype-katex are unified plugins, which Astro's
 * default processor no longer runs.)
 */
import { texHtml } from './math-html';

interface MathNode {
  value: string;
}

/** The raw-HTML replacement Sätteri accepts from a visitor; no MDX expressions inside. */
interface RawHtml {
  raw: string;
  mdxExpressions: false;
}

export const katexMarkdownPlugin = {
  name: 'residual-katex',
  inlineMath(node: Readonly<MathNode>): RawHtml {
    return { raw: texHtml(node.value), mdxExpressions: false };
  },
  math(node: Readonly<MathNode>): RawHtml {
    return { raw: texHtml(node.value, true), mdxExpressions: false };
  },
};
