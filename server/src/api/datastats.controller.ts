// REST views of fleet forgetting statistics: register a data set, list them, show one (histogram, reports, removal
// sets, jobs trained on them), export the merged statistics as CSV, and the HTML report.
import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DatasetDetailDto, DatasetSummaryDto, DatastatsListDto, datasetRegistrationBodySchema } from './dto/datastats.dto.js';
import { dtoSchema, jsonSchemaOf } from './openapi.js';
import { parseOrBadRequest } from './zod-validation.pipe.js';
import { parseZod } from '../common/validation.js';
import { renderDatastatsHtml } from '../datastats/datastats-report.js';
import { httpErrors } from './datastats-http.js';
import { DatastatsService } from '../datastats/datastats.service.js';
import { CSV_HEADER } from '../datastats/datastats-views.js';

const DATASET_PARAM = 'A content hash, or a name registered under exactly one hash.';

@ApiTags('datastats')
@Controller('api/datastats')
export class DatastatsController {
  constructor(private readonly datastats: DatastatsService) {}

  @Post('datasets')
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(datasetRegistrationBodySchema) })
  @ApiCreatedResponse({ description: 'The registered data set (registering the same identity again is a no-op).', schema: dtoSchema(DatasetSummaryDto) })
  @ApiConflictResponse({ description: 'The content hash is registered with another name or size.' })
  async register(@Body() body: unknown): Promise<DatasetSummaryDto> {
    const identity = parseOrBadRequest(() => parseZod(datasetRegistrationBodySchema, body ?? {}));
    return httpErrors(() => this.datastats.registerDataset(identity));
  }

  @Get()
  @ApiOkResponse({ description: 'Every registered data set with how much the fleet has reported about it.', schema: dtoSchema(DatastatsListDto) })
  async list(): Promise<DatastatsListDto> {
    return { datasets: await this.datastats.listDatasets() };
  }

  @Get(':dataset')
  @ApiOkResponse({ description: `The data set's merged statistics. ${DATASET_PARAM}`, schema: dtoSchema(DatasetDetailDto) })
  @ApiNotFoundResponse({ description: 'No such data set.' })
  @ApiBadRequestResponse({ description: 'The name is registered under several hashes.' })
  async show(@Param('dataset') dataset: string): Promise<DatasetDetailDto> {
    return httpErrors(() => this.datastats.showDataset(dataset));
  }

  @Get(':dataset/export')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: `CSV, one line per covered example: ${CSV_HEADER} (first_learned_epoch is 0-based, empty when never learned; forgetting_count is the events when learned, else the presentations).`,
  })
  @ApiNotFoundResponse({ description: 'No such data set.' })
  async exportCsv(@Param('dataset') dataset: string, @Res({ passthrough: true }) response: ServerResponse): Promise<string> {
    const csv = await httpErrors(() => this.datastats.exportCsv(dataset));
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `inline; filename="datastats-${dataset.slice(0, 16).replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`);
    return csv;
  }

  @Get(':dataset/report')
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'One self-contained HTML page: histogram of forgetting counts, accuracy vs removed fraction, removal sets, reports.' })
  @ApiNotFoundResponse({ description: 'No such data set.' })
  async report(@Param('dataset') dataset: string, @Res({ passthrough: true }) response: ServerResponse): Promise<string> {
    const detail = await httpErrors(() => this.datastats.showDataset(dataset));
    response.setHeader('content-type', 'text/html; charset=utf-8');
    return renderDatastatsHtml(detail);
  }
}
