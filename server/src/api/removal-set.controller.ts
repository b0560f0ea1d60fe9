// REST for removal sets: create one from a data set's merged statistics by a rule, list, show, and its ids.
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RemovalSetDto, RemovalSetIdsDto, RemovalSetListDto, removalSetCreateBodySchema } from './dto/datastats.dto.js';
import { dtoSchema, jsonSchemaOf } from './openapi.js';
import { parseOrBadRequest } from './zod-validation.pipe.js';
import { parseZod } from '../common/validation.js';
import { httpErrors } from './datastats-http.js';
import { DatastatsService } from '../datastats/datastats.service.js';

@ApiTags('datastats')
@Controller('api/removal-sets')
export class RemovalSetController {
  constructor(private readonly datastats: DatastatsService) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(removalSetCreateBodySchema) })
  @ApiCreatedResponse({ description: 'A new immutable removal set (the next version of its data set) with its provenance.', schema: dtoSchema(RemovalSetDto) })
  @ApiBadRequestResponse({ description: 'A bad rule, or the data set has no statistics yet.' })
  @ApiNotFoundResponse({ description: 'No such data set.' })
  async create(@Body() body: unknown): Promise<RemovalSetDto> {
    const { dataset, rule } = parseOrBadRequest(() => parseZod(removalSetCreateBodySchema, body ?? {}));
    return httpErrors(() => this.datastats.createRemovalSet(dataset, rule));
  }

  @Get()
  @ApiQuery({ name: 'dataset', required: false, description: 'Only the sets of this data set (content hash or unique name).' })
  @ApiOkResponse({ description: 'Removal sets by data set and version.', schema: dtoSchema(RemovalSetListDto) })
  async list(@Query('dataset') dataset?: string): Promise<RemovalSetListDto> {
    return { removalSets: await httpErrors(() => this.datastats.listRemovalSets(dataset === '' ? undefined : dataset)) };
  }

  @Get(':id')
  @ApiOkResponse({ description: 'The removal set.', schema: dtoSchema(RemovalSetDto) })
  @ApiNotFoundResponse({ description: 'No such removal set.' })
  async get(@Param('id') id: string): Promise<RemovalSetDto> {
    return httpErrors(() => this.datastats.getRemovalSet(id));
  }

  @Get(':id/ids')
  @ApiOkResponse({ description: 'The removed example ids, ascending.', schema: dtoSchema(RemovalSetIdsDto) })
  @ApiNotFoundResponse({ description: 'No such removal set.' })
  async ids(@Param('id') id: string): Promise<RemovalSetIdsDto> {
    return { ids: [...(await httpErrors(() => this.datastats.removalSetIds(id)))] };
  }
}
