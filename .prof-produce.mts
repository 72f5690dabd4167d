import { lastValueFrom, reduce } from 'rxjs';
import { createKafkaEventLog } from '/work/wt/i16-kafka/connectors/log/kafka/kafkaEventLog.ts';
import { topics } from '/work/wt/i16-kafka/connectors/log/topics.ts';
import { syntheticTreeEvents } from '/work/wt/i16-kafka/pipelines/synthetic/syntheticTrees.ts';
const total = 50000, batch = 10000;
const distinct = [...syntheticTreeEvents({ trees: Math.ceil(total / 14.8), seed: 7 })];
const log = createKafkaEventLog({ brokers: [process.env.KAFKA_BROKERS!], namespace: `prof${Date.now()}.`, partitions: 3 });
await log.partitions(topics.treeEvents);
let t = performance.now();
for (let from = 0; from < total; from += batch) {
  const records = [];
  for (let i = from; i < Math.min(from + batch, total); i++) records.push({ value: distinct[i % distinct.length] });
  await log.append(topics.treeEvents, records);
}
console.log('produce/s', total / ((performance.now() - t) / 1000));
t = performance.now();
const n = await lastValueFrom(log.read(topics.treeEvents).pipe(reduce((a) => a + 1, 0)));
console.log('read/s', n / ((performance.now() - t) / 1000));
await log.close();
