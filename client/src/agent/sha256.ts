// SHA-256 of checkpoint bytes as lowercase hex (the checkpoint id): node:crypto in Node, WebCrypto in browsers.
type NodeCrypto = typeof import('node:crypto');

let nodeCrypto: Promise<NodeCrypto | undefined> | undefined;

function loadNodeCrypto(): Promise<NodeCrypto | undefined> {
  // A computed specifier keeps browser bundlers from trying to resolve the Node built-in.
  const specifier = 'node:crypto';
  nodeCrypto ??= (import(/* @vite-ignore */ specifier) as Promise<NodeCrypto>).catch(() => undefined);
  return nodeCrypto;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const node = await loadNodeCrypto();
  if (node) return node.createHash('sha256').update(bytes).digest('hex');
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) throw new Error('no SHA-256 implementation available (neither node:crypto nor WebCrypto)');
  const digest = new Uint8Array(await subtle.digest('SHA-256', new Uint8Array(bytes)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
