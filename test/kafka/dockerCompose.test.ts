import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KAFKA_VERSION } from '../../connectors/log/kafka/broker/brokerJars.ts';

const file = join(import.meta.dirname, '../../docker-compose.yml');

/** `docker compose` (v2 plugin) or `docker-compose` (v1, Debian's package), whichever runs here; neither needs an engine for `config`. */
function composeCommand(): string[] | undefined {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const run = spawnSync(cmd[0], [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (run.status === 0) return cmd;
  }
  return undefined;
}

const compose = composeCommand();

describe.skipIf(!compose)('docker-compose.yml', () => {
  it('is a valid compose file with a KRaft broker and a worker using it', () => {
    const [cmd, ...pre] = compose!;
    const run = spawnSync(cmd, [...pre, '-f', file, 'config'], {
      encoding: 'utf8',
      env: { ...process.env, OPENAI_API_KEY: 'x' },
    });
    expect(run.stderr.replace(/.*WARN.*\n?/g, '')).toBe('');
    expect(run.status).toBe(0);
    const config = run.stdout;
    // The image is the Kafka release the suite's own broker runs (the version the backend is tested on).
    expect(config).toContain(`image: apache/kafka:${KAFKA_VERSION}`);
    expect(config).toMatch(/KAFKA_PROCESS_ROLES: broker,controller/);
    expect(config).toMatch(/KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '?1'?/);
    expect(config).toMatch(/condition: service_healthy/);
    expect(config.replace(/\\\n\s*\\?/g, '')).toMatch(/arboretum grow --log\s*kafka:\/\/kafka:9092/);
  });
});
