// `npm run bench:otp`: OTP verify round trip (REST → Temporal Update → answer) against a bare
// HTTP round trip to a Fastify handler measured in the same run; and what the OTP guard adds to a
// start over REST, timed against a stack with the guard off in the same run (verify does not pass
// the guard).
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { OtpGuard } from '../api/otp-guard.js';
import { withHarness } from '../scripts/harness.js';
import { lastCodeSent } from '../test/helpers/codes.js';
import { scriptedNumber } from '../test/helpers/numbers.js';
import { eventually, startStack } from '../test/helpers/stack.js';
import { percentile, round1 } from './run-load.js';
import { writeResult } from './results.js';

const SAMPLES = Number(process.env.BENCH_OTP_SAMPLES ?? 200);
const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);

async function timed(fn: () => Promise<Response>): Promise<number> {
  const t = process.hrtime.bigint();
  const res = await fn();
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

await withHarness(log, async (h) => {
  Object.assign(process.env, h.env);
  const bare = Fastify();
  bare.post('/verify', async () => ({ status: 'approved', attemptsLeft: 4 }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/verify`;
  const stack = await startStack({
    logLevel: 'silent',
    env: {
      OTP_ALLOWED_COUNTRIES: 'ID',
      OTP_LIMIT_PER_API_KEY: '1000000/1 hour',
      OTP_LIMIT_PER_IP: '1000000/1 hour',
      OTP_LIMIT_PER_PREFIX: '1000000/1 hour',
    },
  });
  const headers = { authorization: 'Bearer dev-key', 'content-type': 'application/json' };

  const otps: Array<{ id: string; code: string }> = [];
  for (let i = 0; i < SAMPLES; i++) {
    const to = scriptedNumber();
    const res = await fetch(`${stack.apiUrl}/v1/otp`, { method: 'POST', headers, body: JSON.stringify({ to }) });
    const { id } = (await res.json()) as { id: string };
    otps.push({ id, code: await eventually(async () => lastCodeSent(stack.sandboxes, 'wappin', to), 10_000, 'code') });
  }
  const bareMs: number[] = [];
  const verifyMs: number[] = [];
  for (const [i, otp] of otps.entries()) {
    // Interleaved, so both see the same machine state.
    bareMs.push(
      await timed(() => fetch(bareUrl, { method: 'POST', headers, body: JSON.stringify({ code: otp.code }) })),
    );
    verifyMs.push(
      await timed(() =>
        fetch(`${stack.apiUrl}/v1/otp/${otp.id}/verify`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ code: otp.code }),
        }),
      ),
    );
    if (i === 0) {
      bareMs.pop();
      verifyMs.pop();
    } // warm-up
  }
  // The guard's cost on a start: POST /v1/otp on this stack (every window and the country list on,
  // limits too high to refuse) interleaved with a second stack whose guard is off (OTP_GUARD=false).
  const unguarded = await startStack({ logLevel: 'silent', env: { OTP_GUARD: 'false' } });
  const startOn: number[] = [];
  const startOff: number[] = [];
  for (let i = 0; i < SAMPLES * 2; i++) {
    for (const [api, out] of [
      [stack.apiUrl, startOn],
      [unguarded.apiUrl, startOff],
    ] as const) {
      const body = JSON.stringify({ to: scriptedNumber() });
      out.push(await timed(() => fetch(`${api}/v1/otp`, { method: 'POST', headers, body })));
    }
    if (i === 0) {
      startOn.pop();
      startOff.pop();
    } // warm-up
  }
  await unguarded.stop();
  // A start's p50 is dominated by Temporal (the 202 waits for the first send), so the difference
  // above is noisy; the guard's own work, timed alone, is what it adds to every start.
  const guard = new OtpGuard({ pool: stack.pool, config: stack.config });
  const req = { ip: '10.1.2.3' } as FastifyRequest;
  const reply = { header: () => reply } as unknown as FastifyReply;
  const admitMs: number[] = [];
  for (let i = 0; i < SAMPLES * 2; i++) {
    const t = process.hrtime.bigint();
    await guard.admit(req, reply, { to: scriptedNumber() }, `otp_bench_${randomUUID()}`);
    admitMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  await stack.stop();
  await bare.close();

  const result = {
    benchmark: 'otp-verify',
    samples: verifyMs.length,
    verifyMs: { p50: round1(percentile(verifyMs, 50)), p99: round1(percentile(verifyMs, 99)) },
    bareMs: { p50: round1(percentile(bareMs, 50)), p99: round1(percentile(bareMs, 99)) },
    startMs: {
      guardOn: { p50: round1(percentile(startOn, 50)), p99: round1(percentile(startOn, 99)) },
      guardOff: { p50: round1(percentile(startOff, 50)), p99: round1(percentile(startOff, 99)) },
      guardAddedP50: round1(percentile(startOn, 50) - percentile(startOff, 50)),
      samples: startOn.length,
    },
    guardAloneMs: {
      p50: round1(percentile(admitMs, 50)),
      p99: round1(percentile(admitMs, 99)),
      samples: admitMs.length,
    },
    targets: { p50: 15, p99: 50, guardAddedP50: 2 },
  };
  const met = {
    p50: result.verifyMs.p50 <= 15,
    p99: result.verifyMs.p99 <= 50,
    guardAddedP50: result.startMs.guardAddedP50 <= 2 && result.guardAloneMs.p50 <= 2,
  };
  writeResult('otp', { ...result, met });
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  process.stdout.write(
    `otp verify round trip: p50 ${result.verifyMs.p50} ms (target ≤15: ${mark(met.p50)}), p99 ${result.verifyMs.p99} ms (target ≤50: ${mark(met.p99)}); bare HTTP round trip p50 ${result.bareMs.p50} ms, p99 ${result.bareMs.p99} ms (ratio p50 ${round1(result.verifyMs.p50 / result.bareMs.p50)}x) over ${result.samples} verifications\n` +
      `otp start (POST /v1/otp): p50 ${result.startMs.guardOn.p50} ms with the guard, ${result.startMs.guardOff.p50} ms without (OTP_GUARD=false): the guard adds ${result.startMs.guardAddedP50} ms (target ≤2: ${mark(met.guardAddedP50)}) over ${result.startMs.samples} starts each; the guard alone p50 ${result.guardAloneMs.p50} ms, p99 ${result.guardAloneMs.p99} ms; verify does not pass the guard (adds 0)\n`,
  );
});
