// Pagefind's UI module ships no types; deferred-pagefind-ui.ts uses only its constructor.
declare module '@pagefind/default-ui/npm_dist/mjs/ui-core.mjs' {
  export const PagefindUI: new (options: Record<string, unknown>) => unknown;
}

// Starlight's virtual module with the `pagefind` options of astro.config.mjs.
declare module 'virtual:starlight/pagefind-config' {
  export const pagefindUserConfig: Record<string, unknown>;
}
