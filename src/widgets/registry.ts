/**
 * Which widgets exist: widget id (from the paper records' `widgets` lists) → its Astro component.
 * A widget that is not built yet is simply absent, and a paper that lists it renders nothing for
 * it. To add a widget, see README.md in this folder.
 */
import type { WidgetId } from '../content/vocabulary';
import ActivationPatching from './activation-patching/ActivationPatching.astro';
import AttributionPatching from './attribution-patching/AttributionPatching.astro';
import DasIllusion from './das-illusion/DasIllusion.astro';
import DirectLogitAttribution from './direct-logit-attribution/DirectLogitAttribution.astro';
import LogitLens from './logit-lens/LogitLens.astro';
import GreaterThan from './greater-than/GreaterThan.astro';
import Grokking from './grokking/Grokking.astro';
import IoiCircuit from './ioi-circuit/IoiCircuit.astro';
import InductionHeads from './induction-heads/InductionHeads.astro';
import MaxActivationIllusion from './max-activation-illusion/MaxActivationIllusion.astro';
import SaeLab from './sae-lab/SaeLab.astro';
import SteeringVectors from './steering-vectors/SteeringVectors.astro';
import ToySuperposition from './toy-superposition/ToySuperposition.astro';

/** An Astro component that takes no props. */
type WidgetComponent = typeof ToySuperposition;

const WIDGET_COMPONENTS: Partial<Record<WidgetId, WidgetComponent>> = {
  'activation-patching': ActivationPatching,
  'attribution-patching': AttributionPatching,
  'das-illusion': DasIllusion,
  'direct-logit-attribution': DirectLogitAttribution,
  'logit-lens': LogitLens,
  'greater-than': GreaterThan,
  grokking: Grokking,
  'ioi-circuit': IoiCircuit,
  'induction-heads': InductionHeads,
  'max-activation-illusion': MaxActivationIllusion,
  'sae-lab': SaeLab,
  'steering-vectors': SteeringVectors,
  'toy-superposition': ToySuperposition,
};

/** The component that renders widget `id`, or null when that widget is not built yet. */
export function widgetComponent(id: WidgetId): WidgetComponent | null {
  return WIDGET_COMPONENTS[id] ?? null;
}

/** Ids of the widgets that are built. */
export const BUILT_WIDGETS = Object.keys(WIDGET_COMPONENTS) as WidgetId[];
