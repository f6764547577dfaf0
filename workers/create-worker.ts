// Builds a kurir worker: bundled workflows (or a prebuilt bundle) and activities from createActivities(deps).
import { NativeConnection, Worker } from '@temporalio/worker';
import { createRequire } from 'node:module';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { Config } from '../config/index.js';

const require = createRequire(import.meta.url);

export interface WorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A bundle made by bundleWorkflowCode (tests share one); otherwise workflows are bundled at start. */
  workflowBundlePath?: string;
  maxConcurrentActivityTaskExecutions?: number;
}

/** The OTP part of the activity dependencies, from configuration. */
export function otpSettings(config: Config): Pick<ActivityDeps, 'otpHmacKey' | 'otpSendLimit' | 'otpSendWindow'> {
  return { otpHmacKey: config.OTP_HMAC_KEY, otpSendLimit: config.OTP_SEND_LIMIT, otpSendWindow: config.OTP_SEND_WINDOW };
}

export const WORKFLOWS_PATH = require.resolve('../workflows/index.ts');

export async function createKurirWorker(opts: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundlePath ? { workflowBundle: { codePath: opts.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 100,
    shutdownGraceTime: '10 seconds',
  });
}
