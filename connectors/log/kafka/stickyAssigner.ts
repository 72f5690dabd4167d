import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * Decides a group's assignment like Kafka's StickyAssignor: every member keeps the partitions it holds (it sends them
 * in its join metadata) up to its fair share (partitions ÷ members, the remainder going to the members holding most),
 * and only the partitions of members gone, and those above a share, are handed out, to the members below theirs. So a
 * kill moves only the dead worker's partitions and a join only as many as the joiner's share, never partitions between
 * two healthy workers for nothing (kafkajs' round-robin reshuffles most partitions at every change, and each move
 * re-asks the calls in flight there). kafkajs speaks the eager protocol only: every member still stops fetching during
 * a rebalance, but gets its partitions back.
 */
export function stickyAssigner(held: () => Readonly<Record<string, readonly number[]>>): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'ArboretumSticky',
    version: 0,
    protocol({ topics }) {
      return {
        name: 'ArboretumSticky',
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 0,
          topics,
          userData: Buffer.from(JSON.stringify(held())),
        }),
      };
    },
    async assign({ members, topics }) {
      const claims = new Map<string, Record<string, number[]>>();
      for (const m of members) {
        let claim: Record<string, number[]> = {};
        try {
          const { userData } = AssignerProtocol.MemberMetadata.decode(m.memberMetadata) ?? {};
          if (userData?.length) claim = JSON.parse(userData.toString());
        } catch {
          // An unreadable claim (another client's metadata) claims nothing.
        }
        claims.set(m.memberId, claim);
      }
      const ids = members.map((m) => m.memberId).sort();
      const out = new Map<string, Record<string, number[]>>(ids.map((id) => [id, {}]));
      for (const topic of topics) {
        const partitions = cluster
          .findTopicPartitionMetadata(topic)
          .map((p) => p.partitionId)
          .sort((a, b) => a - b);
        const valid = new Set(partitions);
        const taken = new Set<number>();
        const kept = new Map<string, number[]>();
        for (const id of ids) {
          const mine = (claims.get(id)?.[topic] ?? []).filter((p) => valid.has(p) && !taken.has(p));
          for (const p of mine) taken.add(p);
          kept.set(id, mine);
        }
        // Shares: the larger ones go to the members holding most, so fewer partitions move.
        const base = Math.floor(partitions.length / ids.length);
        let larger = partitions.length % ids.length;
        const byHolding = [...ids].sort(
          (a, b) => kept.get(b)!.length - kept.get(a)!.length || a.localeCompare(b),
        );
        const share = new Map<string, number>();
        for (const id of byHolding) share.set(id, base + (larger-- > 0 ? 1 : 0));
        const free: number[] = partitions.filter((p) => !taken.has(p));
        for (const id of ids) {
          const mine = kept.get(id)!;
          // Above its share: the highest partitions go back to the pool.
          while (mine.length > share.get(id)!) free.push(mine.pop()!);
        }
        free.sort((a, b) => a - b);
        for (const id of ids) {
          const mine = kept.get(id)!;
          while (mine.length < share.get(id)! && free.length) mine.push(free.shift()!);
          out.get(id)![topic] = mine.sort((a, b) => a - b);
        }
      }
      return ids.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: out.get(memberId)!,
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
}
