// Installs the Temporal Runtime once per process with the SDK's logs bridged into pino.
import { Runtime, DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../logging/logger.js';

let installed = false;

export interface RuntimeMetricsOptions {
  /** Serve the SDK's `temporal_*` metrics (Prometheus text at /metrics) on this port; 0 or unset: off. */
  metricsPort?: number;
  metricsHost?: string;
}

/** Telemetry's metrics part: a Prometheus exporter inside the Rust core, or none. */
function metricsOption(opts: RuntimeMetricsOptions) {
  if (!opts.metricsPort) return {};
  return { metrics: { prometheus: { bindAddress: `${opts.metricsHost ?? '127.0.0.1'}:${opts.metricsPort}` } } };
}

/**
 * Temporal's own chatter (the SDK's worker and core logs: state changes, bundling, polling) stays at
 * warn; LOG_LEVEL=debug or trace lets it through. A quieter LOG_LEVEL (error, silent) wins.
 */
export function chatterLevel(level: string): string {
  if (level === 'debug' || level === 'trace') return level;
  return level === 'info' ? 'warn' : level;
}

/** kurir's workflow and activity code logs through the SDK too: those lines keep kurir's level. */
const KURIR_COMPONENTS = new Set(['workflow', 'activity', 'nexus']);

/**
 * SDK warnings about what kurir does on purpose: the provider send queues' workers run activities
 * only, so each says at start it has no workflows. Logged at info (hidden with the other chatter).
 */
const EXPECTED_WARNINGS = [/^No workflows registered, not polling for workflow tasks/];

/** The SDK's log entries into pino: kurir's code at LOG_LEVEL, the SDK's own at chatterLevel. */
export function sdkLogSink(logger: Logger): (entry: LogEntry) => void {
  const own = logger.child({ component: 'temporal' });
  const chatter = logger.child({ component: 'temporal' }, { level: chatterLevel(logger.level) });
  return (entry) => {
    const meta = entry.meta ?? {};
    const log = KURIR_COMPONENTS.has(String(meta.sdkComponent)) ? own : chatter;
    const level = entry.level === 'WARN' && EXPECTED_WARNINGS.some((w) => w.test(entry.message)) ? 'INFO' : entry.level;
    switch (level) {
      case 'ERROR':
        log.error(meta, entry.message);
        break;
      case 'WARN':
        log.warn(meta, entry.message);
        break;
      case 'DEBUG':
      case 'TRACE':
        log.debug(meta, entry.message);
        break;
      default:
        log.info(meta, entry.message);
    }
  };
}

/** Once per process (Temporal's rule): the first caller's options win, later calls do nothing. */
export function installRuntime(logger: Logger, opts: RuntimeMetricsOptions = {}): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger('INFO', sdkLogSink(logger)),
    // Core's own logs go to the same logger at WARN and above.
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} }, ...metricsOption(opts) },
  });
}
