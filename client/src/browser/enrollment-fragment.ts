// The enrollment token travels in the URL fragment (`/agent/#token=…`), which browsers never send to a server, so no
// access log holds it. The page reads it once and removes it from the address bar and history.
// (protocol/src/enrollment-url.ts, by the dashboard work, builds these URLs; the lead may merge the parsers.)
export function tokenFromFragment(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token === null || token === '' ? undefined : token;
}
