import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerDeps } from '../workers/deps.js';
import { createBoardApp } from './app.js';
import { resolveCredentials } from './credentials.js';

export interface RunningBoard {
  /** Base URL, e.g. `http://localhost:3000` (port resolved when 0 was asked for). */
  readonly url: string;
  readonly port: number;
  /** The address actually bound, e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly host: string;
  /** Stops listening and drops every connection, keep-alive ones included; deps stay open. */
  close(): Promise<void>;
}

/** The board would face the network with credentials anyone who reads the source knows. */
export class BoardExposureError extends Error {
  override readonly name = 'BoardExposureError';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Where to listen. With real credentials: 0.0.0.0, since inside a container 127.0.0.1 is unreachable
 * from the published port. With a built-in default credential in force: 127.0.0.1, unless BOARD_PUBLIC=1
 * opts in (logged). An explicit host is kept, but a non-loopback one with default credentials and no
 * opt-in is refused rather than warned about.
 */
export function chooseHost(deps: Pick<WorkerDeps, 'config' | 'log'>, host?: string): string {
  const log = deps.log.child({ component: 'board' });
  const { builtInDefaults } = resolveCredentials(deps.config);
  const exposed = builtInDefaults.length > 0;
  const optIn = deps.config.BOARD_PUBLIC;
  const chosen = host ?? (exposed && !optIn ? '127.0.0.1' : '0.0.0.0');
  if (!exposed || isLoopback(chosen)) {
    const because = exposed
      ? `${builtInDefaults.join(' and ')} at the built-in default: loopback only; set BOARD_CREDENTIALS to listen beyond it`
      : host === undefined
        ? 'credentials are set: listening on every interface'
        : 'host given by the caller';
    log.info({ host: chosen, defaults: builtInDefaults }, `board binds ${chosen}: ${because}`);
    return chosen;
  }
  if (!optIn) {
    throw new BoardExposureError(
      `refusing to listen on ${chosen}: ${builtInDefaults.join(' and ')} still at the built-in default. ` +
        'Set BOARD_CREDENTIALS (name:role:secret,...), or BOARD_PUBLIC=1 to expose it anyway',
    );
  }
  log.warn(
    { host: chosen, defaults: builtInDefaults, BOARD_PUBLIC: true },
    `BOARD_PUBLIC=1: board binds ${chosen} with ${builtInDefaults.join(' and ')} at the built-in default; ` +
      'anyone on the network who has read the source can act as operator (start runs, change modes)',
  );
  return chosen;
}

/** Serves the board on `host`, or where chooseHost() decides when none is given. */
export async function startBoard(deps: WorkerDeps, port: number, host?: string): Promise<RunningBoard> {
  const bind = chooseHost(deps, host);
  const server = createServer(createBoardApp(deps));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = bind === '0.0.0.0' || bind === '::' ? 'localhost' : bind;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    host: address.address,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone waits for keep-alive sockets to time out (browsers and fetch keep them open).
        server.closeAllConnections();
      }),
  };
}
