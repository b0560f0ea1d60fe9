import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AssignmentService } from '../jobs/assignment.service.js';
import { JobReportService, type ProgressView, type ResultView } from '../jobs/job-report.service.js';
import { jobSubmissionSchema, validateJobSubmission } from '../jobs/job-submission.js';
import { JobService, type JobView } from '../jobs/job.service.js';
import { jsonSchemaOf } from './openapi.js';
import { parseOrBadRequest } from './zod-validation.pipe.js';

@ApiTags('jobs')
@Controller('api/jobs')
export class JobController {
  constructor(
    private readonly jobs: JobService,
    private readonly reports: JobReportService,
    private readonly assignment: AssignmentService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(jobSubmissionSchema) })
  @ApiCreatedResponse({ description: 'The queued job; it is pushed to an idle online device as soon as one exists.' })
  async submit(@Body() body: unknown): Promise<JobView> {
    const { name, spec } = parseOrBadRequest(() => validateJobSubmission(body));
    const job = await this.jobs.submit(spec, name);
    this.assignment.schedule();
    return job;
  }

  @Get()
  @ApiOkResponse({ description: 'Every job, oldest first.' })
  list(): Promise<JobView[]> {
    return this.jobs.list();
  }

  @Get(':id')
  @ApiOkResponse({ description: 'State, attempt, device, why it waits, and the training spec as JSON.' })
  @ApiNotFoundResponse({ description: 'No such job.' })
  async get(@Param('id') id: string): Promise<JobView> {
    return this.requireJob(id);
  }

  @Get(':id/progress')
  @ApiOkResponse({ description: 'Every progress report received, by attempt and sequence.' })
  async progress(@Param('id') id: string): Promise<ProgressView[]> {
    await this.requireJob(id);
    return this.reports.listProgress(id);
  }

  @Get(':id/result')
  @ApiOkResponse({ description: 'The JobResult of the latest attempt that finished.' })
  @ApiNotFoundResponse({ description: 'No such job, or it has no result yet.' })
  async result(@Param('id') id: string): Promise<ResultView> {
    await this.requireJob(id);
    const result = await this.reports.latestResult(id);
    if (!result) throw new NotFoundException(`job ${id} has no result yet`);
    return result;
  }

  private async requireJob(id: string): Promise<JobView> {
    const job = await this.jobs.get(id);
    if (!job) throw new NotFoundException(`job ${id} does not exist`);
    return job;
  }
}
