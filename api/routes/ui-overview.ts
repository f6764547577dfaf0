// JSON the dashboard needs beyond the REST API: its settings, the campaign list, a campaign's
// sends per minute against the provider cap, recent OTPs (never codes) and provider health.
import { circuitOf } from './providers.js';
import { listCircuits } from '../../db/circuits.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countRecipients, getCampaign } from '../../db/campaigns.js';
import { callbackStats, campaignSendsPerMinute, listCampaigns, recentOtps } from '../../db/dashboard.js';
import { campaignProgressFromCounts, FINAL_CAMPAIGN_STATUSES } from '../../domain/campaign-progress.js';
import type { OtpState } from '../../workflows/otp-types.js';
import { otpStatusQuery } from '../../workflows/messages.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { callbackIngestLag } from '../metrics.js';

const BALANCE_TTL_MS = 30_000;
const campaignId = z.object({ id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be a campaign id') });
const CALLBACK_WINDOW_S = 300;

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends per second per provider (PROVIDER_RATE_LIMITS over the descriptors' defaults); a config without it (tests) → no cap line. */
function providerCaps(config: AppDeps['config']): Record<string, number> {
  return { ...config.PROVIDER_RATE_LIMITS };
}

export const uiOverviewRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/ui/config',
    { schema: { tags: ['dashboard'], summary: 'Dashboard settings: Temporal UI link, namespace, provider caps' } },
    async () => ({
      temporalUiUrl: deps.config.TEMPORAL_UI_URL ?? null,
      namespace: deps.config.TEMPORAL_NAMESPACE,
      providerCapsPerSecond: providerCaps(deps.config),
    }),
  );

  app.get(
    '/v1/ui/campaigns',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Campaigns, newest first',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      },
    },
    async (req) => ({ campaigns: await listCampaigns(deps.pool, req.query.limit) }),
  );

  app.get(
    '/v1/ui/campaigns/:id/rate',
    {
      schema: {
        tags: ['dashboard'],
        summary: "Provider sends per minute of a campaign, with each provider's cap",
        params: campaignId,
      },
    },
    async (req) => {
      const rows = await campaignSendsPerMinute(deps.pool, req.params.id);
      const caps = providerCaps(deps.config);
      const providers = [...new Set(rows.map((r) => r.provider))];
      return {
        minutes: rows.map((r) => ({ minute: r.minute.toISOString(), provider: r.provider, sends: r.sends })),
        capsPerMinute: Object.fromEntries(
          providers.filter((p) => caps[p] !== undefined).map((p) => [p, caps[p]! * 60]),
        ),
      };
    },
  );

  // A finished campaign's numbers are final in PostgreSQL: answering from there spares a query
  // that would replay the closed workflow's history (the dashboard's first render waits on it).
  app.get(
    '/v1/ui/campaigns/:id/summary',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'A campaign as PostgreSQL has it: status, counts per outcome and provider',
        params: campaignId,
      },
    },
    async (req) => {
      const c = await getCampaign(deps.pool, req.params.id);
      if (!c) throw notFound(`campaign ${req.params.id}`);
      const counts = await countRecipients(deps.pool, c.id);
      const progress = campaignProgressFromCounts(c, counts);
      return {
        name: c.name,
        status: c.status,
        final: FINAL_CAMPAIGN_STATUSES.has(c.status),
        ...(c.failure_reason ? { failureReason: c.failure_reason } : {}),
        ...progress,
      };
    },
  );

  // Final OTP states never change: keep them; pending ones are asked again next time.
  const finalOtps = new Map<string, OtpState>();
  async function otpState(id: string): Promise<OtpState | { error: string }> {
    const known = finalOtps.get(id);
    if (known) return known;
    try {
      const s = await withTimeout(
        deps.temporal.workflow.getHandle(id).query(otpStatusQuery),
        5_000,
        'OTP status query',
      );
      if (s.status !== 'pending') {
        finalOtps.set(id, s);
        if (finalOtps.size > 5_000) finalOtps.delete(finalOtps.keys().next().value!);
      }
      return s;
    } catch (err) {
      return { error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
    }
  }

  app.get(
    '/v1/ui/otps',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Recent OTPs (status, channel, attempts; never the code) and approved/sent per channel',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      },
    },
    async (req) => {
      const rows = await recentOtps(deps.pool, req.query.limit);
      const otps = await Promise.all(
        rows.map(async (r) => {
          const s = await otpState(r.otp_id);
          const channel =
            'error' in s ? r.channels[r.channels.length - 1] : (s.channel ?? r.channels[r.channels.length - 1]);
          return {
            id: r.otp_id,
            sends: r.sends,
            firstSentAt: r.first_sent_at.toISOString(),
            lastSentAt: r.last_sent_at.toISOString(),
            channel: channel ?? null,
            providers: [...new Set(r.providers)],
            ...('error' in s
              ? { status: 'unknown', error: s.error }
              : { status: s.status, attempts: s.attempts, attemptsLeft: s.attemptsLeft, mode: s.mode }),
          };
        }),
      );
      const byChannel: Record<string, { sent: number; approved: number }> = {};
      for (const o of otps) {
        const c = (byChannel[o.channel ?? 'unknown'] ??= { sent: 0, approved: 0 });
        c.sent++;
        if (o.status === 'approved') c.approved++;
      }
      return {
        otps,
        conversion: Object.entries(byChannel).map(([channel, c]) => ({
          channel,
          ...c,
          rate: c.sent ? c.approved / c.sent : 0,
        })),
      };
    },
  );

  type BalanceAnswer = { amount: number; unit: string } | { error: string } | null;
  let balances: { at: number; value: Promise<Map<string, BalanceAnswer>> } | undefined;
  // Balance calls go to the providers: at most one round per 30 s whatever the polling.
  function checkBalances(): Promise<Map<string, BalanceAnswer>> {
    if (balances && Date.now() - balances.at < BALANCE_TTL_MS) return balances.value;
    const value = Promise.all(
      deps.providers.names.map(async (name): Promise<[string, BalanceAnswer]> => {
        const p = deps.providers.get(name);
        if (!p.getBalance) return [name, null];
        try {
          const b = await withTimeout(p.getBalance(), 5_000, 'balance');
          return [name, { amount: b.amount, unit: b.unit }];
        } catch (err) {
          return [name, { error: err instanceof Error ? err.message.split('\n')[0]! : String(err) }];
        }
      }),
    ).then((e) => new Map(e));
    balances = { at: Date.now(), value };
    return value;
  }

  app.get(
    '/v1/ui/providers',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Providers: sandbox or live, balance, last error, callback ingest rate and lag',
      },
    },
    async () => {
      const [bal, stats, lag, circuits] = await Promise.all([
        checkBalances(),
        callbackStats(deps.pool, CALLBACK_WINDOW_S),
        callbackIngestLag.get(),
        listCircuits(deps.pool),
      ]);
      const caps = providerCaps(deps.config);
      return {
        windowSeconds: CALLBACK_WINDOW_S,
        providers: deps.providers.names.map((name) => {
          const s = stats.find((x) => x.provider === name);
          const p = deps.providers.get(name);
          const b = bal.get(name) ?? null;
          // This API process's histogram: provider event time → stored.
          const sum = lag.values.find(
            (v) => v.metricName === 'kurir_callback_ingest_lag_seconds_sum' && v.labels.provider === name,
          )?.value;
          const count = lag.values.find(
            (v) => v.metricName === 'kurir_callback_ingest_lag_seconds_count' && v.labels.provider === name,
          )?.value;
          return {
            name,
            mode: deps.providers.modes[name],
            channels: [...p.channels],
            capPerSecond: caps[name] ?? null,
            circuit: circuitOf(circuits, name),
            balance: b && 'amount' in b ? b : null,
            lastError: (b && 'error' in b ? b.error : null) ?? s?.lastError ?? null,
            callbacks: {
              perMinute: s ? s.received / (CALLBACK_WINDOW_S / 60) : 0,
              lastReceivedAt: s?.lastReceivedAt?.toISOString() ?? null,
              unrelayed: s?.unrelayed ?? 0,
              avgRelayLagSeconds: s?.avgRelayLagSeconds ?? null,
              avgIngestLagSeconds: count ? (sum ?? 0) / count : null,
            },
          };
        }),
      };
    },
  );
};
