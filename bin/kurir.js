#!/usr/bin/env node
// Launcher of the `kurir` command. In a checkout (the TypeScript sources here and tsx, a
// devDependency, installed) it runs the sources through tsx's ESM loader: an edit needs no rebuild
// and a stale dist/ is never run. Elsewhere (a production image, whose install has no tsx) it runs
// dist/cli/main.js, compiled by `npm run build`.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const source = new URL('../cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const tsx = existsSync(source) ? await import('tsx/esm/api').catch(() => undefined) : undefined;

if (tsx) {
  tsx.register();
  await import(source.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write('kurir: neither tsx (a devDependency) nor dist/cli/main.js is there: run `npm run build`\n');
  process.exit(1);
}
