// The REST contract as types and zod schemas: what every operator route answers (and the bodies of the routes that
// only REST has). Its own types, never wire types: nothing here reaches protocol/ (an import floor checks it), so a
// rename in the generated code cannot change REST. Only zod behind it: the CLI imports these types.
//
// Naming: a response DTO is a PascalCase zod schema and the inferred type of the same name (`DeviceDto`). A request
// schema is camelCase with a `Schema` suffix and its type PascalCase (`deviceLabelsBodySchema`, `DeviceLabelsBody`):
// a controller parameter's type is emitted as decorator metadata by name, and a name that is also a value (a zod
// schema) would be taken for a model class by @nestjs/swagger.
export * from './audit.dto.js';
export * from './benchmark.dto.js';
export * from './campaign.dto.js';
export * from './common.dto.js';
export * from './datastats.dto.js';
export * from './device.dto.js';
export * from './enrollment-token.dto.js';
export * from './job.dto.js';
export * from './mask.dto.js';
export * from './stats.dto.js';
export { REST_DTOS, type RestDtoMeta } from './registry.js';
export * from './federated.dto.js';
