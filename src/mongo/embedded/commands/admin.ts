import { Int32 } from 'bson';
import type { Doc } from '../bson-types.js';
import { compileFilter } from '../matcher.js';
import type { CommandContext, CommandHandler } from './context.js';

/**
 * Handshake and server-information commands. The hello reply describes a standalone (no setName) with
 * no topologyVersion, so drivers poll instead of using awaitable (exhaust) hello, and no compression.
 */
export const SERVER_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21; // MongoDB 7.0

export function helloReply(cmd: Doc, ctx: Pick<CommandContext, 'connectionId'>): Doc {
  return {
    ...(cmd.helloOk === true ? { helloOk: true } : {}),
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'strangler-embedded',
  versionArray: [new Int32(7), new Int32(0), new Int32(0), new Int32(0)],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['embedded'],
  modules: [],
  ok: 1,
});

const listDatabases: CommandHandler = (cmd, ctx) => {
  const matcher = compileFilter(cmd.filter ?? {});
  const databases = ctx.store
    .databases()
    .map((name) => {
      const size = ctx.store.collections(name).reduce((n, c) => n + c.count, 0);
      return { name, sizeOnDisk: size, empty: size === 0 };
    })
    .filter((d) => matcher(d))
    .map((d) => (cmd.nameOnly === true ? { name: d.name } : d));
  return { databases, totalSize: 0, totalSizeMb: 0, ok: 1 };
};

export const adminCommands: Record<string, CommandHandler> = {
  hello: helloReply,
  isMaster: helloReply,
  ismaster: helloReply,
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  // Harmless answers for what tools and drivers ask in passing.
  getParameter: () => ({ featureCompatibilityVersion: { version: '7.0' }, ok: 1 }),
  getLog: (cmd) =>
    cmd.getLog === '*'
      ? { names: ['global', 'startupWarnings'], ok: 1 }
      : { totalLinesWritten: 0, log: [], ok: 1 },
  getCmdLineOpts: () => ({ argv: ['mongod'], parsed: {}, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  whatsmyuri: () => ({ you: '127.0.0.1:0', ok: 1 }),
  hostInfo: () => ({ system: { hostname: 'embedded' }, os: {}, extra: {}, ok: 1 }),
  serverStatus: (_cmd, ctx) => ({
    host: 'embedded',
    version: SERVER_VERSION,
    process: 'mongod',
    uptime: Math.floor(process.uptime()),
    localTime: new Date(),
    connections: { current: 0, available: 1000 },
    metrics: { cursor: { open: { total: ctx.cursors.size } } },
    ok: 1,
  }),
  endSessions: () => ({ ok: 1 }),
  refreshSessions: () => ({ ok: 1 }),
  killAllSessions: () => ({ ok: 1 }),
  listDatabases,
};
