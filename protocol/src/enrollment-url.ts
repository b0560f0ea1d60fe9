// The enrollment URL a device opens (typed, clicked or scanned as a QR code) to join the fleet. The token travels in
// the fragment, which browsers never send to a server, so no access log ever holds it. The CLI (`tokens create
// --qr`), the dashboard and the browser agent all use these two functions, so they agree on the format.

const TOKEN_PARAMETER = 'token';

/** `<base>/agent/#token=<token>`; `base` is the coordinator's URL (origin, optionally a path prefix). */
export function enrollmentUrl(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/agent/#${TOKEN_PARAMETER}=${encodeURIComponent(token)}`;
}

/** The token in a location fragment (`#token=…`, with or without the `#`); undefined when there is none. */
export function tokenFromFragment(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get(TOKEN_PARAMETER);
  return token === null || token === '' ? undefined : token;
}

/** True when `url` names this machine (localhost, 127.x, [::1]): a phone scanning its QR code cannot reach it. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}
