import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerDeps } from '../workers/deps.js';
import { createBoardApp } from './app.js';

export interface RunningBoard {
  /** Base URL, e.g. `http://localhost:3000` (port resolved when 0 was asked for). */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops every connection, keep-alive ones included; deps stay open. */
  close(): Promise<void>;
}

/**
 * Serves the board. Listens on 0.0.0.0 by default: inside a container, 127.0.0.1 is unreachable from
 * the published port.
 */
export async function startBoard(deps: WorkerDeps, port: number, host = '0.0.0.0'): Promise<RunningBoard> {
  const server = createServer(createBoardApp(deps));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone waits for keep-alive sockets to time out (browsers and fetch keep them open).
        server.closeAllConnections();
      }),
  };
}
