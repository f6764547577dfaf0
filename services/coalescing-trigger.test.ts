// The coalescing trigger: one run at a time, any burst of wake-ups during a run costs one more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoalescingTrigger } from './coalescing-trigger.js';

const tick = () => new Promise((r) => setImmediate(r));

test('a burst of wake-ups during a run makes one more run, never two at once', async () => {
  let runs = 0;
  let concurrent = 0;
  let release: () => void = () => undefined;
  const trigger = new CoalescingTrigger(
    async () => {
      runs++;
      assert.equal(++concurrent, 1, 'one run at a time');
      await new Promise<void>((r) => {
        release = r;
      });
      concurrent--;
    },
    (err) => assert.fail(String(err)),
  );
  trigger.fire();
  for (let i = 0; i < 5; i++) trigger.fire();
  assert.equal(runs, 1);
  release();
  await tick();
  assert.equal(runs, 2, 'once more for the burst');
  release();
  await tick();
  assert.equal(runs, 2, 'nothing was asked for during the second run');
});

test('a failed run is reported and the next wake-up runs again; stop waits and ends the runs', async () => {
  const errors: unknown[] = [];
  let runs = 0;
  const trigger = new CoalescingTrigger(
    async () => {
      if (++runs === 1) throw new Error('down');
    },
    (err) => errors.push(err),
  );
  trigger.fire();
  await tick();
  assert.equal(errors.length, 1);
  trigger.fire();
  await trigger.stop();
  assert.equal(runs, 2);
  trigger.fire();
  await tick();
  assert.equal(runs, 2, 'no run after stop');
  trigger.resume();
  trigger.fire();
  await trigger.stop();
  assert.equal(runs, 3, 'runs again after resume');
});
