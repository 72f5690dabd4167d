import { projectCodec } from '../../schemas/codec.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { type Topic, topics } from './topics.ts';

/**
 * The tree-events topic read without StrategySampled.prompt (read as [], its default): 45% of a grown log's bytes
 * (bench/RESULTS.md), which only grow's re-asking and `export --system-prompt actor` look at. Both backends read it
 * (the file log resolves each segment's writer schema against the narrower one; Kafka's codec decodes the same
 * fingerprints); it cannot be written to.
 */
export const treeEventsWithoutPrompts: Topic<TreeEvent> = {
  ...topics.treeEvents,
  codec: projectCodec(topics.treeEvents.codec, { StrategySampled: ['prompt'] }),
};
