import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openBrokerConnection } from '../../connectors/log/kafka/protocol/connection/brokerConnection.ts';
import { describeLogDirsRequest } from '../../connectors/log/kafka/protocol/describeLogDirs/describeLogDirsRequest.ts';
import { describeLogDirsResponse } from '../../connectors/log/kafka/protocol/describeLogDirs/describeLogDirsResponse.ts';
import { fetchRequest } from '../../connectors/log/kafka/protocol/fetch/fetchRequest.ts';
import { fetchResponse } from '../../connectors/log/kafka/protocol/fetch/fetchResponse.ts';
import { findCoordinatorRequest } from '../../connectors/log/kafka/protocol/findCoordinator/findCoordinatorRequest.ts';
import { findCoordinatorResponse } from '../../connectors/log/kafka/protocol/findCoordinator/findCoordinatorResponse.ts';
import { initProducerIdRequest } from '../../connectors/log/kafka/protocol/initProducerId/initProducerIdRequest.ts';
import { initProducerIdResponse } from '../../connectors/log/kafka/protocol/initProducerId/initProducerIdResponse.ts';
import { offsetCommitRequest } from '../../connectors/log/kafka/protocol/offsetCommit/offsetCommitRequest.ts';
import { offsetCommitResponse } from '../../connectors/log/kafka/protocol/offsetCommit/offsetCommitResponse.ts';
import { produceRequest } from '../../connectors/log/kafka/protocol/produce/produceRequest.ts';
import { produceResponse } from '../../connectors/log/kafka/protocol/produce/produceResponse.ts';
import { forEachRecord } from '../../connectors/log/kafka/protocol/recordBatch/recordBatches.ts';
import {
  encodeHeaders,
  RecordBatchWriter,
} from '../../connectors/log/kafka/protocol/recordBatch/recordBatchWriter.ts';
import { encodeRecordBatch } from '../support/encodeRecordBatch.ts';

// Byte fixtures written by hand from the Kafka protocol guide (kafka.apache.org/protocol, the non-flexible versions
// we send), spaces between fields. A request's body is what follows the request header.
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const bodyOf = (r: { body: Buffer[] }) => Buffer.concat(r.body);

describe('Kafka protocol byte fixtures', () => {
  it('Produce v3: request carries the batches as they are; response gives each partition its base offset', () => {
    const r = produceRequest({
      topic: 't',
      batches: [{ partition: 1, batch: hex('aabb') }],
      timeoutMs: 1000,
    });
    expect([r.apiKey, r.apiVersion]).toEqual([0, 3]);
    // transactional id null, acks -1, timeout 1000, 1 topic 't', 1 partition: 1, 2 bytes
    expect(bodyOf(r)).toEqual(hex('ffff ffff 000003e8 00000001 0001 74 00000001 00000001 00000002 aabb'));
    // 1 topic 't', 1 partition: 1, error 0, base offset 42, log append time -1; throttle 0
    const answer = hex('00000001 0001 74 00000001 00000001 0000 000000000000002a ffffffffffffffff 00000000');
    expect(produceResponse(answer)).toEqual([{ partition: 1, errorCode: 0, baseOffset: 42 }]);
  });

  it('Fetch v4: request from an offset; response keeps the record set as raw bytes', () => {
    const r = fetchRequest({
      maxWaitMs: 500,
      maxBytes: 1 << 20,
      isolationLevel: 1,
      topic: 't',
      partitions: [{ partition: 0, fetchOffset: 7, maxBytes: 65536 }],
    });
    expect([r.apiKey, r.apiVersion]).toEqual([1, 4]);
    // replica -1, max wait 500, min bytes 1, max bytes 1 MiB, read committed, 1 topic 't', partition 0 from 7, 64 KiB
    expect(bodyOf(r)).toEqual(
      hex(
        'ffffffff 000001f4 00000001 00100000 01 00000001 0001 74 00000001 00000000 0000000000000007 00010000',
      ),
    );
    // throttle 0, 1 topic 't', partition 0, error 0, high watermark 9, last stable 9, aborted null, 3 bytes
    const answer = hex(
      '00000000 00000001 0001 74 00000001 00000000 0000 0000000000000009 0000000000000009 ffffffff 00000003 010203',
    );
    expect(fetchResponse(answer)).toEqual([
      { partition: 0, errorCode: 0, highWatermark: 9, records: hex('010203') },
    ]);
    // An aborted-transaction list (producer id, first offset) is skipped; an error code is passed on.
    const withAborted = hex(
      '00000000 00000001 0001 74 00000001 00000002 0006 ffffffffffffffff ffffffffffffffff 00000001 0000000000000005 0000000000000003 ffffffff',
    );
    expect(fetchResponse(withAborted)).toEqual([
      { partition: 2, errorCode: 6, highWatermark: -1, records: null },
    ]);
  });

  it('InitProducerId v1: null transactional id; response gives producer id and epoch', () => {
    const r = initProducerIdRequest({ transactionTimeoutMs: 60_000 });
    expect([r.apiKey, r.apiVersion]).toEqual([22, 1]);
    expect(bodyOf(r)).toEqual(hex('ffff 0000ea60'));
    expect(initProducerIdResponse(hex('00000000 0000 0000000000001092 0003'))).toEqual({
      errorCode: 0,
      producerId: 4242,
      producerEpoch: 3,
    });
  });

  it('FindCoordinator v1 and OffsetCommit v2: a commit outside any group generation', () => {
    const find = findCoordinatorRequest({ groupId: 'g' });
    expect([find.apiKey, find.apiVersion]).toEqual([10, 1]);
    expect(bodyOf(find)).toEqual(hex('0001 67 00'));
    // throttle 0, error 0, message null, node 1, host '127.0.0.1', port 9092
    expect(
      findCoordinatorResponse(hex('00000000 0000 ffff 00000001 0009 3132372e302e302e31 00002384')),
    ).toEqual({
      errorCode: 0,
      errorMessage: null,
      nodeId: 1,
      address: '127.0.0.1:9092',
    });
    const commit = offsetCommitRequest({
      groupId: 'g',
      generationId: -1,
      memberId: '',
      topic: 't',
      partitions: [{ partition: 2, offset: 10 }],
    });
    expect([commit.apiKey, commit.apiVersion]).toEqual([8, 2]);
    // group 'g', generation -1, member '', retention -1, 1 topic 't', partition 2 at 10, metadata null
    expect(bodyOf(commit)).toEqual(
      hex('0001 67 ffffffff 0000 ffffffffffffffff 00000001 0001 74 00000001 00000002 000000000000000a ffff'),
    );
    expect(offsetCommitResponse(hex('00000001 0001 74 00000002 00000002 0000 00000003 0010'))).toEqual([
      { partition: 2, errorCode: 0 },
      { partition: 3, errorCode: 16 },
    ]);
  });

  it('DescribeLogDirs v1: every topic; response gives the bytes of each partition', () => {
    const r = describeLogDirsRequest();
    expect([r.apiKey, r.apiVersion]).toEqual([35, 1]);
    expect(bodyOf(r)).toEqual(hex('ffffffff'));
    // throttle 0, 1 dir: error 0, '/tmp', 1 topic 't', partition 0: 1024 bytes, lag 0, not future
    const answer = hex(
      '00000000 00000001 0000 0004 2f746d70 00000001 0001 74 00000001 00000000 0000000000000400 0000000000000000 00',
    );
    expect(describeLogDirsResponse(answer)).toEqual([
      { errorCode: 0, logDir: '/tmp', topics: [{ name: 't', partitions: [{ partition: 0, size: 1024 }] }] },
    ]);
  });

  // One record, key 'k', value 'v', no headers, timestamp 1000, producer 7 epoch 1, sequence 0. The CRC-32C
  // (0x23c8ee7d, of the bytes from the attributes on) was computed apart from our code, bit by bit.
  const ONE_RECORD_BATCH = hex(
    '0000000000000000 0000003a ffffffff 02 23c8ee7d 0000 00000000 00000000000003e8 00000000000003e8 ' +
      '0000000000000007 0001 00000000 00000001 ' +
      '10 00 00 00 02 6b 02 76 00',
  );

  it('record batch (magic 2): our encoding is the fixture byte for byte, and reads back', () => {
    const batch = encodeRecordBatch({
      records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [] }],
      timestamp: 1000,
      producerId: 7,
      producerEpoch: 1,
      baseSequence: 0,
    });
    expect(batch).toEqual(ONE_RECORD_BATCH);
    const read: unknown[] = [];
    forEachRecord(ONE_RECORD_BATCH, (r) =>
      read.push({ offset: r.offset, timestamp: r.timestamp, key: `${r.key}`, value: `${r.value}` }),
    );
    expect(read).toEqual([{ offset: 0, timestamp: 1000, key: 'k', value: 'v' }]);
  });
  // Two records, key 'k', header h=v; values '' (1-byte length prefixes: the value, written behind room for 2 + 2,
  // is moved) and 100 × 'a' (2-byte prefixes: written in place). Timestamp 1000, producer 7 epoch 1, sequence 5.
  // The CRC-32C (0x71edd814) was computed apart from our code, bit by bit.
  const TWO_RECORD_BATCH = hex(
    `0000000000000000 000000af ffffffff 02 71edd814 0000 00000001 00000000000003e8 00000000000003e8 
      0000000000000007 0001 00000005 00000002 
      16 00 00 00 02 6b 00 02 02 68 02 76 
      e001 00 00 02 02 6b c801 ${'61'.repeat(100)} 02 02 68 02 76`,
  );

  it('record batch writer: values written in place by the caller, length prefixes fixed up after, byte for byte', () => {
    // Written as the codec writes (into the batch's own Buffer, avsc's "bytes missing" answer when it does not
    // fit), into a Buffer that is too small at first and already holds other bytes (a pooled one).
    const writeText = (text: string, buf: Buffer, at: number) => {
      const end = at + Buffer.byteLength(text);
      if (end > buf.length) return buf.length - end;
      buf.write(text, at);
      return end;
    };
    const writer = new RecordBatchWriter(Buffer.alloc(1024, 0xee));
    const headers = encodeHeaders([[Buffer.from('h'), Buffer.from('v')]]);
    expect(headers).toEqual(hex('02 02 68 02 76'));
    expect(writer.add(Buffer.from('k'), '', writeText, headers)).toBe(true);
    expect(writer.add(Buffer.from('k'), 'a'.repeat(100), writeText, headers)).toBe(true);
    const identity = { timestamp: 1000, producerId: 7, producerEpoch: 1, baseSequence: 5 };
    expect(writer.finish({ ...identity, producerId: 99 }).readBigInt64BE(43)).toBe(99n);
    // Finished again under another producer id (a resend after UNKNOWN_PRODUCER_ID): the fixture again.
    expect(writer.finish(identity)).toEqual(TWO_RECORD_BATCH);
    expect(
      encodeRecordBatch({
        records: ['', 'a'.repeat(100)].map((v) => ({
          key: Buffer.from('k'),
          value: Buffer.from(v),
          headers: [[Buffer.from('h'), Buffer.from('v')] as const],
        })),
        ...identity,
      }),
    ).toEqual(TWO_RECORD_BATCH);
  });
});

describe('broker connection framing', () => {
  /** A TCP peer that records what it gets and answers with `answer(frames so far)`, split as `chunks` says. */
  async function peer(reply: (socket: Socket) => void) {
    const server = createServer(reply);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    return { address: `127.0.0.1:${port}`, close: () => server.close() };
  }

  it('writes size, api key, version, correlation id and client id; reads answers split and joined across chunks', async () => {
    const received: Buffer[] = [];
    const p = await peer((socket) => {
      let got = Buffer.alloc(0);
      socket.on('data', (d) => {
        got = Buffer.concat([got, d]);
        // Two requests in: answer both, the first split in three chunks and the second joined to the last one.
        if (got.length < 2 * 17) return; // two requests of 17 bytes
        received.push(got);
        const first = hex('0000000a 00000000 aabbccddeeff');
        const second = hex('00000005 00000001 99');
        socket.write(first.subarray(0, 2));
        setImmediate(() => {
          socket.write(first.subarray(2, 9));
          setImmediate(() => socket.write(Buffer.concat([first.subarray(9), second])));
        });
      });
    });
    const c = await openBrokerConnection({ address: p.address, clientId: 'ab' });
    const [a, b] = await Promise.all([
      c.request(1, 4, [hex('01')], 5000),
      c.request(22, 1, [hex('02')], 5000),
    ]);
    expect(a).toEqual(hex('aabbccddeeff'));
    expect(b).toEqual(hex('99'));
    // size 13, api 1 v4, correlation 0, client id 'ab', body 01; then api 22 v1, correlation 1, body 02
    expect(received[0]).toEqual(
      hex('0000000d 0001 0004 00000000 0002 6162 01 0000000d 0016 0001 00000001 0002 6162 02'),
    );
    c.close();
    p.close();
  });

  it('reads big answers (above its 64 KiB scratch) whole, whatever the chunks, between small ones', async () => {
    const big = (id: number, n: number) => {
      const frame = Buffer.alloc(8 + n);
      frame.writeInt32BE(4 + n, 0);
      frame.writeInt32BE(id, 4);
      for (let i = 0; i < n; i++) frame[8 + i] = (i * 7 + id) & 0xff;
      return frame;
    };
    // Answers: small, 200 KB, small, 65,529 B (its frame one byte above the scratch), 3 MB; sent as one stream cut
    // at odd places (a size split in two, a big answer's start in the same chunk as the end of a small one).
    const answers = [
      hex('00000005 00000000 11'),
      big(1, 200_000),
      hex('00000005 00000002 22'),
      big(3, 65_529),
      big(4, 3 << 20),
    ];
    const p = await peer((socket) => {
      let got = 0;
      socket.on('data', (d) => {
        got += d.length;
        if (got < 5 * 15) return; // five requests of 15 bytes
        const all = Buffer.concat(answers);
        const cuts = [2, 3, 20, 70_000, 200_013, 200_020, 265_600, all.length];
        let from = 0;
        const next = (i: number) => {
          if (i === cuts.length) return;
          socket.write(all.subarray(from, cuts[i]));
          from = cuts[i];
          setImmediate(() => next(i + 1));
        };
        next(0);
      });
    });
    const c = await openBrokerConnection({ address: p.address, clientId: 'x' });
    const got = await Promise.all(answers.map(() => c.request(1, 4, [], 5000)));
    // Buffer.equals: a deep toEqual over 3 MB took half a minute on the loaded machine.
    expect(got.map((g) => g.length)).toEqual(answers.map((a) => a.length - 8));
    expect(got.map((g, i) => g.equals(answers[i].subarray(8)))).toEqual(answers.map(() => true));
    c.close();
    p.close();
  });

  it('fails the requests in flight, retriable, when the broker goes away; later requests fail at once', async () => {
    const p = await peer((socket) => socket.on('data', () => socket.destroy()));
    const c = await openBrokerConnection({ address: p.address, clientId: 'x' });
    await expect(c.request(1, 4, [hex('00')], 5000)).rejects.toMatchObject({
      retriable: true,
      message: expect.stringContaining(p.address),
    });
    expect(c.closed).toBe(true);
    await expect(c.request(1, 4, [], 5000)).rejects.toMatchObject({ retriable: true });
    p.close();
  });
});
