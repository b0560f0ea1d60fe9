// The REST contract as types and zod schemas: what every operator route answers (and the bodies of the routes that
// only REST has). Its own types, never wire types: nothing here reaches protocol/ (an import floor checks it), so a
// rename in the generated code cannot change REST. Only zod behind it: the CLI imports these types.
export * from './audit.dto.js';
export * from './benchmark.dto.js';
export * from './campaign.dto.js';
export * from './common.dto.js';
export * from './device.dto.js';
export * from './enrollment-token.dto.js';
export * from './job.dto.js';
export * from './stats.dto.js';
export { REST_DTOS, type RestDtoMeta } from './registry.js';
