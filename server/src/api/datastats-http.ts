// How datastats errors and request bodies become HTTP answers (shared by its two controllers).
import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import { DatastatsError } from '../datastats/datastats.service.js';

/** Runs `work`, answering a DatastatsError with 404, 400 or 409. */
export async function httpErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DatastatsError)) throw error;
    if (error.kind === 'not-found') throw new NotFoundException(error.message);
    if (error.kind === 'conflict') throw new ConflictException(error.message);
    throw new BadRequestException(error.message);
  }
}
