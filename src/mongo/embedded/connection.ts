import type { Socket } from 'node:net';
import type { Doc } from './bson-types.js';
import { runCommand } from './commands/index.js';
import type { CursorRegistry } from './cursors.js';
import { CommandError } from './errors.js';
import { encode } from './raw-bson.js';
import type { Store } from './store.js';
import {
  encodeOpMsg,
  encodeOpReply,
  MessageFramer,
  MSG_MORE_TO_COME,
  OP_MSG,
  OP_QUERY,
  parseOpMsg,
  parseOpQuery,
  readHeader,
} from './wire.js';

/**
 * One client connection: frames messages, runs each command synchronously (so every command is atomic
 * with respect to the others, like a single-node server with a global lock) and writes the reply.
 */
export interface ServerState {
  store: Store;
  cursors: CursorRegistry;
}

function toReplyBytes(result: Doc | Buffer): Buffer {
  return Buffer.isBuffer(result) ? result : encode(result);
}

function safeRun(
  body: Doc,
  db: string,
  sequences: Map<string, Buffer[]>,
  state: ServerState,
  connectionId: number,
): Buffer {
  try {
    return toReplyBytes(runCommand(body, { ...state, db, sequences, connectionId }));
  } catch (err) {
    if (err instanceof CommandError) return encode(err.toReply());
    const message = err instanceof Error ? err.message : String(err);
    return encode({
      ok: 0,
      errmsg: `internal error in embedded server: ${message}`,
      code: 1,
      codeName: 'InternalError',
    });
  }
}

export function serveConnection(socket: Socket, state: ServerState, connectionId: number): void {
  const framer = new MessageFramer();
  const write = (parts: Buffer[]): void => {
    socket.cork();
    for (const p of parts) socket.write(p);
    socket.uncork();
  };
  const handle = (msg: Buffer): void => {
    const header = readHeader(msg);
    if (header.opCode === OP_MSG) {
      const { flags, body, sequences } = parseOpMsg(msg);
      const db = typeof body.$db === 'string' ? body.$db : 'admin';
      const reply = safeRun(body, db, sequences, state, connectionId);
      // moreToCome: the client asked for no reply (unacknowledged write).
      if (!(flags & MSG_MORE_TO_COME)) write(encodeOpMsg(header.requestId, reply));
    } else if (header.opCode === OP_QUERY) {
      const { collection, query } = parseOpQuery(msg);
      const db = collection.endsWith('.$cmd') ? collection.slice(0, -'.$cmd'.length) : 'admin';
      write(encodeOpReply(header.requestId, safeRun(query, db, new Map(), state, connectionId)));
    } else {
      // OP_COMPRESSED is never negotiated (hello advertises no compressors); anything else is obsolete.
      socket.destroy();
    }
  };
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const msg of framer.push(chunk)) handle(msg);
    } catch {
      socket.destroy(); // a malformed stream cannot be resynchronized
    }
  });
  socket.on('error', () => {
    // The client went away; 'close' follows.
  });
}
