// Headers of every /agent/ response: cross-origin isolation (COOP same-origin + COEP require-corp) so that the page
// and its worker get SharedArrayBuffer (wasm threads), and CORP so the isolated page may load them.
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};
