import { describe, expect, it } from 'vitest';
import { Handover } from '../../src/repositories/seam/routed.js';

/** A promise and its resolver, to hold a call open until the test lets it finish. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
/** A recheck that confirms the authority first chosen. */
const same = (authority: 'mongo' | 'pg') => () => Promise.resolve(authority);
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Handover: one authority at a time per collection, within a process', () => {
  it('runs calls of one authority side by side', async () => {
    const handover = new Handover();
    const first = gate();
    const started: string[] = [];
    const a = handover.run('mongo', same('mongo'), async () => {
      started.push('a');
      await first.opened;
    });
    const b = handover.run('mongo', same('mongo'), async () => {
      started.push('b');
    });
    await b;
    expect(started).toEqual(['a', 'b']);
    first.open();
    await a;
  });

  it('starts the new authority only after every call of the old one has finished', async () => {
    const handover = new Handover();
    const slow = gate();
    const slower = gate();
    const events: string[] = [];
    const old1 = handover.run('mongo', same('mongo'), async () => {
      await slow.opened;
      events.push('mongo 1 done');
    });
    const old2 = handover.run('mongo', same('mongo'), async () => {
      await slower.opened;
      events.push('mongo 2 done');
    });
    const next = handover.run('pg', same('pg'), async () => {
      events.push('pg started');
    });
    await tick();
    expect(events).toEqual([]);
    slow.open();
    await old1;
    await tick();
    expect(events).toEqual(['mongo 1 done']);
    slower.open();
    await Promise.all([old2, next]);
    expect(events).toEqual(['mongo 1 done', 'mongo 2 done', 'pg started']);
  });

  it('asks again after waiting: a switch the finished calls undid is not made', async () => {
    const handover = new Handover();
    const slow = gate();
    const old = handover.run('mongo', same('mongo'), () => slow.opened);
    let ran: string | undefined;
    // Routed to pg when it arrived; by the time the mongo call has finished, the routing says mongo again.
    const next = handover.run('pg', same('mongo'), async (authority) => {
      ran = authority;
    });
    slow.open();
    await Promise.all([old, next]);
    expect(ran).toBe('mongo');
  });

  it('lets a failed call release its authority', async () => {
    const handover = new Handover();
    await expect(
      handover.run('pg', same('pg'), async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await expect(handover.run('mongo', same('mongo'), async () => 'ok')).resolves.toBe('ok');
  });
});
