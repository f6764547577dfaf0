// The dev server's task-queue partitions: one for new state (so a paced queue reaches its cap),
// and for a state file from before the setting, still four read partitions so no task is stranded.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { partitionArgs } from './temporal.js';

const dir = mkdtempSync(join(tmpdir(), 'kurir-partitions-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const values = (args: string[]) => args.filter((_, i) => args[i - 1] === '--dynamic-config-value').sort();
const both = ['matching.numTaskqueueReadPartitions=1', 'matching.numTaskqueueWritePartitions=1'];

test('an in-memory dev server and new state read and write one partition; the new state is marked', () => {
  assert.deepEqual(values(partitionArgs()), both);
  const db = join(dir, 'new.sqlite');
  assert.deepEqual(values(partitionArgs(db)), both);
  assert.ok(existsSync(`${db}.one-partition`));
  writeFileSync(db, ''); // the server created it
  assert.deepEqual(values(partitionArgs(db)), both, 'marked state keeps one partition');
});

test('state from before the setting writes one partition and still reads all, until it is deleted', () => {
  const db = join(dir, 'old.sqlite');
  writeFileSync(db, '');
  assert.deepEqual(values(partitionArgs(db)), ['matching.numTaskqueueWritePartitions=1']);
  assert.deepEqual(
    values(partitionArgs(db)),
    ['matching.numTaskqueueWritePartitions=1'],
    'no marker was written for it',
  );
  rmSync(db);
  assert.deepEqual(values(partitionArgs(db)), both);
});
