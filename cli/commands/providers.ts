// kurir providers check: each provider's mode (live credentials or sandbox), where it is
// called, and its balance where the provider has a balance endpoint (which also proves the
// credentials). Exit 1 when any check fails.
import type { Command } from 'commander';
import { baseUrl, createProviderRegistry } from '../../providers/registry.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';

interface ProviderReport {
  provider: string;
  mode: string;
  baseUrl: string;
  channels: string[];
  balance?: { amount: number; unit: string };
  error?: string;
}

export function providerCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('providers')
    .description('configured providers')
    .command('check')
    .description('list providers (live or sandbox) and check balances')
    .action(async () => {
      const c = ctx();
      const registry = createProviderRegistry(c.config);
      const reports: ProviderReport[] = await Promise.all(
        registry.names.map(async (name) => {
          const p = registry.get(name);
          const report: ProviderReport = {
            provider: name,
            mode: registry.modes[name],
            baseUrl: baseUrl(c.config, name),
            channels: [...p.channels],
          };
          if (!p.getBalance) return report;
          try {
            const { amount, unit } = await p.getBalance();
            report.balance = { amount, unit };
          } catch (err) {
            report.error = (err instanceof Error ? err.message : String(err)).split('\n')[0];
          }
          return report;
        }),
      );
      c.print(
        reports,
        reports.map(
          (r) =>
            `${r.provider.padEnd(12)} ${r.mode.padEnd(8)} ${r.baseUrl}  ` +
            (r.error
              ? `error: ${r.error}`
              : r.balance
                ? `balance ${r.balance.amount} ${r.balance.unit}`
                : 'no balance endpoint'),
        ),
      );
      const failed = reports.filter((r) => r.error).map((r) => r.provider);
      if (failed.length) throw new CliError(EXIT.runtime, `provider check failed: ${failed.join(', ')}`);
    });
}
