import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, ConflictException } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CheckpointService } from '../checkpoints/checkpoint.service.js';
import { JobCancellationService } from '../jobs/job-cancellation.service.js';
import { JobReportService } from '../jobs/job-report.service.js';
import { JOB_STATES, type JobState } from '../jobs/job-state.js';
import {
  fleetDataEfficiencyFor,
  forgettingReportingFor,
  jobSubmissionSchema,
  validateJobSubmission,
  type FleetDataEfficiencyRequest,
  type ForgettingReportRequest,
  type ValidatedJob,
} from '../jobs/job-submission.js';
import { InvalidInputError, parseZod } from '../common/validation.js';
import { DatastatsService } from '../datastats/datastats.service.js';
import { JobService, type JobView, type SubmitOptions } from '../jobs/job.service.js';
import type { InitialMaskRequest } from '../jobs/job-submission.js';
import { MaskService } from '../masks/mask.service.js';
import { CheckpointDto, JobDto, JobProgressDto, JobResultDto, SubmittedJobDto } from './dto/job.dto.js';
import { toCheckpointDto, toJobDto, toJobProgressDto, toJobResultDto } from './mapping/job.mapping.js';
import { dtoListSchema, dtoSchema, jsonSchemaOf } from './openapi.js';
import { parseOrBadRequest } from './zod-validation.pipe.js';

/** Jobs one batch submission may hold (about 60 KB of JSON for typical jobs, well inside the body limit). */
export const MAX_BATCH_JOBS = 100;
/** What POST /api/jobs/batch parses; each job is then validated like a single submission. */
const jobBatchSchema = z.strictObject({ jobs: z.array(z.unknown()).min(1).max(MAX_BATCH_JOBS) });
/** The same body as the OpenAPI document shows it: each job is a POST /api/jobs body. */
const jobBatchDocSchema = z.strictObject({ jobs: z.array(jobSubmissionSchema).min(1).max(MAX_BATCH_JOBS) });

/** Validates job `index` of a batch; its issues name it (jobs.3.config.epochs: ...). */
function validateBatchJob(job: unknown, index: number): ValidatedJob {
  try {
    return validateJobSubmission(job);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError(error.issues.map((issue) => `jobs.${index}.${issue}`));
    throw error;
  }
}

interface PreparedSubmission {
  readonly spec: Parameters<JobService['submit']>[0];
  readonly name: string | undefined;
  readonly options: SubmitOptions;
}

@ApiTags('jobs')
@Controller('api/jobs')
export class JobController {
  constructor(
    private readonly jobs: JobService,
    private readonly reports: JobReportService,
    private readonly cancellation: JobCancellationService,
    private readonly checkpoints: CheckpointService,
    private readonly masks: MaskService,
    private readonly datastats: DatastatsService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(jobSubmissionSchema) })
  @ApiCreatedResponse({
    description: 'The queued job with its memory estimate; pushed to a fitting idle device as soon as one exists.',
    schema: dtoSchema(JobDto),
  })
  async submit(@Body() body: unknown): Promise<JobDto> {
    const { spec, name, options } = await this.prepareSubmission(parseOrBadRequest(() => validateJobSubmission(body)));
    return toJobDto(await this.jobs.submit(spec, name, options));
  }

  @Post('batch')
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(jobBatchDocSchema) })
  @ApiCreatedResponse({
    description:
      `Queues up to ${MAX_BATCH_JOBS} jobs in one transaction, in the order given (all or none: one invalid job refuses the batch ` +
      'with a 400 naming it as jobs.N), announced to the assignment as one event instead of one per job.',
    schema: dtoListSchema(SubmittedJobDto),
  })
  async submitBatch(@Body() body: unknown): Promise<SubmittedJobDto[]> {
    const { jobs } = parseOrBadRequest(() => parseZod(jobBatchSchema, body ?? {}));
    const validated = parseOrBadRequest(() => jobs.map(validateBatchJob));
    const prepared: PreparedSubmission[] = [];
    for (const job of validated) prepared.push(await this.prepareSubmission(job));
    return this.jobs.submitMany(prepared);
  }

  @Get()
  @ApiQuery({ name: 'state', required: false, enum: JOB_STATES })
  @ApiOkResponse({ description: 'Jobs (optionally only those in one state), oldest first.', schema: dtoListSchema(JobDto) })
  async list(@Query('state') state?: string): Promise<JobDto[]> {
    if (state !== undefined && !JOB_STATES.includes(state as JobState)) {
      throw new BadRequestException(`state must be one of ${JOB_STATES.join(', ')}`);
    }
    return (await this.jobs.list(state as JobState | undefined)).map(toJobDto);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'State, attempt, device, lease, why it waits, requirements, estimate and spec.', schema: dtoSchema(JobDto) })
  @ApiNotFoundResponse({ description: 'No such job.' })
  async get(@Param('id') id: string): Promise<JobDto> {
    return toJobDto(await this.requireJob(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The cancelled job; its device (if any) is told to stop.', schema: dtoSchema(JobDto) })
  @ApiNotFoundResponse({ description: 'No such job.' })
  async cancel(@Param('id') id: string): Promise<JobDto> {
    const outcome = await this.cancellation.cancel(id);
    if (outcome.kind === 'not-found') throw new NotFoundException(`job ${id} does not exist`);
    if (outcome.kind === 'already-finished') throw new ConflictException(`job ${id} is already ${outcome.job.state}`);
    return toJobDto(outcome.job);
  }

  @Get(':id/progress')
  @ApiOkResponse({ description: 'Every progress report received, by attempt and sequence.', schema: dtoListSchema(JobProgressDto) })
  async progress(@Param('id') id: string): Promise<JobProgressDto[]> {
    await this.requireJob(id);
    return (await this.reports.listProgress(id)).map(toJobProgressDto);
  }

  @Get(':id/result')
  @ApiOkResponse({ description: 'The result of the job (a job has exactly one).', schema: dtoSchema(JobResultDto) })
  @ApiNotFoundResponse({ description: 'No such job, or it has no result yet.' })
  async result(@Param('id') id: string): Promise<JobResultDto> {
    await this.requireJob(id);
    const result = await this.reports.latestResult(id);
    if (!result) throw new NotFoundException(`job ${id} has no result yet`);
    return toJobResultDto(result);
  }

  @Get(':id/checkpoints')
  @ApiOkResponse({ description: 'Checkpoints committed for the job, oldest step first.', schema: dtoListSchema(CheckpointDto) })
  async listCheckpoints(@Param('id') id: string): Promise<CheckpointDto[]> {
    await this.requireJob(id);
    return (await this.checkpoints.list(id)).map(toCheckpointDto);
  }

  /** A validated submission with its initial mask and data-efficiency references resolved: what JobService queues. */
  private async prepareSubmission(job: ValidatedJob): Promise<PreparedSubmission> {
    const { name, spec, selector, maxAttempts, checkpointEverySteps, memoryEstimate, initialMask, forgettingReport, fleetDataEfficiency } = job;
    const resolved = initialMask ? { initialMask: await this.resolveInitialMask(initialMask) } : {};
    const dataResolved = await this.resolveDataEfficiency(forgettingReport, fleetDataEfficiency);
    return { spec: { ...spec, ...resolved, ...dataResolved }, name, options: { selector, maxAttempts, checkpointEverySteps, memoryEstimate } };
  }

  /**
   * The stored update a job asking for (job, step) starts from; 400 when there is none or it does not fit. Its type
   * (the wire InitialMask) is inferred: it goes into the job spec, and this controller names no wire type.
   */
  private async resolveInitialMask(request: InitialMaskRequest) {
    const refuse = (issue: string): never => {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `invalid request: initialMask: ${issue}`, issues: [`initialMask: ${issue}`] });
    };
    if (!(await this.jobs.get(request.job))) refuse(`job ${request.job} does not exist`);
    const resolution = await this.masks.resolveInitialMask(request.job, request.step, request.layout);
    return resolution.ok ? resolution.initialMask : refuse(resolution.issue);
  }

  /**
   * The registered identity a reporting job reports about and the removal set a fleet data-efficient job trains on;
   * 400 when either is missing or they disagree. Types inferred (wire types; this controller names none).
   */
  private async resolveDataEfficiency(forgetting: ForgettingReportRequest | undefined, fleet: FleetDataEfficiencyRequest | undefined) {
    const refuse = (field: string, issue: string): never => {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `invalid request: ${field}: ${issue}`, issues: [`${field}: ${issue}`] });
    };
    let reporting: ReturnType<typeof forgettingReportingFor> | undefined;
    if (forgetting) {
      const identity = await this.datastats.identityForJob(forgetting.datasetName, forgetting.contentHash);
      if (!identity.ok) return refuse('report.forgetting', identity.issue);
      reporting = forgettingReportingFor(forgetting, identity.dataset);
    }
    let efficiency: ReturnType<typeof fleetDataEfficiencyFor> | undefined;
    if (fleet) {
      const resolution = await this.datastats.removalSetForJob(fleet.datasetName, fleet.removalSet, fleet.contentHash ?? reporting?.dataset?.contentHash);
      if (!resolution.ok) return refuse('dataEfficiency.removalSet', resolution.issue);
      efficiency = fleetDataEfficiencyFor(fleet, resolution.set.id);
    }
    return { ...(reporting ? { forgettingReporting: reporting } : {}), ...(efficiency ? { dataEfficiency: efficiency } : {}) };
  }

  private async requireJob(id: string): Promise<JobView> {
    const job = await this.jobs.get(id);
    if (!job) throw new NotFoundException(`job ${id} does not exist`);
    return job;
  }
}
