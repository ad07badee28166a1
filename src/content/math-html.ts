/**
 * Build-time rendering of text fields that may hold inline math (`$…$`, see math-text.ts): KaTeX
 * renders each math segment; every other character is HTML-escaped. The result is safe to pass to
 * `set:html` because no character of the source text reaches the page unescaped except through
 * KaTeX, which escapes what it prints. Used by the Astro components only, so KaTeX's JavaScript
 * never ships to a chapter page (only its CSS and fonts do).
 */
import katex from 'katex';
import { splitMath } from './math-text';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** Inline TeX as HTML (with MathML for screen readers); a TeX error shows the source in red. */
export function texHtml(tex: string): string {
  return katex.renderToString(tex, {
    throwOnError: false,
    strict: 'ignore',
    trust: false,
    maxSize: 10,
    maxExpand: 100,
  });
}

/** A text field as HTML: math rendered by KaTeX, everything else escaped. */
export function mathHtml(text: string): string {
  return splitMath(text)
    .map((segment) => (segment.kind === 'math' ? texHtml(segment.tex) : escapeHtml(segment.value)))
    .join('');
}
