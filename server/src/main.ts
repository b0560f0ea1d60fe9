// Runs a coordinator from the environment: SPARSEFLEET_PORT (default 8080), SPARSEFLEET_HOST (127.0.0.1),
// SPARSEFLEET_DATA_DIR (./.data).
import { Logger } from '@nestjs/common';
import { startCoordinator } from './coordinator.js';

const port = Number(process.env.SPARSEFLEET_PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`SPARSEFLEET_PORT must be a port number, got "${process.env.SPARSEFLEET_PORT}"`);
  process.exit(2);
}

const coordinator = await startCoordinator({
  port,
  host: process.env.SPARSEFLEET_HOST ?? '127.0.0.1',
  dataDir: process.env.SPARSEFLEET_DATA_DIR ?? './.data',
});
Logger.log(`coordinator listening on ${coordinator.url} (API docs: ${coordinator.url}/api/docs)`, 'Coordinator');
Logger.log('the REST API needs an operator key: sparsefleet apikey create --data-dir <dir> --name <name>', 'Coordinator');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    Logger.log(`${signal} received, closing`, 'Coordinator');
    coordinator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        Logger.error(`close failed: ${String(error)}`, 'Coordinator');
        process.exit(1);
      },
    );
  });
}
