import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, ConflictException } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CheckpointService, type CheckpointView } from '../checkpoints/checkpoint.service.js';
import { AssignmentService } from '../jobs/assignment.service.js';
import { JobCancellationService } from '../jobs/job-cancellation.service.js';
import { JobReportService, type ProgressView, type ResultView } from '../jobs/job-report.service.js';
import { JOB_STATES, type JobState } from '../jobs/job-state.js';
import { jobSubmissionSchema, validateJobSubmission } from '../jobs/job-submission.js';
import { JobService, type JobView } from '../jobs/job.service.js';
import { MaskService } from '../masks/mask.service.js';
import type { InitialMask } from '../../../protocol/src/index.js';
import type { InitialMaskRequest } from '../jobs/job-submission.js';
import { jsonSchemaOf } from './openapi.js';
import { parseOrBadRequest } from './zod-validation.pipe.js';

@ApiTags('jobs')
@Controller('api/jobs')
export class JobController {
  constructor(
    private readonly jobs: JobService,
    private readonly reports: JobReportService,
    private readonly assignment: AssignmentService,
    private readonly cancellation: JobCancellationService,
    private readonly checkpoints: CheckpointService,
    private readonly masks: MaskService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(jobSubmissionSchema) })
  @ApiCreatedResponse({ description: 'The queued job with its memory estimate; pushed to a fitting idle device as soon as one exists.' })
  async submit(@Body() body: unknown): Promise<JobView> {
    const { name, spec, selector, maxAttempts, checkpointEverySteps, memoryEstimate, initialMask } = parseOrBadRequest(() =>
      validateJobSubmission(body),
    );
    const resolved = initialMask ? { initialMask: await this.resolveInitialMask(initialMask) } : {};
    const job = await this.jobs.submit({ ...spec, ...resolved }, name, { selector, maxAttempts, checkpointEverySteps, memoryEstimate });
    this.assignment.schedule();
    return job;
  }

  @Get()
  @ApiQuery({ name: 'state', required: false, enum: JOB_STATES })
  @ApiOkResponse({ description: 'Jobs (optionally only those in one state), oldest first.' })
  list(@Query('state') state?: string): Promise<JobView[]> {
    if (state !== undefined && !JOB_STATES.includes(state as JobState)) {
      throw new BadRequestException(`state must be one of ${JOB_STATES.join(', ')}`);
    }
    return this.jobs.list(state as JobState | undefined);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'State, attempt, device, lease, why it waits, requirements, estimate and spec.' })
  @ApiNotFoundResponse({ description: 'No such job.' })
  async get(@Param('id') id: string): Promise<JobView> {
    return this.requireJob(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The cancelled job; its device (if any) is told to stop.' })
  @ApiNotFoundResponse({ description: 'No such job.' })
  async cancel(@Param('id') id: string): Promise<JobView> {
    const outcome = await this.cancellation.cancel(id);
    if (outcome.kind === 'not-found') throw new NotFoundException(`job ${id} does not exist`);
    if (outcome.kind === 'already-finished') throw new ConflictException(`job ${id} is already ${outcome.job.state}`);
    return outcome.job;
  }

  @Get(':id/progress')
  @ApiOkResponse({ description: 'Every progress report received, by attempt and sequence.' })
  async progress(@Param('id') id: string): Promise<ProgressView[]> {
    await this.requireJob(id);
    return this.reports.listProgress(id);
  }

  @Get(':id/result')
  @ApiOkResponse({ description: 'The JobResult of the job (a job has exactly one).' })
  @ApiNotFoundResponse({ description: 'No such job, or it has no result yet.' })
  async result(@Param('id') id: string): Promise<ResultView> {
    await this.requireJob(id);
    const result = await this.reports.latestResult(id);
    if (!result) throw new NotFoundException(`job ${id} has no result yet`);
    return result;
  }

  @Get(':id/checkpoints')
  @ApiOkResponse({ description: 'Checkpoints committed for the job, oldest step first.' })
  async listCheckpoints(@Param('id') id: string): Promise<CheckpointView[]> {
    await this.requireJob(id);
    return this.checkpoints.list(id);
  }

  /** The stored update a job asking for (job, step) starts from; 400 when there is none or it does not fit. */
  private async resolveInitialMask(request: InitialMaskRequest): Promise<InitialMask> {
    const refuse = (issue: string): never => {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `invalid request: initialMask: ${issue}`, issues: [`initialMask: ${issue}`] });
    };
    if (!(await this.jobs.get(request.job))) refuse(`job ${request.job} does not exist`);
    const resolution = await this.masks.resolveInitialMask(request.job, request.step, request.layout);
    return resolution.ok ? resolution.initialMask : refuse(resolution.issue);
  }

  private async requireJob(id: string): Promise<JobView> {
    const job = await this.jobs.get(id);
    if (!job) throw new NotFoundException(`job ${id} does not exist`);
    return job;
  }
}
