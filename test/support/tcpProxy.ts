import net from 'node:net';

/**
 * A TCP proxy in front of the shared Postgres, so a test can take "Postgres" away without stopping the
 * real one (other test files use it): `cut()` closes the port and every connection through it (clients
 * see ECONNREFUSED / a reset), `blackhole()` keeps accepting but forwards nothing (clients hang, as
 * behind a dropped route), `restore()` forwards again on the same port.
 */
export interface TcpProxy {
  readonly port: number;
  cut(): Promise<void>;
  blackhole(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: 'forward' | 'blackhole' = 'forward';
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'blackhole') return;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    async cut() {
      await stop();
    },
    async blackhole() {
      await stop();
      mode = 'blackhole';
      await listen(port);
    },
    async restore() {
      await stop();
      mode = 'forward';
      await listen(port);
    },
    close: stop,
  };
}
