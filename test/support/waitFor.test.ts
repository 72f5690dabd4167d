import { describe, expect, it } from 'vitest';
import { waitFor } from './waitFor.ts';

describe('waitFor', () => {
  it('returns once the check holds, checking again until then', async () => {
    let calls = 0;
    await waitFor(() => ++calls === 3, { what: 'the third call', everyMs: 1 });
    expect(calls).toBe(3);
  });

  it('treats a throwing check as not yet, so a check may hold expectations', async () => {
    let calls = 0;
    await waitFor(
      async () => {
        calls++;
        expect(calls).toBeGreaterThan(1);
        return true;
      },
      { what: 'a second call', everyMs: 1 },
    );
    expect(calls).toBe(2);
  });

  it('fails after the deadline naming what it waited for, with the last error as cause', async () => {
    const never = await waitFor(() => false, { what: 'a server that never answers', deadlineMs: 20 }).catch(
      (e: Error) => e,
    );
    expect(never).toBeInstanceOf(Error);
    expect((never as Error).message).toBe('timed out after 20 ms waiting for a server that never answers');
    const failing = await waitFor(
      () => {
        throw new Error('2 rows, not 3');
      },
      { what: '3 rows', deadlineMs: 20 },
    ).catch((e: Error) => e);
    expect((failing as Error).message).toBe(
      'timed out after 20 ms waiting for 3 rows; last check: 2 rows, not 3',
    );
    expect(((failing as Error).cause as Error).message).toBe('2 rows, not 3');
  });
});
