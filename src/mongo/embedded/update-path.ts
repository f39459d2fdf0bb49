import { isPlainObject, type Doc } from './bson-types.js';
import { badValue, CommandError } from './errors.js';
import { getOwn, setOwn } from './own.js';

/**
 * Dotted paths for writes: intermediate documents are created as needed, numeric components index
 * arrays (padding with nulls), and writing through a scalar is MongoDB's PathNotViable error.
 */
const NUMERIC = /^\d+$/;

type Container = Doc | unknown[];

function describe(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function child(node: Container, part: string): unknown {
  if (Array.isArray(node)) return NUMERIC.test(part) ? node[Number(part)] : undefined;
  return getOwn(node, part);
}

/** mongod's limit on the nulls a write past the end of an array may add. */
const MAX_BACKFILL = 1_500_000;

function put(node: Container, part: string, value: unknown): void {
  if (Array.isArray(node)) {
    const idx = Number(part);
    if (idx - node.length > MAX_BACKFILL) throw badValue(`can't backfill more than ${MAX_BACKFILL} elements`);
    while (node.length < idx) node.push(null);
    node[idx] = value;
  } else setOwn(node, part, value);
}

/** The container holding the last component, creating intermediate documents when `create`. */
function parentOf(doc: Doc, parts: readonly string[], create: boolean): Container | undefined {
  let node: Container = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    if (Array.isArray(node) && !NUMERIC.test(part)) {
      if (!create) return undefined;
      throw new CommandError(
        'PathNotViable',
        `Cannot create field '${part}' in element {${parts.slice(0, i).join('.')}: ${describe(node)}}`,
      );
    }
    let next = child(node, part);
    if (next === undefined || next === null) {
      if (!create) return undefined;
      if (next === null && !Array.isArray(node)) {
        throw new CommandError(
          'PathNotViable',
          `Cannot create field '${parts[i + 1]}' in element {${part}: null}`,
        );
      }
      next = {};
      put(node, part, next);
    }
    if (!isPlainObject(next) && !Array.isArray(next)) {
      if (!create) return undefined;
      throw new CommandError(
        'PathNotViable',
        `Cannot create field '${parts[i + 1]}' in element {${part}: ${describe(next)}}`,
      );
    }
    node = next;
  }
  return node;
}

export function getAt(doc: Doc, parts: readonly string[]): unknown {
  const parent = parentOf(doc, parts, false);
  return parent === undefined ? undefined : child(parent, parts[parts.length - 1] as string);
}

export function setAt(doc: Doc, parts: readonly string[], value: unknown): void {
  const parent = parentOf(doc, parts, true) as Container;
  const last = parts[parts.length - 1] as string;
  if (Array.isArray(parent) && !NUMERIC.test(last)) {
    throw new CommandError('PathNotViable', `Cannot create field '${last}' in element {${describe(parent)}}`);
  }
  put(parent, last, value);
}

/** $unset semantics: a document field is removed; an array element becomes null (arrays keep their length). */
export function unsetAt(doc: Doc, parts: readonly string[]): void {
  const parent = parentOf(doc, parts, false);
  if (parent === undefined) return;
  const last = parts[parts.length - 1] as string;
  if (Array.isArray(parent)) {
    if (NUMERIC.test(last) && Number(last) < parent.length) parent[Number(last)] = null;
  } else delete parent[last];
}

/** Expand `$[]` (all elements) into concrete paths against the current document. */
export function expandAllPositional(doc: Doc, parts: readonly string[]): string[][] {
  const at = parts.indexOf('$[]');
  if (at < 0) return [parts.slice()];
  const arr = getAt(doc, parts.slice(0, at));
  if (!Array.isArray(arr)) {
    throw new CommandError(
      'BadValue',
      `The path '${parts.slice(0, at).join('.')}' must exist in the document in order to apply array updates.`,
    );
  }
  return arr.flatMap((_, i) =>
    expandAllPositional(doc, [...parts.slice(0, at), String(i), ...parts.slice(at + 1)]),
  );
}
