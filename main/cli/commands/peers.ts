/**
 * `parley peers`: lists the peers a running node knows, and `parley peers add|remove HOST:PORT`
 * manages the peers added by hand (for networks where multicast does not reach). All of it
 * goes through the running node's local API.
 */
import type { PeerInfo } from '../../../shared/api';
import { formatTable, printJson, UsageError, type CliIo } from '../cli-io';
import { connectLocalApi } from '../local-api-client';

export async function peersCommand(
  io: CliIo,
  opts: { dataDir: string; json: boolean; positionals: string[] },
): Promise<number> {
  const [action, address, ...extra] = opts.positionals;
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra[0]}`);
  if (action !== undefined && !['list', 'add', 'remove'].includes(action)) {
    throw new UsageError(`Unknown peers action: ${action} (use list, add or remove)`);
  }
  if ((action === 'add' || action === 'remove') && address === undefined) {
    throw new UsageError(`parley peers ${action} needs HOST:PORT`);
  }
  // Only a valid command line goes on to look for the running node.
  const api = connectLocalApi(opts.dataDir);
  switch (action) {
    case undefined:
    case 'list': {
      if (address !== undefined) throw new UsageError(`Unexpected argument: ${address}`);
      const peers = await api.invoke('peers.list', {});
      if (opts.json) printJson(io, peers);
      else io.out(formatPeerTable(peers));
      return 0;
    }
    case 'add':
    case 'remove': {
      if (action === 'add') {
        const added = await api.invoke('peers.add', { address: address! });
        if (opts.json) printJson(io, added);
        else
          io.out(
            added.deviceId
              ? `Added ${added.address}: device ${added.deviceId}.`
              : `Added ${added.address}; not reached yet, Parley keeps trying.`,
          );
      } else {
        await api.invoke('peers.remove', { address: address! });
        if (opts.json) printJson(io, { address });
        else io.out(`Removed ${address}.`);
      }
      return 0;
    }
  }
  return 0;
}

export function formatPeerTable(peers: PeerInfo[], now = Date.now()): string {
  if (peers.length === 0)
    return 'No peers yet. Other Parley nodes on the LAN appear here by themselves.';
  const rows = peers.map((p) => [
    p.name,
    p.deviceId,
    p.address ?? '-',
    p.linked ? 'linked' : p.online ? 'online' : 'offline',
    p.lastSeen === null ? 'never' : ago(now - p.lastSeen),
    [p.verified ? 'verified' : '', p.manual ? 'manual' : ''].filter(Boolean).join(','),
  ]);
  return formatTable(['NAME', 'DEVICE ID', 'ADDRESS', 'STATE', 'LAST SEEN', ''], rows);
}

function ago(ms: number): string {
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} days ago`;
}
