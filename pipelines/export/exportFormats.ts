import type { ExportFormat } from './exportFormat.ts';
import { openaiDpo } from './openaiDpo.ts';
import { openaiSft } from './openaiSft.ts';
import { rmPairs } from './rmPairs.ts';
import { sharegpt } from './sharegpt.ts';
import { trlDpo } from './trlDpo.ts';
import { trlKto } from './trlKto.ts';
import { trlSft } from './trlSft.ts';
import { ultrainteractPair } from './ultrainteractPair.ts';
import { ultrainteractSft } from './ultrainteractSft.ts';

/** Every export format by its --format name. */
export const exportFormats: ReadonlyMap<string, ExportFormat> = new Map(
  [ultrainteractSft, ultrainteractPair, trlDpo, trlKto, trlSft, openaiSft, openaiDpo, sharegpt, rmPairs].map(
    (f) => [f.name, f],
  ),
);
