import { KAFKA_VERSION } from '../../connectors/log/kafka/broker/brokerJars.ts';
import { startBroker } from '../../connectors/log/kafka/broker/startBroker.ts';
import { stopBroker } from '../../connectors/log/kafka/broker/stopBroker.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { intFlag, parseFlags, wantsHelp } from '../args.ts';
import type { Command } from '../command.ts';
import { writeOut } from '../output.ts';

const help = `arboretum kafka — a local single-node Apache Kafka broker (KRaft), no Docker needed

Usage:
  arboretum kafka start --dir DIR [--port N] [--version V]
      Fetches the broker jars from Maven Central once (cached in ~/.cache/arboretum/kafka-V; $ARBORETUM_CACHE
      overrides), formats KRaft storage in DIR, starts a broker+controller on 127.0.0.1 (a free port unless --port;
      a restart in the same DIR keeps its port) and returns once it answers. Prints the bootstrap address
      127.0.0.1:PORT as its last line: use it as --log kafka://127.0.0.1:PORT.
      A broker already running for DIR is reused. Needs Java 17+ and, for the first start, Maven.
  arboretum kafka stop --dir DIR
      Stops the broker of DIR (SIGTERM, then SIGKILL after 30 s). Data stays in DIR.

Default version: ${KAFKA_VERSION}.`;

export const command: Command = {
  name: 'kafka',
  summary: 'start or stop a local single-node Kafka broker (no Docker needed)',
  help,
  subcommands: true,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || wantsHelp(argv)) {
      await writeOut(`${help}\n`);
      return sub ? 0 : 2;
    }
    const { values } = parseFlags(
      rest,
      { dir: { type: 'string' }, port: { type: 'string' }, version: { type: 'string' } },
      false,
    );
    if (!values.dir)
      throw new ArboretumError('INVALID_INPUT', `arboretum kafka ${sub}: --dir DIR is required`);
    if (sub === 'start') {
      const port = values.port === undefined ? undefined : intFlag('port', values.port, 0);
      if (port !== undefined && (port < 1 || port > 65535)) {
        throw new ArboretumError('INVALID_INPUT', `--port ${port}: expected 1..65535`);
      }
      const address = await startBroker({
        dir: values.dir,
        port,
        version: values.version,
        onProgress: (line) => process.stderr.write(`${line}\n`),
      });
      await writeOut(`${address}\n`);
      return 0;
    }
    if (sub === 'stop') {
      const pid = await stopBroker(values.dir);
      process.stderr.write(
        pid ? `stopped the broker (pid ${pid})\n` : `no broker was running for ${values.dir}\n`,
      );
      return 0;
    }
    throw new ArboretumError('INVALID_INPUT', `arboretum kafka ${sub}: expected start or stop`);
  },
};
