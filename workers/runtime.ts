// Installs the Temporal Runtime once per process with the SDK's logs bridged into pino.
import { Runtime, DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../logging/logger.js';

let installed = false;

export function installRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  const log = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) => {
      const meta = entry.meta ?? {};
      switch (entry.level) {
        case 'ERROR': log.error(meta, entry.message); break;
        case 'WARN': log.warn(meta, entry.message); break;
        case 'DEBUG': case 'TRACE': log.debug(meta, entry.message); break;
        default: log.info(meta, entry.message);
      }
    }),
    // Core's own logs go to the same logger at WARN and above.
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}
