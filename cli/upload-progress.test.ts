// The upload's progress without a TTY: a line per quarter of the file, then "uploaded"; nothing with --json.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { uploadWithProgress } from './upload-progress.js';
import type { WatchMode } from './campaign-watch.js';

const dir = mkdtempSync(join(tmpdir(), 'kurir-upload-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function upload(file: string, mode: WatchMode): Promise<{ bytes: number; lines: string[] }> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (s: string) => lines.push(s) > 0;
  let bytes = 0;
  try {
    for await (const chunk of uploadWithProgress(file, mode)) bytes += chunk.length;
  } finally {
    process.stderr.write = write;
  }
  return { bytes, lines };
}

test('a large file reports each quarter, then the total; --json reports nothing', async () => {
  const file = join(dir, 'big.csv');
  writeFileSync(file, 'phone\n' + '+6281234567890\n'.repeat(40_000)); // 600 KB: ten 64 KiB chunks
  const lines = await upload(file, 'lines');
  assert.equal(lines.bytes, 600_006);
  assert.deepEqual(
    lines.lines.map((l) => l.replace(file, 'F')),
    [
      'uploading F: 25% (192.0 KiB of 585.9 KiB)\n',
      'uploading F: 50% (320.0 KiB of 585.9 KiB)\n',
      'uploading F: 75% (448.0 KiB of 585.9 KiB)\n',
      'uploaded F (585.9 KiB)\n',
    ],
  );
  assert.deepEqual((await upload(file, 'quiet')).lines, []);
});
