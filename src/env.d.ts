// Types for what this project keeps on Astro's per-page render state.

declare namespace App {
  interface Locals {
    /**
     * Which of ReviewArea.astro's templates the page being rendered already holds: the hidden
     * parts of an area are written once a page and cloned into each area (see area-parts.ts).
     */
    reviewAreaTemplates?: { parts?: boolean; experiment?: boolean };
  }
}
