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

/** Once per process (Temporal's rule): the first caller's options win, later calls do nothing. */
export function installRuntime(logger: Logger, opts: RuntimeMetricsOptions = {}): void {
  if (installed) return;
  installed = true;
  const log = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) => {
      const meta = entry.meta ?? {};
      switch (entry.level) {
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
    }),
    // Core's own logs go to the same logger at WARN and above.
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} }, ...metricsOption(opts) },
  });
}
