import { type BrokerConnection, openBrokerConnection } from './brokerConnection.ts';

/** Connections by broker address, opened on first use and opened again after one failed. */
export interface BrokerConnections {
  to(address: string): Promise<BrokerConnection>;
  closeAll(): void;
}

export function createBrokerConnections(options: {
  clientId: string;
  connectTimeoutMs?: number;
}): BrokerConnections {
  const open = new Map<string, Promise<BrokerConnection>>();
  return {
    async to(address) {
      let p = open.get(address);
      const current = p && (await p.catch(() => undefined));
      if (!current || current.closed) {
        p = openBrokerConnection({ address, ...options });
        open.set(address, p);
        p.catch(() => {
          if (open.get(address) === p) open.delete(address);
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
