import { describe, expect, it } from 'vitest';
import { enrollmentUrl, isLoopbackUrl, tokenFromFragment } from '../../protocol/src/index.js';

describe('enrollment URL', () => {
  it('should put the token in the fragment of <origin>/agent/', () => {
    const url = new URL(enrollmentUrl('http://10.0.0.5:8080', 'sfe_abc123'));

    expect(url.origin).toBe('http://10.0.0.5:8080');
    expect(url.pathname).toBe('/agent/');
    expect(url.search).toBe('');
    expect(url.hash).toBe('#token=sfe_abc123');
  });

  it('should keep a path prefix and drop trailing slashes of the base', () => {
    expect(enrollmentUrl('https://fleet.example/sf//', 't')).toBe('https://fleet.example/sf/agent/#token=t');
  });

  it('should round-trip tokens with characters that need escaping', () => {
    for (const token of ['a+b/c=d', 'x&token=evil', 'space here', 'ü-漢字', '#%']) {
      const url = new URL(enrollmentUrl('http://h', token));

      expect(url.hash.startsWith('#token=')).toBe(true);
      expect(tokenFromFragment(url.hash)).toBe(token);
    }
  });

  it('should read the token with or without the leading #, among other parameters', () => {
    expect(tokenFromFragment('#token=abc')).toBe('abc');
    expect(tokenFromFragment('token=abc')).toBe('abc');
    expect(tokenFromFragment('#lang=en&token=abc')).toBe('abc');
  });

  it('should answer undefined when the fragment has no token', () => {
    expect(tokenFromFragment('')).toBeUndefined();
    expect(tokenFromFragment('#')).toBeUndefined();
    expect(tokenFromFragment('#token=')).toBeUndefined();
    expect(tokenFromFragment('#other=1')).toBeUndefined();
  });

  it('should tell loopback coordinators (a phone cannot reach them) from reachable ones', () => {
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:8080/agent/', 'http://[::1]:8080', 'http://127.1.2.3']) expect(isLoopbackUrl(url)).toBe(true);
    for (const url of ['http://192.168.1.20:8080', 'https://fleet.example', 'http://127.example.com', 'http://[::2]:80']) expect(isLoopbackUrl(url)).toBe(false);
  });
});
