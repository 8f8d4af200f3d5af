// KeyedMutex.idle(): what a shutdown waits for before it closes the database (app.ts).
import assert from 'node:assert/strict';
import { KeyedMutex } from '../../lib/concurrency/keyed-mutex';

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('KeyedMutex', () => {
  it('is idle at once when nothing runs', async () => {
    await new KeyedMutex().idle();
  });

  it('is idle only once every task of every key has ended, failed ones too', async () => {
    const mutex = new KeyedMutex();
    const ended: string[] = [];
    void mutex.run('a', async () => (await later(20), ended.push('a1')));
    void mutex.run('a', async () => (await later(20), ended.push('a2')));
    mutex
      .run('b', async () => {
        await later(30);
        ended.push('b1');
        throw new Error('refused');
      })
      .catch(() => undefined);
    await mutex.idle();
    assert.deepEqual(ended.sort(), ['a1', 'a2', 'b1']);
    assert.equal(mutex.size('a') + mutex.size('b'), 0);
  });
});
