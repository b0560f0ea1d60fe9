import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, ConflictException } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
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
} from '../jobs/job-submission.js';
import { DatastatsService } from '../datastats/datastats.service.js';
import { JobService, type JobView } from '../jobs/job.service.js';
import type { InitialMaskRequest } from '../jobs/job-submission.js';
import { MaskService } from '../masks/mask.service.js';
import { CheckpointDto, JobDto, JobProgressDto, JobResultDto } from './dto/job.dto.js';
import { toCheckpointDto, toJobDto, toJobProgressDto, toJobResultDto } from './mapping/job.mapping.js';
import { dtoListSchema, dtoSchema, jsonSchemaOf } from './openapi.js';
import { parseOrBadRequest } from './zod-validation.pipe.js';

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
    const { name, spec, selector, maxAttempts, checkpointEverySteps, memoryEstimate, initialMask, forgettingReport, fleetDataEfficiency } =
      parseOrBadRequest(() => validateJobSubmission(body));
    const resolved = initialMask ? { initialMask: await this.resolveInitialMask(initialMask) } : {};
    const dataResolved = await this.resolveDataEfficiency(forgettingReport, fleetDataEfficiency);
    const job = await this.jobs.submit({ ...spec, ...resolved, ...dataResolved }, name, { selector, maxAttempts, checkpointEverySteps, memoryEstimate });
    return toJobDto(job);
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
