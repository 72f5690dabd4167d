import { describeEventLog } from '../contract/describeEventLog.ts';
import { deleteNamespace, freshNamespace, openTestLog, rawKafka } from './kafkaTestLog.ts';

describeEventLog('kafka', async () => {
  const namespace = freshNamespace();
  return {
    log: await openTestLog(namespace),
    reopen: () => openTestLog(namespace),
    cleanup: () => deleteNamespace(namespace),
    spoilInstruction: async () => {
      // Another producer's bytes on partition 0: no Avro Instruction (what a foreign or buggy writer leaves).
      const producer = (await rawKafka()).producer();
      await producer.connect();
      try {
        const [sent] = await producer.send({
          topic: `${namespace}instructions`,
          acks: -1,
          messages: [{ partition: 0, key: 'spoiled', value: Buffer.from('not an Avro Instruction') }],
        });
        return { partition: 0, offset: Number(sent.baseOffset) };
      } finally {
        await producer.disconnect();
      }
    },
  };
});
