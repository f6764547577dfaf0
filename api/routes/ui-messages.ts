// GET /v1/ui/messages?q=: the dashboard's message search. A message id, a reference
// (KurirReference search attribute), or a phone number: its hash (KurirRecipientHash, the number
// itself is never a search attribute) plus the campaign messages sent to it.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recipientHash } from '../../lib/crypto/recipient-hash.js';
import { campaignMessagesOf } from '../../db/dashboard.js';
import { parsePhone } from '../../providers/phone.js';
import { MESSAGE_WORKFLOW_TYPE } from '../../workflows/messages.js';
import type { AppDeps } from '../deps.js';
import { recipientMessageStatus } from '../../app/recipient-message.js';

const LIMIT = 50;
const hit = z.object({
  id: z.string(),
  matchedBy: z.enum(['id', 'reference', 'phone']),
  status: z.string(),
  startedAt: z.string().nullable(),
  campaignId: z.string().optional(),
});
type Hit = z.infer<typeof hit>;

function phoneOf(q: string): string | undefined {
  if (!/^\+?[\d\s().-]{6,20}$/.test(q)) return undefined;
  try {
    return parsePhone(q, 'ID', 'q').e164;
  } catch {
    return undefined;
  }
}

export const uiMessageRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  async function listWorkflows(query: string, matchedBy: Hit['matchedBy']): Promise<Hit[]> {
    const out: Hit[] = [];
    for await (const wf of deps.temporal.workflow.list({ query, pageSize: LIMIT })) {
      out.push({
        id: wf.workflowId,
        matchedBy,
        status: wf.status.name.toLowerCase(),
        startedAt: wf.startTime.toISOString(),
      });
      if (out.length >= LIMIT) break;
    }
    return out;
  }

  async function byId(id: string): Promise<Hit[]> {
    // A campaign recipient's message runs inside its campaign: no workflow of its own to describe.
    const recipient = await recipientMessageStatus(deps, id).catch(() => undefined);
    if (recipient)
      return [
        { id, matchedBy: 'id', status: recipient.state, startedAt: null, campaignId: id.slice(0, id.lastIndexOf(':')) },
      ];
    try {
      const d = await deps.temporal.workflow.getHandle(id).describe();
      if (d.type !== MESSAGE_WORKFLOW_TYPE) return [];
      return [{ id, matchedBy: 'id', status: d.status.name.toLowerCase(), startedAt: d.startTime.toISOString() }];
    } catch {
      return [];
    }
  }

  app.get(
    '/v1/ui/messages',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Find messages by id, reference or phone number (hashed lookup)',
        // Quotes and backslashes never reach the visibility query: the pattern excludes them.
        querystring: z.object({
          q: z
            .string()
            .trim()
            .min(1)
            .max(200)
            .regex(/^[A-Za-z0-9_.:/+() -]+$/, 'must be a message id, reference or phone number'),
        }),
        response: { 200: z.object({ results: z.array(hit) }) },
      },
    },
    async (req) => {
      const q = req.query.q;
      const phone = phoneOf(q);
      const found: Hit[][] = await Promise.all([
        byId(q),
        listWorkflows(`WorkflowType = '${MESSAGE_WORKFLOW_TYPE}' AND KurirReference = '${q}'`, 'reference'),
        phone
          ? listWorkflows(
              `WorkflowType = '${MESSAGE_WORKFLOW_TYPE}' AND KurirRecipientHash = '${recipientHash(deps.config.RECIPIENT_HASH_KEY, phone)}'`,
              'phone',
            )
          : [],
        phone
          ? campaignMessagesOf(deps.pool, phone, LIMIT).then((rows) =>
              rows.map((r): Hit => ({
                id: r.workflowId,
                matchedBy: 'phone',
                status: r.status,
                startedAt: null,
                campaignId: r.campaignId,
              })),
            )
          : [],
      ]);
      const seen = new Set<string>();
      return {
        results: found
          .flat()
          .filter((h) => (seen.has(h.id) ? false : (seen.add(h.id), true)))
          .slice(0, LIMIT),
      };
    },
  );
};
