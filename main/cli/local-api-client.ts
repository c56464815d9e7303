/**
 * How the CLI talks to a running node: it reads `<dataDir>/api.json` (where the node's local
 * API listens) and `<dataDir>/api-token`, then calls `POST /api/v1/<command>` on 127.0.0.1.
 * Every answer is the router's Result; a node that is not running is NOT_RUNNING in words.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CommandArgs, CommandName, CommandResult } from '../../shared/api';
import { isErrorCode, ParleyError, type Result } from '../../shared/errors';
import { API_ENDPOINT_FILE, API_PREFIX, API_TOKEN_FILE } from '../core/api/local-api-server';

const Endpoint = z.object({ port: z.number().int().min(1).max(65535), pid: z.number() });

export interface LocalApiClient {
  invoke<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandResult<N>>;
}

export function connectLocalApi(dataDir: string): LocalApiClient {
  const notRunning = new ParleyError(
    'NOT_RUNNING',
    `No Parley node is running on the data folder ${dataDir}. Start one with: parley serve --data-dir ${dataDir}`,
  );
  let endpoint: z.infer<typeof Endpoint>;
  let token: string;
  try {
    endpoint = Endpoint.parse(JSON.parse(readFileSync(join(dataDir, API_ENDPOINT_FILE), 'utf8')));
    token = readFileSync(join(dataDir, API_TOKEN_FILE), 'utf8').trim();
  } catch {
    throw notRunning;
  }
  return {
    async invoke(name, args) {
      let response: Response;
      try {
        response = await fetch(`http://127.0.0.1:${endpoint.port}${API_PREFIX}${name}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(args),
        });
      } catch {
        throw notRunning;
      }
      const result = (await response.json()) as Result<CommandResult<typeof name>>;
      if (!result.ok) {
        const code = isErrorCode(result.error.code) ? result.error.code : 'INTERNAL';
        throw new ParleyError(code, result.error.message);
      }
      return result.value;
    },
  };
}
