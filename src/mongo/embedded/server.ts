import { createServer, type AddressInfo, type Socket } from 'node:net';
import { serveConnection } from './connection.js';
import { CursorRegistry } from './cursors.js';
import { Store } from './store.js';

/**
 * An in-memory MongoDB-wire-compatible server: the official driver and Mongoose talk to it over TCP as
 * to a standalone mongod 7.0. Nothing is written to disk.
 */
export interface EmbeddedMongoOptions {
  /** TCP port; 0 picks a free one. @defaultValue 0 */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
}

export interface EmbeddedMongo {
  readonly port: number;
  readonly host: string;
  /** e.g. mongodb://127.0.0.1:PORT (no database path: callers append `/dbname`). */
  readonly url: string;
  /** Destroys every client socket, stops listening and frees all data. */
  close(): Promise<void>;
}

export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = options.host ?? '127.0.0.1';
  const state = { store: new Store(), cursors: new CursorRegistry() };
  const sockets = new Set<Socket>();
  let connectionIds = 0;
  let closed = false;
  const server = createServer((socket) => {
    // A connection accepted while close() runs must not outlive the server.
    if (closed) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, state, ++connectionIds);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    url: `mongodb://${urlHost}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        state.cursors.close();
        for (const s of sockets) s.destroy();
        sockets.clear();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
