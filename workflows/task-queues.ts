// Task queue names shared by workflows (which schedule on them) and workers (which poll them).

/**
 * Sends through one provider run on a task queue of their own, so the Temporal server can pace
 * them with maxTaskQueueActivitiesPerSecond: the cap holds across every worker polling it.
 */
export function providerSendQueue(baseQueue: string, provider: string): string {
  return `${baseQueue}-send-${provider}`;
}
