// REST views of a job's masks: the mask in force at a step, and churn + ITOP exploration rate per update.
import { BadRequestException, Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MaskAtDto, MaskStatsDto } from './dto/mask.dto.js';
import { toMaskAtDto, toMaskStatsDto } from './mapping/mask.mapping.js';
import { dtoSchema } from './openapi.js';
import { JobService } from '../jobs/job.service.js';
import { MaskLookupError, MaskService } from '../masks/mask.service.js';

@ApiTags('jobs')
@Controller('api/jobs')
export class MaskController {
  constructor(
    private readonly jobs: JobService,
    private readonly masks: MaskService,
  ) {}

  @Get(':id/masks')
  @ApiQuery({ name: 'step', required: true, description: 'Optimizer step; the answer is the mask in force there.' })
  @ApiOkResponse({
    description: 'Per layer: shape, size, active count, density, CRC-32 and the mask as base64 bitmap or delta-varint indices.',
    schema: dtoSchema(MaskAtDto),
  })
  @ApiBadRequestResponse({ description: 'step is missing or not a non-negative integer.' })
  @ApiNotFoundResponse({ description: 'No such job, no stored masks, or none at or before that step.' })
  async maskAt(@Param('id') id: string, @Query('step') step?: string): Promise<MaskAtDto> {
    const at = parseStep(step);
    await this.requireJob(id);
    try {
      return toMaskAtDto(await this.masks.maskAt(id, at));
    } catch (error) {
      if (error instanceof MaskLookupError) throw new NotFoundException(error.message);
      throw error;
    }
  }

  @Get(':id/mask-stats')
  @ApiOkResponse({
    description: 'Per mask update of the job: step, active count, churn and ITOP exploration rate; updates that diverged.',
    schema: dtoSchema(MaskStatsDto),
  })
  @ApiNotFoundResponse({ description: 'No such job.' })
  async stats(@Param('id') id: string): Promise<MaskStatsDto> {
    await this.requireJob(id);
    return toMaskStatsDto(await this.masks.stats(id));
  }

  private async requireJob(id: string): Promise<void> {
    if (!(await this.jobs.get(id))) throw new NotFoundException(`job ${id} does not exist`);
  }
}

function parseStep(step: string | undefined): number {
  if (step === undefined || step === '') throw new BadRequestException('step is required (a non-negative integer)');
  if (!/^\d+$/.test(step) || !Number.isSafeInteger(Number(step))) {
    throw new BadRequestException(`step must be a non-negative integer, got "${step}"`);
  }
  return Number(step);
}
