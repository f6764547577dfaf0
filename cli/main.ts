// The `kurir` command (bin/kurir.js): a client of the kurir REST API, found with no variable set
// after `npm start` (cli/local-api.ts) or at KURIR_API_URL. Only `cancel otp_…` talks to Temporal.
// Exit codes: 0 ok, 1 runtime error, 2 usage or validation error, 3 refused, 4 not found.
import { Command } from 'commander';
import { campaignCommands } from './commands/campaign.js';
import { eventCommands } from './commands/events.js';
import { messageCommands } from './commands/message.js';
import { otpCommands } from './commands/otp.js';
import { providerCommands } from './commands/providers.js';
import { suppressionCommands } from './commands/suppressions.js';
import { CliContext } from './context.js';
import { describeError, EXIT } from './errors.js';
import { addExamples } from './examples.js';

const program = new Command('kurir')
  .description('kurir: omnichannel messages, OTPs and campaigns on Temporal')
  .option('--json', 'machine-readable output (one JSON document on stdout)')
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(`kurir: ${s.replace(/^error: /, '').trim()}\n`) });

let context: CliContext | undefined;
const ctx = () => (context ??= new CliContext(Boolean(program.opts<{ json?: boolean }>().json)));
messageCommands(program, ctx);
otpCommands(program, ctx);
campaignCommands(program, ctx);
providerCommands(program, ctx);
eventCommands(program, ctx);
suppressionCommands(program, ctx);
addExamples(program);

let exitCode: number = EXIT.ok;
try {
  await program.parseAsync();
} catch (err) {
  const { exitCode: code, line } = describeError(err);
  exitCode = code;
  if (line) process.stderr.write(`kurir: ${line}\n`);
}
await context?.close();
process.exit(exitCode);
