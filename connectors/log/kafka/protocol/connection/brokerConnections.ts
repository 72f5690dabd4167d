import { type BrokerConnection, openBrokerConnection } from './brokerConnection.ts';

/**
 * Connections by broker address and lane, opened on first use and opened again after one failed. A broker works
 * on one request of a connection at a time: requests on different lanes (partitions) are worked on side by side.
 */
export interface BrokerConnections {
  to(address: string, lane?: number): Promise<BrokerConnection>;
  closeAll(): void;
}

export function createBrokerConnections(options: {
  clientId: string;
  connectTimeoutMs?: number;
}): BrokerConnections {
  const open = new Map<string, Promise<BrokerConnection>>();
  return {
    async to(address, lane = 0) {
      const key = `${address}#${lane}`;
      let p = open.get(key);
      const current = p && (await p.catch(() => undefined));
      if (!current || current.closed) {
        p = openBrokerConnection({ address, ...options });
        open.set(key, p);
        p.catch(() => {
          if (open.get(key) === p) open.delete(key);
        });
      }
      return p as Promise<BrokerConnection>;
    },
    closeAll() {
      for (const p of open.values()) p.then((c) => c.close()).catch(() => {});
      open.clear();
    },
  };
}
