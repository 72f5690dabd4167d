import type { PreferencePair, SftExample } from '../../schemas/types.ts';
import type { RmPair } from './rmPairsOf.ts';

/** What assembling emits: a row as soon as it is decided, tagged with its kind. */
export type Assembled =
  | { readonly kind: 'pair'; readonly row: PreferencePair }
  | { readonly kind: 'sft'; readonly row: SftExample }
  | { readonly kind: 'rm'; readonly row: RmPair };
