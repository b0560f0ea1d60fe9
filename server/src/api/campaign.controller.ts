import type { ServerResponse } from 'node:http';
import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MAX_CAMPAIGN_JOBS } from '../campaigns/campaign-matrix.js';
import { CampaignSpecError, MAX_CAMPAIGN_YAML_CHARS, campaignSpecSchema, parseCampaignBody } from '../campaigns/campaign-spec.js';
import { CampaignService } from '../campaigns/campaign.service.js';
import { MaskService } from '../masks/mask.service.js';
import {
  COMPARE_METRICS,
  COMPARISON_RULE,
  CompareOptionError,
  DEFAULT_ACCURACY_THRESHOLD_POINTS,
  DEFAULT_THRESHOLD_PERCENT,
  compareCampaigns,
  parseMetrics,
  parseThreshold,
  type CompareOptions,
} from '../campaigns/compare/campaign-compare.js';
import { COMPARISON_CONTENT_TYPES, COMPARISON_FORMATS, isComparisonFormat, renderComparison } from '../campaigns/compare/compare-format.js';
import { buildReport } from '../campaigns/report/report-data.js';
import { REPORT_CONTENT_TYPES, REPORT_FORMATS, isReportFormat, renderReport } from '../campaigns/report/report-format.js';
import { InvalidInputError } from '../common/validation.js';
import { CampaignDto, CampaignSummaryDto } from './dto/campaign.dto.js';
import { toCampaignDto, toCampaignSummaryDto } from './mapping/campaign.mapping.js';
import { dtoListSchema, dtoSchema, jsonSchemaOf } from './openapi.js';
import { parseOrBadRequest } from './zod-validation.pipe.js';

@ApiTags('campaigns')
@Controller('api/campaigns')
export class CampaignController {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly masks: MaskService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody({
    schema: jsonSchemaOf(campaignSpecSchema),
    description:
      `The campaign spec as JSON, or \`{ "yaml": "<spec as YAML>" }\` (at most ${MAX_CAMPAIGN_YAML_CHARS} characters of YAML). ` +
      `A campaign makes at most ${MAX_CAMPAIGN_JOBS} jobs (cells × runs per cell): a bigger matrix is refused with 400, sized ` +
      'from its axis lengths before it is expanded.',
  })
  @ApiCreatedResponse({ description: 'The started campaign: its cells, the devices selected and the queued jobs.', schema: dtoSchema(CampaignDto) })
  async start(@Body() body: unknown): Promise<CampaignDto> {
    const spec = parseOrBadRequest(() => {
      try {
        return parseCampaignBody(body);
      } catch (error) {
        if (error instanceof CampaignSpecError) throw new InvalidInputError(error.issues);
        throw error;
      }
    });
    try {
      return toCampaignDto(await this.campaigns.start(spec));
    } catch (error) {
      // Per-cell TrainConfig problems and "no device matches" are found while expanding.
      return parseOrBadRequest(() => {
        throw error;
      });
    }
  }

  @Get()
  @ApiOkResponse({ description: 'Every campaign with its state and job counts, oldest first.', schema: dtoListSchema(CampaignSummaryDto) })
  async list(): Promise<CampaignSummaryDto[]> {
    return (await this.campaigns.list()).map(toCampaignSummaryDto);
  }

  @Get(':id')
  @ApiOkResponse({
    description: 'State, counts by job state, per-cell and per-device status and the results so far.',
    schema: dtoSchema(CampaignDto),
  })
  @ApiNotFoundResponse({ description: 'No such campaign.' })
  async get(@Param('id') id: string): Promise<CampaignDto> {
    const view = await this.campaigns.get(id);
    if (!view) throw new NotFoundException(`campaign ${id} does not exist`);
    return toCampaignDto(view);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The campaign after cancelling its unfinished jobs (results so far are kept).', schema: dtoSchema(CampaignDto) })
  @ApiNotFoundResponse({ description: 'No such campaign.' })
  async cancel(@Param('id') id: string): Promise<CampaignDto> {
    const outcome = await this.campaigns.cancel(id);
    if (outcome.kind === 'not-found') throw new NotFoundException(`campaign ${id} does not exist`);
    return toCampaignDto(outcome.view);
  }

  @Get(':id/report')
  @ApiQuery({ name: 'format', required: false, enum: REPORT_FORMATS })
  @ApiOkResponse({ description: 'The results as JSON, CSV, or one self-contained HTML file with charts.' })
  @ApiNotFoundResponse({ description: 'No such campaign.' })
  async report(
    @Param('id') id: string,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<string> {
    const chosen = format ?? 'json';
    if (!isReportFormat(chosen)) throw new BadRequestException(`format must be one of ${REPORT_FORMATS.join(', ')}`);
    const view = await this.campaigns.get(id);
    if (!view) throw new NotFoundException(`campaign ${id} does not exist`);
    response.setHeader('content-type', REPORT_CONTENT_TYPES[chosen]);
    if (chosen !== 'json') {
      response.setHeader('content-disposition', `inline; filename="campaign-${id.slice(0, 8)}.${chosen}"`);
    }
    const reportsMasks = (view.spec.report?.masks ?? 'off') !== 'off';
    const maskStats = reportsMasks ? await this.masks.statsOf(view.results.map((result) => result.jobId)) : undefined;
    return renderReport(buildReport({ ...view, results: view.results, ...(maskStats ? { maskStats } : {}) }), chosen);
  }

  @Get(':a/compare/:b')
  @ApiQuery({ name: 'threshold', required: false, description: `Percent (\`5\` or \`5%\`), default ${DEFAULT_THRESHOLD_PERCENT}: relative change of speedup and latency p50, percentage points of memory saved.` })
  @ApiQuery({ name: 'accuracyThreshold', required: false, description: `Percentage points of test accuracy, default ${DEFAULT_ACCURACY_THRESHOLD_POINTS}.` })
  @ApiQuery({ name: 'metrics', required: false, description: `Comma-separated subset of ${COMPARE_METRICS.join(', ')} (default all).` })
  @ApiQuery({ name: 'format', required: false, enum: COMPARISON_FORMATS })
  @ApiOkResponse({
    description:
      'Per-cell differences of campaign B against campaign A (cells match by id), each cell a regression, improvement, ' +
      `unchanged or incomparable, as JSON or one self-contained HTML page. ${COMPARISON_RULE}`,
  })
  @ApiBadRequestResponse({ description: 'A bad threshold, metric list or format.' })
  @ApiNotFoundResponse({ description: 'A campaign does not exist (the message names it).' })
  async compare(
    @Param('a') a: string,
    @Param('b') b: string,
    @Query('threshold') threshold: string | undefined,
    @Query('accuracyThreshold') accuracyThreshold: string | undefined,
    @Query('metrics') metrics: string | undefined,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<string> {
    const chosen = format ?? 'json';
    if (!isComparisonFormat(chosen)) throw new BadRequestException(`format must be one of ${COMPARISON_FORMATS.join(', ')}`);
    let options: CompareOptions;
    try {
      options = {
        thresholdPercent: threshold === undefined ? undefined : parseThreshold(String(threshold), 'threshold'),
        accuracyThresholdPoints: accuracyThreshold === undefined ? undefined : parseThreshold(String(accuracyThreshold), 'accuracyThreshold'),
        metrics: metrics === undefined ? undefined : parseMetrics(String(metrics)),
      };
    } catch (error) {
      if (error instanceof CompareOptionError) throw new BadRequestException(error.message);
      throw error;
    }
    const [viewA, viewB] = await Promise.all([this.campaigns.get(a), this.campaigns.get(b)]);
    const missing = [viewA ? undefined : a, viewB ? undefined : b].filter((id): id is string => id !== undefined);
    if (missing.length === 2 && a !== b) throw new NotFoundException(`campaigns ${a} and ${b} do not exist`);
    if (missing.length > 0) throw new NotFoundException(`campaign ${missing[0]} does not exist`);
    const comparison = compareCampaigns(buildReport(viewA!), buildReport(viewB!), options);
    response.setHeader('content-type', COMPARISON_CONTENT_TYPES[chosen]);
    if (chosen !== 'json') {
      response.setHeader('content-disposition', `inline; filename="compare-${a.slice(0, 8)}-${b.slice(0, 8)}.${chosen}"`);
    }
    return renderComparison(comparison, chosen);
  }
}
