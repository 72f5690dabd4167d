/** Where one local broker listens and keeps its data. */
export interface BrokerLayout {
  /** Client (PLAINTEXT) port on 127.0.0.1. */
  readonly port: number;
  /** KRaft controller port on 127.0.0.1. */
  readonly controllerPort: number;
  /** Folder of the partition logs and KRaft metadata. */
  readonly dataDir: string;
}

/**
 * server.properties of a single combined broker+controller (KRaft) on loopback. Every internal topic gets
 * replication factor 1: left at 3 on one broker, consumer groups never find their coordinator.
 */
export function brokerProperties({ port, controllerPort, dataDir }: BrokerLayout): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'group.initial.rebalance.delay.ms=0',
    // 4.x: share groups' state topic (unknown to 3.x, which only warns).
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'message.max.bytes=16777216',
    'delete.topic.enable=true',
    // Small topics made by tests: do not keep a 10 MiB index preallocated per partition.
    'segment.index.bytes=1048576',
  ].join('\n')}\n`;
}

/** log4j 1 (reload4j) configuration: warnings and the start/stop lines to `file`. */
export function brokerLog4j(file: string): string {
  return `${[
    'log4j.rootLogger=WARN, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${file}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.server.KafkaRaftServer=INFO',
    'log4j.logger.kafka.server.BrokerServer=INFO',
  ].join('\n')}\n`;
}

/** log4j 2 configuration (Kafka 4.x), properties syntax: the same as brokerLog4j. */
export function brokerLog4j2(file: string): string {
  return `${[
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${file}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = warn',
    'rootLogger.appenderRef.file.ref = file',
    'logger.raft.name = kafka.server.KafkaRaftServer',
    'logger.raft.level = info',
    'logger.broker.name = kafka.server.BrokerServer',
    'logger.broker.level = info',
  ].join('\n')}\n`;
}
