import { describe, expect, it } from 'vitest';
import { formatPeerAddress, parsePeerAddress } from './peer-address';

describe('peer addresses', () => {
  it.each([
    ['192.168.1.20:47778', { host: '192.168.1.20', port: 47778 }],
    ['office-pc.local:1', { host: 'office-pc.local', port: 1 }],
    ['[fe80::1%eth0]:47778', { host: 'fe80::1%eth0', port: 47778 }],
    ['  10.0.0.1:65535 ', { host: '10.0.0.1', port: 65535 }],
  ])('parses %s', (text, expected) => {
    expect(parsePeerAddress(text)).toEqual(expected);
    expect(formatPeerAddress(expected)).toBe(text.trim());
  });

  it.each([
    '',
    'host',
    'host:',
    ':80',
    'host:0',
    'host:65536',
    '1.2.3.999:80',
    'fe80::1:80',
    'a b:80',
    '[nothex]:80',
    '-bad-:80',
  ])('rejects %j with a reason', (text) => {
    expect(parsePeerAddress(text)).toHaveProperty('error');
  });
});
