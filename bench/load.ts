// A small HTTP load generator run as its own process (so it does not share the server's event
// loop): N POSTs at a fixed concurrency over keep-alive; the body template's "{i}" is the request number.
import { Agent, request } from 'node:http';

const [url, n, concurrency, headersJson, bodyTemplate] = process.argv.slice(2);
const total = Number(n);
const target = new URL(url!);
const headers = JSON.parse(headersJson ?? '{}') as Record<string, string>;
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const statuses: Record<number, number> = {};
let next = 0;
let errors = 0;

function one(i: number): Promise<void> {
  const body = (bodyTemplate ?? '').replaceAll('{i}', String(i));
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        method: 'POST',
        hostname: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
}

async function lane(): Promise<void> {
  while (next < total) await one(next++);
}

const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: Number(concurrency) }, lane));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
agent.destroy();
process.stdout.write(JSON.stringify({ requests: total, seconds, rps: total / seconds, errors, statuses }));
