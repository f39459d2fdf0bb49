import { isNumeric, isPlainObject, type Doc } from './bson-types.js';
import { badValue, CommandError, notSupported } from './errors.js';
import { compileElementPredicate } from './matcher.js';
import { numKind, toDouble } from './numeric.js';
import { hasOwn } from './own.js';
import { splitPath } from './path.js';
import { isBsonRegExp } from './regex.js';
import { parseSort } from './sort.js';

/**
 * An update document checked the way mongod checks it: when the command is parsed, before any document
 * is matched. An unknown operator, a bad argument or two operators on one path are refused even when
 * the filter matches nothing (and so even when an upsert would not run).
 */
export interface PlannedOp {
  op: string;
  /** Path components as written (may contain the positional `$` or `$[]`). */
  parts: string[];
  arg: unknown;
}

export type ParsedUpdate = { kind: 'operators'; ops: PlannedOp[] } | { kind: 'replacement'; doc: Doc };

const OPERATORS = new Set([
  '$set',
  '$setOnInsert',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$currentDate',
  '$push',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$rename',
]);

const PUSH_MODIFIERS = new Set(['$each', '$slice', '$sort', '$position']);

export const typeName = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const kind = numKind(v);
  if (kind) return kind;
  return typeof v === 'object' ? 'object' : typeof v;
};

export function isOperatorUpdate(update: Doc): boolean {
  const first = Object.keys(update)[0];
  return first !== undefined && first.startsWith('$');
}

export function parseUpdate(u: unknown): ParsedUpdate {
  if (Array.isArray(u)) throw notSupported('pipeline-style updates');
  if (!isPlainObject(u))
    throw new CommandError('FailedToParse', 'Update argument must be either an object or an array');
  if (!isOperatorUpdate(u)) {
    for (const k of Object.keys(u)) {
      if (k.startsWith('$'))
        throw badValue(
          `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document.`,
        );
    }
    return { kind: 'replacement', doc: u };
  }
  const ops: PlannedOp[] = [];
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(u)) {
    if (!OPERATORS.has(op)) {
      if (op === '$bit') throw notSupported('update operator $bit');
      throw new CommandError(
        'FailedToParse',
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(fields))
      throw new CommandError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${typeName(fields)} instead. For example: {$mod: {<field>: ...}} not {${op}: ${typeName(fields)}}`,
      );
    for (const [path, arg] of Object.entries(fields)) {
      const parts = checkPath(path);
      checkArgument(op, path, arg);
      if (op === '$rename') {
        const to = checkRename(path, arg);
        ops.push({ op, parts, arg: to });
        paths.push(path, to.join('.'));
      } else {
        ops.push({ op, parts, arg });
        paths.push(path);
      }
    }
  }
  checkConflicts(paths);
  return { kind: 'operators', ops };
}

function checkPath(path: string): string[] {
  if (path === '') throw new CommandError('EmptyFieldName', 'An empty update path is not valid.');
  const parts = splitPath(path);
  if (parts.some((p) => p === '')) {
    throw new CommandError(
      'EmptyFieldName',
      `The update path '${path}' contains an empty field name, which is not allowed.`,
    );
  }
  if (parts.some((p) => p.startsWith('$[') && p !== '$[]')) {
    throw notSupported('arrayFilters ($[<identifier>] in update paths)');
  }
  return parts;
}

function checkRename(from: string, to: unknown): string[] {
  if (typeof to !== 'string')
    throw badValue(`The 'to' field for $rename must be a string: ${from}: ${typeName(to)}`);
  const toParts = checkPath(to);
  const dynamic = (ps: string[]) => ps.some((p) => p.startsWith('$'));
  if (dynamic(splitPath(from))) throw badValue(`The source field for $rename may not be dynamic: ${from}`);
  if (dynamic(toParts)) throw badValue(`The destination field for $rename may not be dynamic: ${to}`);
  if (from === to) throw badValue(`The source and target field for $rename must differ: ${from}: "${to}"`);
  if (to.startsWith(`${from}.`) || from.startsWith(`${to}.`))
    throw badValue(`The source and target field for $rename must not be on the same path: ${from}: "${to}"`);
  return toParts;
}

function checkArgument(op: string, path: string, arg: unknown): void {
  switch (op) {
    case '$inc':
    case '$mul':
      if (!isNumeric(arg)) {
        throw new CommandError(
          'TypeMismatch',
          `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(arg)}}`,
        );
      }
      return;
    case '$currentDate':
      if (typeof arg === 'boolean') return;
      if (isPlainObject(arg) && Object.keys(arg).length === 1 && hasOwn(arg, '$type')) {
        if (arg.$type === 'date' || arg.$type === 'timestamp') return;
        throw badValue(
          "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}",
        );
      }
      throw badValue(
        `${path} is not valid to set to a date. Expected a boolean or {$type: 'date' | 'timestamp'}`,
      );
    case '$pop':
      if (!isNumeric(arg) || (toDouble(arg) !== 1 && toDouble(arg) !== -1))
        throw new CommandError('FailedToParse', `$pop expects 1 or -1, found: ${JSON.stringify(arg)}`);
      return;
    case '$pullAll':
      if (!Array.isArray(arg))
        throw badValue(`$pullAll requires an array argument but was given a ${typeName(arg)}`);
      return;
    case '$pull':
      if (isPlainObject(arg) && !isBsonRegExp(arg)) compileElementPredicate(arg); // refuses bad operators now
      return;
    case '$push':
      return checkPush(arg);
    case '$addToSet':
      if (isPlainObject(arg) && hasOwn(arg, '$each')) {
        if (Object.keys(arg).length !== 1)
          throw badValue(
            `Found unexpected fields after $each in $addToSet: ${JSON.stringify(Object.keys(arg))}`,
          );
        if (!Array.isArray(arg.$each))
          throw badValue(
            `The argument to $each in $addToSet must be an array but it was of type ${typeName(arg.$each)}`,
          );
      }
      return;
    default:
      return;
  }
}

function checkPush(arg: unknown): void {
  if (!isPlainObject(arg) || !hasOwn(arg, '$each')) return;
  for (const k of Object.keys(arg)) {
    if (!PUSH_MODIFIERS.has(k)) throw badValue(`Unrecognized clause in $push: ${k}`);
  }
  if (!Array.isArray(arg.$each))
    throw badValue(
      `The argument to $each in $push must be an array but it was of type: ${typeName(arg.$each)}`,
    );
  for (const k of ['$slice', '$position'] as const) {
    const v = arg[k];
    if (v !== undefined && (!isNumeric(v) || !Number.isInteger(toDouble(v))))
      throw badValue(`The value for ${k} must be an integer value but was given type: ${typeName(v)}`);
  }
  const sort = arg.$sort;
  if (sort === undefined) return;
  if (isPlainObject(sort)) parseSort(sort);
  else if (!isNumeric(sort) || (toDouble(sort) !== 1 && toDouble(sort) !== -1))
    throw badValue(
      'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
    );
}

/** Two operators on one path, or on a path and its prefix, are MongoDB's ConflictingUpdateOperators. */
export function checkConflicts(paths: string[]): void {
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p))
      throw new CommandError(
        'ConflictingUpdateOperators',
        `Updating the path '${p}' would create a conflict at '${p}'`,
      );
    seen.add(p);
  }
  for (const p of paths) {
    const parts = p.split('.');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      if (seen.has(prefix)) {
        throw new CommandError(
          'ConflictingUpdateOperators',
          `Updating the path '${p}' would create a conflict at '${prefix}'`,
        );
      }
    }
  }
}
