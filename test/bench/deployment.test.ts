import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKER_NODE_OPTIONS } from '../../src/bench/workers.js';

describe('the bench measures workers as docker-compose.yml deploys them', () => {
  it('with the same NODE_OPTIONS', () => {
    const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    const worker = compose.slice(compose.indexOf('\n  worker:'));
    expect(worker).toContain(`NODE_OPTIONS: ${WORKER_NODE_OPTIONS}`);
  });
});
