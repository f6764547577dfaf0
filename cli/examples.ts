// One example per command: `kurir --help` lists them all, `kurir <command> --help` shows its own.
import type { Command } from 'commander';

const EXAMPLES: Readonly<Record<string, string>> = {
  send: "kurir send --to +6281234567890 --step 'whatsapp:wappin:template=order_shipped:params=A-1' --step 'sms:sms-masking:text=Order A-1 shipped'",
  status: 'kurir status msg_…',
  cancel: 'kurir cancel msg_…',
  'otp send': 'kurir otp send --to +6281234567890 --strategy sms',
  'otp verify': 'kurir otp verify otp_… 123456',
  'otp resend': 'kurir otp resend otp_…',
  'otp blocks': 'kurir otp blocks',
  'otp stats': 'kurir otp stats --window 7d',
  'otp unblock': 'kurir otp unblock +6281299',
  'campaign start':
    "kurir campaign start recipients.csv --step 'whatsapp:wappin:template=promo:params=x' --step 'sms:sms-masking:text=Hi {{1}}'",
  'campaign status': 'kurir campaign status cmp_…',
  'campaign pause': 'kurir campaign pause cmp_…',
  'campaign resume': 'kurir campaign resume cmp_…',
  'campaign cancel': 'kurir campaign cancel cmp_…',
  'providers check': 'kurir providers check',
  events: 'kurir events --follow --types message.delivered',
  suppress: 'kurir suppress +6281234567890 --channel whatsapp --reason "asked by phone"',
  unsuppress: 'kurir unsuppress +6281234567890',
  suppressions: 'kurir suppressions --phone +6281234567890',
  preview: "kurir preview --to +6281234567890 --step 'sms:sms-masking:text=Halo Ana, pesanan A-1 sudah dikirim'",
};

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function leaves(cmd: Command): Command[] {
  return cmd.commands.length ? cmd.commands.flatMap(leaves) : [cmd];
}

/** Adds its example to each command's help, and every example to the program's. */
export function addExamples(program: Command): void {
  const listed: string[] = [];
  for (const cmd of leaves(program)) {
    const example = EXAMPLES[pathOf(cmd)];
    if (!example) continue;
    cmd.addHelpText('after', `\nExample:\n  $ ${example}`);
    listed.push(`  $ ${example}`);
  }
  program.addHelpText(
    'after',
    [
      '',
      'Examples:',
      ...listed,
      '',
      'The commands find the API of a running `npm start` by themselves (.kurir/local-api.json);',
      'KURIR_API_URL and KURIR_API_KEY point them at another one.',
    ].join('\n'),
  );
}
