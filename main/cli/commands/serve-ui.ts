/**
 * The web GUI part of `parley serve --ui [--ui-port P]`: starts the web GUI server over a
 * running node and says where to open it.
 *
 * What must stay true: if the web GUI cannot start (port taken, renderer not built), the node
 * is closed before the error goes up, so `parley serve` exits instead of running headless
 * without the window that was asked for.
 */
import { createWebUiServer, type WebUiServer } from '../../core/api/web-ui-server';
import type { Logger } from '../../core/log/logger';
import type { ParleyNode } from '../../core/node';

export { DEFAULT_WEB_UI_PORT } from '../../core/api/web-ui-server';

export async function startServeUi(
  node: ParleyNode,
  ui: { port: number } | false,
  logger: Logger,
): Promise<WebUiServer | undefined> {
  if (!ui) return undefined;
  const server = createWebUiServer({
    router: node.api,
    port: ui.port,
    logger: logger.child('web_ui'),
  });
  try {
    await server.start();
    return server;
  } catch (err) {
    await server.close();
    await node.close();
    throw err;
  }
}

/** The lines `parley serve` prints about the web GUI. */
export function webUiLines(server: WebUiServer | undefined): string[] {
  if (!server) return [];
  return [
    `Web GUI:     ${server.url}`,
    '             (open it in a browser on this computer; whoever has this address controls the node)',
  ];
}
