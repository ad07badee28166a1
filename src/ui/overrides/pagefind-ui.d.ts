// Pagefind's UI module ships no types; deferred-pagefind-ui.ts uses only its constructor.
declare module '@pagefind/default-ui/npm_dist/mjs/ui-core.mjs' {
  export const PagefindUI: new (options: Record<string, unknown>) => unknown;
}
