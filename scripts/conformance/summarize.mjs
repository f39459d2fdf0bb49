// Sums mocha JSON reports written by mongoose.sh: passed / failed / pass rate, failures per file, and the
// most frequent failure messages (numbers, ids and quoted names folded, so one cause counts once).
// Usage: node summarize.mjs <report-dir> <test-file>...
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...files] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let pending = 0;
// A clean refusal: the embedded server's NotImplemented (naming the feature) or a command it does not have.
const refusal = /not supported by the embedded MongoDB server|no such command/;
let refusals = 0;
const others = [];
const categories = new Map();
const perFile = [];

function fold(message) {
  return String(message ?? '')
    .split('\n')[0]
    .replace(/[0-9a-f]{24}/g, '<oid>')
    .replace(/\b\d+(\.\d+)?\b/g, 'N')
    .replace(/"[^"]*"|'[^']*'/g, (m) => (m.length > 40 ? '<str>' : m))
    .slice(0, 160);
}

for (const file of files) {
  const report = join(dir, `${file.replaceAll('/', '_')}.json`);
  let json;
  try {
    json = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined;
  } catch {
    json = undefined;
  }
  if (!json?.stats) {
    failed += 1;
    perFile.push([file, 0, 1, 'did not complete (see its .log)']);
    categories.set('<file did not complete>', (categories.get('<file did not complete>') ?? 0) + 1);
    continue;
  }
  passed += json.stats.passes;
  failed += json.stats.failures;
  pending += json.stats.pending;
  perFile.push([file, json.stats.passes, json.stats.failures, '']);
  for (const f of json.failures) {
    const message = f.err?.message ?? '';
    if (refusal.test(message)) refusals += 1;
    else others.push(`${file} :: ${f.fullTitle}\n      ${fold(message)}`);
    const key = fold(message);
    const entry = categories.get(key);
    categories.set(key, (entry ?? 0) + 1);
  }
}

for (const [file, p, f, note] of perFile)
  console.log(`${file.padEnd(48)} ${String(p).padStart(5)} passed ${String(f).padStart(4)} failed ${note}`);
const total = passed + failed;
console.log('');
console.log(`files: ${files.length}  passed: ${passed}  failed: ${failed}  pending: ${pending}`);
console.log(`pass rate: ${total ? ((100 * passed) / total).toFixed(1) : '0.0'}% of ${total} tests run`);
console.log(`failures that are a refusal of an unsupported feature or command: ${refusals}`);
console.log('');
console.log(`failures that are not such a refusal: ${others.length}`);
for (const o of others) console.log(`  ${o}`);
console.log('');
console.log('most frequent failure messages:');
for (const [msg, n] of [...categories].sort((a, b) => b[1] - a[1]).slice(0, 60))
  console.log(`${String(n).padStart(5)}  ${msg}`);
