// `npm run bench:otp`: OTP verify round trip (REST → Temporal Update → answer) against a bare
// HTTP round trip to a Fastify handler measured in the same run; and what the OTP guard adds to a
// start, timed on and off in the same run (verify does not pass the guard).
import type { FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import { OtpGuard } from '../api/otp-guard.js';
import { loadConfig } from '../config/index.js';
import { withHarness } from '../scripts/harness.js';
import { lastCodeSent } from '../test/helpers/codes.js';
import { scriptedNumber } from '../test/helpers/numbers.js';
import { eventually, startStack } from '../test/helpers/stack.js';
import { percentile } from './run-load.js';
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
  const stack = await startStack({ logLevel: 'silent' });
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
  // The guard alone, interleaved on and off: every window and the country list on, against none.
  const on = new OtpGuard({
    pool: stack.pool,
    config: loadConfig({
      OTP_ALLOWED_COUNTRIES: 'ID',
      OTP_LIMIT_PER_API_KEY: '1000000/1 hour',
      OTP_LIMIT_PER_IP: '1000000/1 hour',
    }),
  });
  const off = new OtpGuard({
    pool: stack.pool,
    config: loadConfig({
      OTP_LIMIT_PER_API_KEY: 'off',
      OTP_LIMIT_PER_IP: 'off',
      OTP_LIMIT_PER_PREFIX: 'off',
      OTP_LIMIT_PER_COUNTRY: 'off',
    }),
  });
  const req = { ip: '10.1.2.3' } as FastifyRequest;
  const reply = { header: () => reply } as unknown as FastifyReply;
  const guardOnMs: number[] = [];
  const guardOffMs: number[] = [];
  for (let i = 0; i < SAMPLES * 2; i++) {
    const to = scriptedNumber();
    for (const [guard, out] of [
      [on, guardOnMs],
      [off, guardOffMs],
    ] as const) {
      const t = process.hrtime.bigint();
      await guard.admit(req, reply, { to }, `otp_bench_${i}_${out.length}`);
      out.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  await stack.stop();
  await bare.close();

  const r = (v: number) => Math.round(v * 10) / 10;
  const result = {
    benchmark: 'otp-verify',
    samples: verifyMs.length,
    verifyMs: { p50: r(percentile(verifyMs, 50)), p99: r(percentile(verifyMs, 99)) },
    bareMs: { p50: r(percentile(bareMs, 50)), p99: r(percentile(bareMs, 99)) },
    guardMs: {
      on: { p50: r(percentile(guardOnMs, 50)), p99: r(percentile(guardOnMs, 99)) },
      off: { p50: r(percentile(guardOffMs, 50)), p99: r(percentile(guardOffMs, 99)) },
      addedP50: r(percentile(guardOnMs, 50) - percentile(guardOffMs, 50)),
      samples: guardOnMs.length,
    },
    targets: { p50: 30, p99: 200, guardAddedP50: 2 },
  };
  const met = {
    p50: result.verifyMs.p50 <= 30,
    p99: result.verifyMs.p99 <= 200,
    guardAddedP50: result.guardMs.addedP50 <= 2,
  };
  writeResult('otp', { ...result, met });
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  process.stdout.write(
    `otp verify round trip: p50 ${result.verifyMs.p50} ms (target ≤30: ${mark(met.p50)}), p99 ${result.verifyMs.p99} ms (target ≤200: ${mark(met.p99)}); bare HTTP round trip p50 ${result.bareMs.p50} ms, p99 ${result.bareMs.p99} ms (ratio p50 ${r(result.verifyMs.p50 / result.bareMs.p50)}x) over ${result.samples} verifications\n` +
      `otp guard on a start: p50 ${result.guardMs.on.p50} ms on, ${result.guardMs.off.p50} ms off, adds ${result.guardMs.addedP50} ms (target ≤2: ${mark(met.guardAddedP50)}); verify does not pass the guard (adds 0)\n`,
  );
});
