// Builds kurir's workers: the main one (bundled workflows or a prebuilt bundle, and every
// activity from createActivities(deps)) plus one activity-only worker per provider that polls the
// provider's send queue, where the server caps sends at the provider's rate whatever the worker count.
import { NativeConnection, Worker } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { createMessageActivities, type SendStepInput } from '../activities/message-activities.js';
import { createSendPacer } from '../activities/send-pacer.js';
import { kurirDataConverter } from '../codec/data-converter.js';
import type { Config } from '../config/index.js';
import { PROVIDER_NAMES, type ProviderName } from '../providers/registry.js';
import { parseDurationMs } from '../domain/durations.js';
import { providerSendQueue } from '../workflows/task-queues.js';
import { workflowWebpackConfigHook } from './workflow-bundler-options.js';

export interface WorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Sends per second per provider (config PROVIDER_RATE_LIMITS). */
  rateLimits: Record<ProviderName, number>;
  /** A bundle made by bundleWorkflowCode (tests share one); otherwise the prebuilt one, or bundled at start. */
  workflowBundlePath?: string;
  maxConcurrentActivityTaskExecutions?: number;
  /** KURIR_ENCRYPTION_KEY: when set, every payload this worker reads or writes goes through the AES-GCM codec. */
  encryptionKey?: string;
}

/** The activities' settings from configuration: OTP limits and keys, opt-out keywords, the service window, circuit breakers. */
export function activitySettings(
  config: Config,
): Pick<
  ActivityDeps,
  'otpHmacKey' | 'otpSendLimit' | 'otpSendWindow' | 'recipientHashKey' | 'optKeywords' | 'serviceWindow' | 'breaker'
> {
  return {
    otpHmacKey: config.OTP_HMAC_KEY,
    recipientHashKey: config.RECIPIENT_HASH_KEY,
    otpSendLimit: config.OTP_SEND_LIMIT,
    otpSendWindow: config.OTP_SEND_WINDOW,
    optKeywords: { optOut: config.SUPPRESSION_OPT_OUT_KEYWORDS, optIn: config.SUPPRESSION_OPT_IN_KEYWORDS },
    serviceWindow: {
      providers: config.SERVICE_WINDOW_PROVIDERS,
      ms: parseDurationMs(config.WHATSAPP_SERVICE_WINDOW) ?? 86_400_000,
    },
    breaker: {
      failures: config.PROVIDER_BREAKER_FAILURES,
      cooldownMs: parseDurationMs(config.PROVIDER_BREAKER_COOLDOWN) ?? 30_000,
    },
  };
}

// Under tsx this module is workers/create-worker.ts next to the TypeScript workflows; built by
// `npm run build` it is dist/workers/create-worker.js next to their JavaScript.
const compiled = import.meta.url.endsWith('.js');
export const WORKFLOWS_PATH = fileURLToPath(new URL(`../workflows/index.${compiled ? 'js' : 'ts'}`, import.meta.url));
/** Workflow interceptors every bundle and worker includes (workflows/activation-guard.ts says why). */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  fileURLToPath(new URL(`../workflows/activation-guard.${compiled ? 'js' : 'ts'}`, import.meta.url)),
];

/**
 * The bundle `npm run build` writes next to the compiled code (dist/workflow-bundle.js), when this
 * is that compiled code: production skips the bundling at start (seconds of CPU per worker, and
 * webpack in the production process). Development (tsx) always bundles its current sources.
 */
export function prebuiltWorkflowBundle(): string | undefined {
  if (!compiled) return undefined;
  const path = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));
  return existsSync(path) ? path : undefined;
}

/** The main worker and the per-provider send workers, run and stopped together. */
export class KurirWorkers {
  constructor(
    readonly main: Worker,
    readonly senders: Worker[],
  ) {}

  get all(): Worker[] {
    return [this.main, ...this.senders];
  }

  async run(): Promise<void> {
    // If one worker fails, stop the others too, then surface the failure.
    const runs = this.all.map((w) =>
      w.run().catch((err: unknown) => {
        this.shutdown();
        throw err;
      }),
    );
    await Promise.all(runs);
  }

  shutdown(): void {
    for (const w of this.all) if (w.getState() === 'RUNNING') w.shutdown();
  }
}

export async function createKurirWorkers(opts: WorkerOptions): Promise<KurirWorkers> {
  const dataConverter = kurirDataConverter(opts.encryptionKey);
  // What the main worker and the send workers share.
  const common = {
    ...(dataConverter ? { dataConverter } : {}),
    connection: opts.connection,
    namespace: opts.namespace,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 100,
    shutdownGraceTime: '10 seconds',
  };
  const bundlePath = opts.workflowBundlePath ?? prebuiltWorkflowBundle();
  const main = await Worker.create({
    ...common,
    taskQueue: opts.taskQueue,
    ...(bundlePath
      ? { workflowBundle: { codePath: bundlePath } }
      : {
          workflowsPath: WORKFLOWS_PATH,
          interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
          bundlerOptions: { webpackConfigHook: workflowWebpackConfigHook },
        }),
    activities: createActivities(opts),
  });
  // The send queues' activities wait for a send slot: the server's cap alone lets bursts through.
  const messageActivities = createMessageActivities({ ...opts, pace: createSendPacer(opts.pool, opts.rateLimits) });
  const senders = await Promise.all(
    PROVIDER_NAMES.map((provider) =>
      Worker.create({
        ...common,
        taskQueue: providerSendQueue(opts.taskQueue, provider),
        activities: { sendStep: (input: SendStepInput) => messageActivities.sendStep(input) },
        maxTaskQueueActivitiesPerSecond: opts.rateLimits[provider],
      }),
    ),
  );
  return new KurirWorkers(main, senders);
}
