import { afterAll, beforeAll } from 'vitest';

/**
 * Fails a test file that leaves a socket or a server open (a pool not ended, a worker not closed, an
 * embedded Mongo not stopped). Registered first, so with vitest's stacked hooks it runs after the file's
 * own afterAll cleanup.
 */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'PipeWrap']);
let baseline = 0;

const openHandles = () => process.getActiveResourcesInfo().filter((type) => WATCHED.has(type));

beforeAll(() => {
  baseline = openHandles().length;
});

afterAll(async () => {
  // Closing sockets finish on a later tick; give them a moment before calling it a leak.
  const deadline = Date.now() + 3_000;
  while (openHandles().length > baseline && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const open = openHandles();
  if (open.length > baseline) {
    throw new Error(`test file leaked ${open.length - baseline} open handle(s): ${open.join(', ')}`);
  }
});
