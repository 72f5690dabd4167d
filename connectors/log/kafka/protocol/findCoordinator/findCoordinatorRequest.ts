import { WireWriter } from '../wire/wireWriter.ts';

/** Kafka's FindCoordinator API key. */
export const FIND_COORDINATOR = 10;

/** A FindCoordinator v1 request (the oldest Kafka 4 serves) for a consumer group's coordinator. */
export function findCoordinatorRequest(args: { groupId: string }): {
  apiKey: number;
  apiVersion: number;
  body: Buffer[];
} {
  return {
    apiKey: FIND_COORDINATOR,
    apiVersion: 1,
    body: [new WireWriter().string(args.groupId).int8(0 /* key type: group */).bytes()],
  };
}
