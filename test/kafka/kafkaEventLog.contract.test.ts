import { describeEventLog } from '../contract/describeEventLog.ts';
import { deleteNamespace, freshNamespace, openTestLog } from './kafkaTestLog.ts';

describeEventLog('kafka', async () => {
  const namespace = freshNamespace();
  return {
    log: await openTestLog(namespace),
    reopen: () => openTestLog(namespace),
    cleanup: () => deleteNamespace(namespace),
  };
});
