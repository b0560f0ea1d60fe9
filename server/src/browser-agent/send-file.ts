// Streams a file as the whole HTTP answer (the /agent/ assets), with the given headers; a file that
// is missing answers 404 with a one-line reason.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

export async function sendFile(response: ServerResponse, path: string, headers: Readonly<Record<string, string>>, missing: string): Promise<void> {
  const size = await stat(path).then(
    (info) => (info.isFile() ? info.size : undefined),
    () => undefined,
  );
  if (size === undefined) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${missing}\n`);
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Length': String(size) });
  await pipeline(createReadStream(path), response).catch(() => response.destroy());
}
