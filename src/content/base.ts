/**
 * Where the site is published: at the root of a host ('/') or under a path ('/residual/'), set at
 * build time (RESIDUAL_BASE, astro.config.mjs). Paths elsewhere in the code are written from the
 * site's root ('/glossary/', 'deck.json') and stay so in stored data (a card's link, the reading
 * plan); they get the base only here, where a page turns them into a URL it links to or fetches.
 */

/** The base path, with a trailing slash: Vite's BASE_URL in the site, '/' where there is none. */
export const SITE_BASE = (import.meta.env?.BASE_URL ?? '/').replace(/\/?$/, '/');

/** `path` (from the site's root, with or without a leading slash) under the site's base. */
export function withBase(path: string, base: string = SITE_BASE): string {
  return `${base}${path.replace(/^\//, '')}`;
}

/** The site-root path of `pathname` (a page's location.pathname), or null outside the site. */
export function withoutBase(pathname: string, base: string = SITE_BASE): string | null {
  if (pathname === base.replace(/\/$/, '')) return '/';
  return pathname.startsWith(base) ? `/${pathname.slice(base.length)}` : null;
}

/**
 * Rendered HTML with its links from the site's root ('href="/glossary/"') put under the base: the
 * chapters' Markdown links are written from the root, and published under whatever base the
 * build was given.
 */
export function withBaseInLinks(html: string, base: string = SITE_BASE): string {
  return base === '/' ? html : html.replace(/(<a\s[^>]*?href=")\/(?!\/)/g, `$1${base}`);
}
