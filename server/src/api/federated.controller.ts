import type { ServerResponse } from 'node:http';
import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Res, ServiceUnavailableException, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { renderFederatedReport } from '../federated/federated-report.js';
import { FederatedRoundService, FederatedSubmissionError, FederatedUnavailableError } from '../federated/federated-round.service.js';
import { federatedSubmissionSchema, validateFederatedSubmission } from '../federated/federated-spec.js';
import { FederatedViews, type FederatedJobView, type FederatedParticipantView, type FederatedRoundView } from '../federated/federated-views.js';
import { FederatedJobDto, FederatedParticipantDto, FederatedRoundDto } from './dto/index.js';
import { dtoListSchema, dtoSchema, jsonSchemaOf } from './openapi.js';
import { parseOrBadRequest } from './zod-validation.pipe.js';

@ApiTags('federated')
@Controller('api/federated')
export class FederatedController {
  constructor(
    private readonly rounds: FederatedRoundService,
    private readonly views: FederatedViews,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(federatedSubmissionSchema) })
  @ApiCreatedResponse({ description: 'The federated job, its initial model stored as round 0; rounds open as soon as enough devices fit.', schema: dtoSchema(FederatedJobDto) })
  async submit(@Body() body: unknown): Promise<FederatedJobView> {
    const validated = parseOrBadRequest(() => validateFederatedSubmission(body));
    try {
      const job = await this.rounds.submit(validated);
      return (await this.views.get(job.id))!;
    } catch (error) {
      if (error instanceof FederatedUnavailableError) throw new ServiceUnavailableException(error.message);
      if (error instanceof FederatedSubmissionError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  @Get()
  @ApiOkResponse({ description: 'Every federated job, oldest first, with its rounds.', schema: dtoListSchema(FederatedJobDto) })
  async list(): Promise<FederatedJobView[]> {
    return this.views.list();
  }

  @Get(':id')
  @ApiOkResponse({ description: 'Plan, state, shards by device, per-round metrics (participants, bytes, duration, held-out accuracy).', schema: dtoSchema(FederatedJobDto) })
  @ApiNotFoundResponse({ description: 'No such federated job.' })
  async get(@Param('id') id: string): Promise<FederatedJobView> {
    return this.require(id);
  }

  @Get(':id/rounds')
  @ApiOkResponse({ description: 'The rounds of the job, oldest first.', schema: dtoListSchema(FederatedRoundDto) })
  @ApiNotFoundResponse({ description: 'No such federated job.' })
  async listRounds(@Param('id') id: string): Promise<readonly FederatedRoundView[]> {
    return (await this.require(id)).rounds;
  }

  @Get(':id/participants')
  @ApiOkResponse({ description: 'Each round\'s clients: shard, device, client task, outcome, examples, steps, bytes.', schema: dtoListSchema(FederatedParticipantDto) })
  @ApiNotFoundResponse({ description: 'No such federated job.' })
  async participants(@Param('id') id: string, @Query('round') round?: string): Promise<FederatedParticipantView[]> {
    await this.require(id);
    const parsed = round === undefined ? undefined : Number(round);
    if (parsed !== undefined && !Number.isInteger(parsed)) throw new BadRequestException('round must be an integer');
    return this.views.participants(id, parsed);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The cancelled job; client tasks still out are cancelled on their devices.', schema: dtoSchema(FederatedJobDto) })
  @ApiNotFoundResponse({ description: 'No such federated job.' })
  async cancel(@Param('id') id: string): Promise<FederatedJobView> {
    await this.require(id);
    await this.rounds.cancel(id);
    return this.require(id);
  }

  @Get(':id/model')
  @ApiOkResponse({ description: 'The model the job ended with: the engine\'s encoded sparse tensor set (application/octet-stream).' })
  @ApiNotFoundResponse({ description: 'No such federated job, or it has not finished its last round.' })
  async model(@Param('id') id: string): Promise<StreamableFile> {
    const model = await this.views.finalModel(id);
    if (!model) throw new NotFoundException(`federated job ${id} has no final model (yet)`);
    return new StreamableFile(model, { type: 'application/octet-stream' });
  }

  @Get(':id/report')
  @ApiOkResponse({ description: 'One self-contained HTML page: the round table, accuracy vs round and vs uploaded bytes.' })
  @ApiNotFoundResponse({ description: 'No such federated job.' })
  async report(@Param('id') id: string, @Res({ passthrough: true }) response: ServerResponse): Promise<string> {
    const view = await this.require(id);
    response.setHeader('content-type', 'text/html; charset=utf-8');
    return renderFederatedReport(view);
  }

  private async require(id: string): Promise<FederatedJobView> {
    const view = await this.views.get(id);
    if (!view) throw new NotFoundException(`federated job ${id} does not exist`);
    return view;
  }
}
