import type { Kysely, Migration } from 'kysely';

/** Campaign supervision starts from a finished job (the JobFinished event): find its campaign by job id. */
export const campaignJobsByJob: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('campaign_jobs_job_id').on('campaign_jobs').column('job_id').execute();
  },
};
