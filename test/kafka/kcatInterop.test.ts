import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { codecs } from '../../schemas/codec.ts';
import { sampleTreeEvents } from '../contract/sampleRecords.ts';
import { deleteNamespace, freshNamespace, openTestLog, testBrokers } from './kafkaTestLog.ts';

const schemas = join(import.meta.dirname, '../../schemas/avro');

// kcat (librdkafka, C) consumes the topic; Python's avro package decodes each value with our .avsc: the 10-byte
// single-object header (C3 01 + CRC-64-AVRO fingerprint) is stripped, the body read with the schema.
const script = `
import io, json, subprocess, sys
import avro.io, avro.schema
brokers, topic, schemas = sys.argv[1:4]
instruction = open(schemas + '/Instruction.avsc').read()
tree_event = open(schemas + '/TreeEvent.avsc').read().replace('"type": "Instruction"', '"type": ' + instruction)
schema = avro.schema.parse(tree_event)
fingerprint = schema.fingerprint('CRC-64-AVRO').hex()
raw = subprocess.run(
    ['kcat', '-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %k %h %S\\n%s\\n'],
    check=True, capture_output=True, timeout=60).stdout
out, at = [], 0
while at < len(raw):
    end = raw.index(b'\\n', at)
    partition, offset, key, headers, size = raw[at:end].decode().split(' ')
    value = raw[end + 1:end + 1 + int(size)]
    at = end + 1 + int(size) + 1
    assert value[:2] == b'\\xc3\\x01', 'no single-object marker'
    assert value[2:10].hex() == fingerprint, 'fingerprint differs from CRC-64-AVRO of the .avsc'
    record = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
    out.append({'partition': int(partition), 'offset': int(offset), 'key': key,
                'headers': dict(h.split('=', 1) for h in headers.split(',')), 'value': record})
print(json.dumps(out))
`;

describe('interop: kcat and Python avro read our topics', () => {
  let log: EventLog | undefined;
  let namespace = '';
  afterEach(async () => {
    await log?.close();
    await deleteNamespace(namespace);
  });

  it('decodes every tree event kcat consumes into the values we appended', async () => {
    namespace = freshNamespace();
    log = await openTestLog(namespace);
    const events = [1, 2, 3].flatMap((n) => sampleTreeEvents(n, `Step 1: ✓ ünïcode 🌳 ${n}`));
    await log.append(
      topics.treeEvents,
      events.map((value) => ({ value })),
    );
    const brokers = (await testBrokers()).join(',');
    const py = spawnSync('python3', ['-c', script, brokers, `${namespace}tree-events`, schemas], {
      encoding: 'utf8',
    });
    expect(py.stderr).toBe('');
    const theirs: {
      partition: number;
      offset: number;
      key: string;
      headers: Record<string, string>;
      value: any;
    }[] = JSON.parse(py.stdout);
    expect(theirs).toHaveLength(events.length);
    // Python's reader gives a union's branch value without its name: compare against ours the same way.
    const ours = new Map(
      events.map((e) => {
        const avro = codecs.TreeEvent.toAvro(e) as any;
        const { kind: _kind, ...fields } = Object.values(avro.payload)[0] as Record<string, unknown>;
        return [e.eventId, { event: e, avro: JSON.parse(JSON.stringify({ ...avro, payload: fields })) }];
      }),
    );
    for (const r of theirs) {
      const mine = ours.get(r.value.eventId)!;
      expect(r.value).toEqual(mine.avro);
      expect(r.key).toBe(mine.event.treeId);
      expect(r.headers['arboretum.kind']).toBe(mine.event.payload.kind);
      expect(r.headers['arboretum.fingerprint']).toBe(codecs.TreeEvent.fingerprint.toString('hex'));
    }
    // Per tree, kcat sees the events in the order we appended them.
    for (const n of [1, 2, 3]) {
      const tree = sampleTreeEvents(n);
      const seen = theirs.filter((r) => r.key === tree[0].treeId).sort((a, b) => a.offset - b.offset);
      expect(seen.map((r) => r.value.seq)).toEqual(tree.map((e) => e.seq));
    }
  });
});
