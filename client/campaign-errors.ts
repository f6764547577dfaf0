// Typed campaign errors: thrown by the SDK (from the REST API's answers) and by the server-side
// campaign import in app/campaigns.ts, so the CLI and application code catch the same classes.

/** One row the import refused: its line (1-based, the header of a CSV is line 1) and why. */
export interface Rejected {
  line: number;
  reason: string;
}

/** No row of the source was a valid recipient; `rejected` says why (line and reason). */
export class CampaignEmptyError extends Error {
  constructor(
    readonly id: string,
    readonly rejected: Rejected[],
    readonly rejectedCount: number,
  ) {
    super(
      `no row was a valid recipient (${rejectedCount} rejected${rejected[0] ? `; line ${rejected[0].line}: ${rejected[0].reason}` : ''})`,
    );
    this.name = 'CampaignEmptyError';
  }
}

/** The campaign has no workflow (unknown id, or imported but never started). */
export class CampaignNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`campaign ${id} is not running or does not exist`);
    this.name = 'CampaignNotFoundError';
  }
}

/** A campaign with this id is already stored: pick another id, or control the existing one with `kurir.campaign(id)`. */
export class CampaignExistsError extends Error {
  constructor(readonly id: string) {
    super(`campaign ${id} already exists`);
    this.name = 'CampaignExistsError';
  }
}
