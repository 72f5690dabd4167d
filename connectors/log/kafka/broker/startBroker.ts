import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ArboretumError } from '../../../../schemas/errors.ts';
import { brokerJars, KAFKA_VERSION, requireTool, usesLog4j2 } from './brokerJars.ts';
import { brokerLog4j, brokerLog4j2, brokerProperties } from './brokerProperties.ts';

/** What `dir/broker.json` records of a started broker. */
export interface BrokerState {
  readonly pid: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly version: string;
}

export interface StartBrokerOptions {
  /** Folder of the broker's data, configuration, logs and pid (created when missing). */
  readonly dir: string;
  /** Client port on 127.0.0.1; default: the port of the last start in `dir` when free, else any free port. */
  readonly port?: number;
  /** Default $ARBORETUM_KAFKA_VERSION, else KAFKA_VERSION (the test runs pick the broker release this way). */
  readonly version?: string;
  /** JVM heap, in MiB; default 512. */
  readonly heapMb?: number;
  /** How long to wait for the broker to answer, in ms; default 90000. */
  readonly timeoutMs?: number;
  /** Progress lines (fetching jars, formatting). */
  readonly onProgress?: (line: string) => void;
}

/** Reads `dir/broker.json`, or undefined. */
export async function brokerState(dir: string): Promise<BrokerState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'broker.json'), 'utf8')) as BrokerState;
  } catch {
    return undefined;
  }
}

/** True while a process with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const server = createServer();
    server.once('error', () => ok(false));
    server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** True when a broker answers the admin API (describeCluster) at `address`. */
export async function brokerAnswers(address: string): Promise<boolean> {
  const admin = new Kafka({
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Starts one Apache Kafka broker+controller (KRaft) on 127.0.0.1 with its data in `dir`, from jars fetched once
 * with Maven (see brokerJars), and resolves with its bootstrap address `127.0.0.1:PORT` once the admin API answers.
 * A broker already running for `dir` is reused. The broker runs detached: stop it with stopBroker.
 */
export async function startBroker(options: StartBrokerOptions): Promise<string> {
  const {
    version = process.env.ARBORETUM_KAFKA_VERSION || KAFKA_VERSION,
    heapMb = 512,
    timeoutMs = 90_000,
    onProgress = () => {},
  } = options;
  const dir = resolve(options.dir);
  const previous = await brokerState(dir);
  if (previous && isAlive(previous.pid)) {
    const address = `127.0.0.1:${previous.port}`;
    if (options.port !== undefined && options.port !== previous.port) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `a broker (pid ${previous.pid}) already runs for ${dir} on port ${previous.port}; stop it first`,
      );
    }
    await waitUntilAnswers(address, previous.pid, dir, timeoutMs);
    return address;
  }
  requireTool('java');
  const jars = await brokerJars(version);
  onProgress(`kafka ${version} jars: ${jars}`);
  await mkdir(join(dir, 'data'), { recursive: true });
  const port =
    options.port ?? (previous && (await portIsFree(previous.port)) ? previous.port : await freePort());
  if (!(await portIsFree(port))) {
    throw new ArboretumError(
      'INVALID_INPUT',
      `port ${port} on 127.0.0.1 is in use: choose another with --port`,
    );
  }
  let controllerPort =
    previous && previous.controllerPort !== port && (await portIsFree(previous.controllerPort))
      ? previous.controllerPort
      : await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const config = join(dir, 'server.properties');
  await writeFile(config, brokerProperties({ port, controllerPort, dataDir: join(dir, 'data') }));
  const log4j2 = usesLog4j2(version);
  const logConfig = join(dir, log4j2 ? 'log4j2.properties' : 'log4j.properties');
  await writeFile(logConfig, (log4j2 ? brokerLog4j2 : brokerLog4j)(join(dir, 'broker.log')));
  const jvm = [
    `-Xmx${heapMb}m`,
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    log4j2 ? `-Dlog4j2.configurationFile=${logConfig}` : `-Dlog4j.configuration=file:${logConfig}`,
    '-cp',
    join(jars, '*'),
  ];
  if (!existsSync(join(dir, 'data', 'meta.properties'))) {
    // A KRaft cluster id is 16 random bytes in URL-safe base64 without padding (Kafka's Uuid); it may start with
    // '-', hence --cluster-id=ID.
    const clusterId = randomBytes(16).toString('base64url');
    onProgress(`formatting KRaft storage in ${join(dir, 'data')} (cluster ${clusterId})`);
    const format = spawnSync(
      'java',
      [
        ...jvm,
        'kafka.tools.StorageTool',
        'format',
        '--ignore-formatted',
        `--cluster-id=${clusterId}`,
        `--config=${config}`,
      ],
      { encoding: 'utf8' },
    );
    if (format.status !== 0) {
      throw new ArboretumError(
        'LOG_UNAVAILABLE',
        `formatting Kafka storage in ${dir} failed: ${format.stderr || format.stdout || format.error?.message}`,
      );
    }
  }
  const out = openSync(join(dir, 'broker.out'), 'a');
  const child = spawn('java', [...jvm, 'kafka.Kafka', config], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  if (!child.pid) throw new ArboretumError('LOG_UNAVAILABLE', 'could not start java for the Kafka broker');
  const state: BrokerState = { pid: child.pid, port, controllerPort, version };
  await writeFile(join(dir, 'broker.json'), `${JSON.stringify(state)}\n`);
  const address = `127.0.0.1:${port}`;
  await waitUntilAnswers(address, child.pid, dir, timeoutMs);
  return address;
}

async function waitUntilAnswers(address: string, pid: number, dir: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await brokerAnswers(address))) {
    if (!isAlive(pid)) {
      const tail = await readFile(join(dir, 'broker.out'), 'utf8').catch(() => '');
      throw new ArboretumError(
        'LOG_UNAVAILABLE',
        `the Kafka broker for ${dir} exited before answering; last output:\n${tail.split('\n').slice(-20).join('\n')}`,
      );
    }
    if (Date.now() > until) {
      throw new ArboretumError(
        'TIMEOUT',
        `the Kafka broker for ${dir} (pid ${pid}) did not answer at ${address} within ${timeoutMs} ms; see ${join(dir, 'broker.log')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
