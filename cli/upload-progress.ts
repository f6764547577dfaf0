// The CSV upload of `kurir campaign start`, read from disk with its progress: a bar in a terminal,
// a line per quarter otherwise, nothing with --json.
import { createReadStream, statSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import type { WatchMode } from './campaign-watch.js';

const KIB = 1024;
function size(n: number): string {
  if (n < KIB) return `${n} B`;
  return n < KIB * KIB ? `${(n / KIB).toFixed(1)} KiB` : `${(n / KIB / KIB).toFixed(1)} MiB`;
}

/** The file's bytes as a stream that reports how much of it was handed to the upload. */
export async function* uploadWithProgress(file: string, mode: WatchMode): AsyncGenerator<Buffer> {
  const total = statSync(file).size;
  const bar =
    mode === 'bar'
      ? new SingleBar(
          { stream: process.stderr, hideCursor: true, format: 'upload   {bar} {percentage}% | {sent} of {size}' },
          Presets.shades_classic,
        )
      : undefined;
  bar?.start(total, 0, { sent: size(0), size: size(total) });
  let sent = 0;
  let quarter = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      const bytes = chunk as Buffer;
      yield bytes;
      sent += bytes.length;
      bar?.update(sent, { sent: size(sent), size: size(total) });
      const reached = total ? Math.floor((sent / total) * 4) : 4;
      if (mode === 'lines' && reached > quarter && reached < 4) {
        quarter = reached;
        process.stderr.write(`uploading ${file}: ${reached * 25}% (${size(sent)} of ${size(total)})\n`);
      }
    }
    if (mode === 'lines') process.stderr.write(`uploaded ${file} (${size(sent)})\n`);
  } finally {
    bar?.stop();
  }
}
