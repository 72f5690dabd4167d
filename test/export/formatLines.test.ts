import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { NO_CONTEXT } from '../../pipelines/export/rowContext.ts';
import { arbitraryAssembled } from '../support/arbitraryAssembled.ts';

const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary-ascii' }),
  fc.constant('a"b\\c\n\t\u2028é'),
);

const assembled = arbitraryAssembled({ text });

describe('format lines', () => {
  it('every format writes exactly JSON.stringify of its records, for any text', () => {
    fc.assert(
      fc.property(assembled, (a) => {
        for (const format of exportFormats.values()) {
          if (format.kind !== a.kind) continue;
          const expected = format.records(a.row).map((r) => JSON.stringify(r));
          expect(format.lines(a.row), format.name).toEqual(expected);
          for (const line of expected) expect(line).not.toContain('\n');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('with a system message and a history, formats that take them put them first and stay one JSON line', () => {
    const history = fc.array(fc.record({ from: fc.constantFrom('user', 'assistant'), value: text }), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(assembled, fc.option(text, { nil: null }), history, (a, system, h) => {
        const ctx = { system, history: () => h };
        for (const format of exportFormats.values()) {
          if (format.kind !== a.kind) continue;
          const lines = format.lines(a.row, ctx);
          expect(lines, format.name).toEqual(format.records(a.row, ctx).map((r) => JSON.stringify(r)));
          if (!format.accepts.system && !format.accepts.context) {
            // Fixed public schemas: the context changes nothing.
            expect(lines, format.name).toEqual(format.lines(a.row, NO_CONTEXT));
            continue;
          }
          const text = lines.join('\n');
          if (system !== null && format.accepts.system)
            expect(text, format.name).toContain(JSON.stringify(system));
        }
      }),
      { numRuns: 300 },
    );
  });
});
