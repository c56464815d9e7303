/**
 * Peer addresses as people type them: `host:port`, where host is an IPv4 address, a host name
 * or a bracketed IPv6 address (`[fe80::1%eth0]:47778`). Parsed once at the boundary; inside,
 * addresses are `{ host, port }`.
 */
export interface PeerAddress {
  host: string;
  port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

/** Parses `host:port`; returns a reason in words when it is not one. */
export function parsePeerAddress(text: string): PeerAddress | { error: string } {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(trimmed);
  const plain = /^([^:[\]]+):(\d{1,5})$/.exec(trimmed);
  const match = bracketed ?? plain;
  if (!match) return { error: `"${text}" is not an address of the form host:port.` };
  const host = match[1]!;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return { error: `${port} is not a port number (1-65535).` };
  const validHost = bracketed
    ? IPV6.test(host) && host.includes(':')
    : IPV4.test(host) || (HOSTNAME.test(host) && !/^[\d.]+$/.test(host));
  if (!validHost) return { error: `"${host}" is not a host name or IP address.` };
  return { host, port };
}

export function formatPeerAddress({ host, port }: PeerAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
