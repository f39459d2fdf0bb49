import { Int32, Timestamp } from 'bson';
import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { compareValues, valuesEqual } from './compare.js';
import { badValue, CommandError } from './errors.js';
import { compileElementPredicate } from './matcher.js';
import { addNumbers, multiplyNumbers, numKind, toDouble } from './numeric.js';
import { hasOwn } from './own.js';
import { deepClone } from './path.js';
import { isBsonRegExp, regexFromQuery } from './regex.js';
import { parseSort, sortItems } from './sort.js';
import { checkConflicts, typeName, type PlannedOp } from './update-parse.js';
import { expandAllPositional, getAt, setAt, unsetAt } from './update-path.js';

/**
 * Applying an update that update-parse.ts has already checked: operator updates ($set, $inc, $push, ...)
 * and replacements. Works on a deep copy and returns it; the caller re-serializes and compares bytes to
 * decide whether anything changed.
 */
export interface UpdateContext {
  /** The document is being created by an upsert: $setOnInsert applies. */
  isInsert: boolean;
  /** Array index matched by the query, for the positional `$`. */
  pos?: number | undefined;
  now?: Date;
}

function idString(doc: Doc): string {
  const id = doc._id as { toHexString?: () => string } | undefined;
  return id?.toHexString ? `ObjectId('${id.toHexString()}')` : JSON.stringify(doc._id);
}

function resolvePaths(doc: Doc, parts: readonly string[], ctx: UpdateContext): string[][] {
  const resolved = parts.slice();
  const at = resolved.indexOf('$');
  if (at >= 0) {
    if (ctx.pos === undefined) {
      throw badValue('The positional operator did not find the match needed from the query.');
    }
    resolved[at] = String(ctx.pos);
  }
  return expandAllPositional(doc, resolved);
}

function arrayAt(doc: Doc, parts: string[], op: string): unknown[] | undefined {
  const current = getAt(doc, parts);
  if (current === undefined) return undefined;
  if (!Array.isArray(current)) {
    throw badValue(
      `The field '${parts.join('.')}' must be an array but is of type ${typeName(current)} in document {_id: ${idString(doc)}}${op === '$pull' ? '' : ''}`,
    );
  }
  return current;
}

function applyPush(doc: Doc, parts: string[], arg: unknown): void {
  const spec = isPlainObject(arg) && hasOwn(arg, '$each') ? arg : { $each: [arg] };
  const arr = arrayAt(doc, parts, '$push') ?? [];
  const items = (spec.$each as unknown[]).map(deepClone);
  let position = spec.$position === undefined ? arr.length : Math.trunc(toDouble(spec.$position));
  if (position < 0) position = Math.max(0, arr.length + position);
  arr.splice(Math.min(position, arr.length), 0, ...items);
  let result = arr;
  if (spec.$sort !== undefined) {
    if (isPlainObject(spec.$sort))
      result = sortItems(result, parseSort(spec.$sort), (v) => (isPlainObject(v) ? v : {}));
    else {
      const dir = toDouble(spec.$sort);
      result = [...result].sort((a, b) => compareValues(a, b) * dir);
    }
  }
  if (spec.$slice !== undefined) {
    const n = Math.trunc(toDouble(spec.$slice));
    result = n >= 0 ? result.slice(0, n) : result.slice(Math.max(0, result.length + n));
  }
  setAt(doc, parts, result);
}

function applyAddToSet(doc: Doc, parts: string[], arg: unknown): void {
  const items = isPlainObject(arg) && hasOwn(arg, '$each') ? (arg.$each as unknown[]) : [arg];
  const arr = arrayAt(doc, parts, '$addToSet') ?? [];
  for (const item of items) if (!arr.some((x) => valuesEqual(x, item))) arr.push(deepClone(item));
  setAt(doc, parts, arr);
}

/** $pull takes a condition on each element ({$gte: 5}, {a: 1}, {$or: [...]}), a regex or a value. */
function pullPredicate(cond: unknown): (el: unknown) => boolean {
  if (isBsonRegExp(cond)) {
    const re = regexFromQuery(cond);
    return (el) => (typeof el === 'string' && ((re.lastIndex = 0), re.test(el))) || valuesEqual(el, cond);
  }
  if (isPlainObject(cond)) return compileElementPredicate(cond);
  return (el) => valuesEqual(el, cond);
}

function arithmetic(doc: Doc, parts: string[], arg: unknown, op: '$inc' | '$mul'): void {
  const current = getAt(doc, parts);
  if (current === undefined) {
    setAt(doc, parts, op === '$inc' ? arg : multiplyNumbers(arg, new Int32(0)));
    return;
  }
  if (!isNumeric(current)) {
    throw new CommandError(
      'TypeMismatch',
      `Cannot apply ${op} to a value of non-numeric type. {_id: ${idString(doc)}} has the field '${parts.join('.')}' of non-numeric type ${typeName(current)}`,
    );
  }
  setAt(doc, parts, op === '$inc' ? addNumbers(current, arg) : multiplyNumbers(current, arg));
}

function applyOne(doc: Doc, op: string, parts: string[], arg: unknown, ctx: UpdateContext): void {
  switch (op) {
    case '$set':
      return setAt(doc, parts, deepClone(arg));
    case '$setOnInsert':
      if (ctx.isInsert) setAt(doc, parts, deepClone(arg));
      return;
    case '$unset':
      return unsetAt(doc, parts);
    case '$inc':
    case '$mul':
      return arithmetic(doc, parts, arg, op);
    case '$min':
    case '$max': {
      const current = getAt(doc, parts);
      const c = current === undefined ? 0 : compareValues(arg, current);
      if (current === undefined || (op === '$min' ? c < 0 : c > 0)) setAt(doc, parts, deepClone(arg));
      return;
    }
    case '$currentDate': {
      const now = ctx.now ?? new Date();
      const wantsTimestamp = isPlainObject(arg) && arg.$type === 'timestamp';
      const value = wantsTimestamp ? new Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 }) : now;
      return setAt(doc, parts, value);
    }
    case '$push':
      return applyPush(doc, parts, arg);
    case '$addToSet':
      return applyAddToSet(doc, parts, arg);
    case '$pop': {
      const arr = arrayAt(doc, parts, op);
      if (!arr || arr.length === 0) return;
      if (toDouble(arg) === 1) arr.pop();
      else arr.shift();
      return;
    }
    case '$pull':
    case '$pullAll': {
      const arr = arrayAt(doc, parts, op);
      if (!arr) return;
      let remove: (el: unknown) => boolean;
      if (op === '$pullAll') {
        const values = arg as unknown[];
        remove = (el) => values.some((x) => valuesEqual(el, x));
      } else remove = pullPredicate(arg);
      setAt(
        doc,
        parts,
        arr.filter((el) => !remove(el)),
      );
      return;
    }
    default:
      throw badValue(`update operator ${op} was not parsed`); // parseUpdate admits only the cases above
  }
}

/** Apply a parsed operator update to a copy of `doc`. */
export function applyOperatorUpdate(original: Doc, ops: readonly PlannedOp[], ctx: UpdateContext): Doc {
  const doc = deepClone(original);
  const planned: { op: string; parts: string[]; arg: unknown }[] = [];
  const allPaths: string[] = [];
  for (const { op, parts, arg } of ops) {
    if (op === '$rename') {
      planned.push({ op, parts, arg });
      allPaths.push(parts.join('.'), (arg as string[]).join('.'));
      continue;
    }
    for (const resolved of resolvePaths(doc, parts, ctx)) {
      planned.push({ op, parts: resolved, arg });
      allPaths.push(resolved.join('.'));
    }
  }
  // Again once `$` and `$[]` are resolved: 'a.$' and 'a.0' may name the same element.
  checkConflicts(allPaths);
  for (const { op, parts, arg } of planned) {
    if (op === '$rename') {
      const value = getAt(doc, parts);
      if (value === undefined) continue;
      unsetAt(doc, parts);
      setAt(doc, arg as string[], value);
    } else applyOne(doc, op, parts, arg, ctx);
  }
  if (!ctx.isInsert && original._id !== undefined && !sameId(original._id, doc._id)) throw immutableId();
  return doc;
}

function sameId(a: unknown, b: unknown): boolean {
  return b !== undefined && valuesEqual(a, b) && numKind(a) === numKind(b);
}

function immutableId(): CommandError {
  return new CommandError(
    'ImmutableField',
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}

/** A replacement (checked by parseUpdate) keeps the original _id (placed first); changing it is an error. */
export function applyReplacement(original: Doc, replacement: Doc): Doc {
  if (replacement._id !== undefined && original._id !== undefined && !sameId(original._id, replacement._id)) {
    throw immutableId();
  }
  const { _id: _ignored, ...rest } = deepClone(replacement);
  return original._id === undefined ? deepClone(replacement) : { _id: original._id, ...rest };
}
