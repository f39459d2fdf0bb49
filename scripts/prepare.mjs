// `npm run prepare`: builds the library (dist/) from src/ when the build toolchain is installed.
//
// npm runs `prepare` (npm docs "Life Cycle Scripts"; @npmcli/arborist, pacote):
// - in this checkout after `npm install` / `npm ci` with no package arguments: dev dependencies are
//   installed, so this builds;
// - before `npm pack` / `npm publish`: builds, so a tarball always carries a fresh dist/;
// - for `npm install <git url>`: pacote clones, runs `npm install` in the clone (dev dependencies
//   included, so this builds), runs `prepare` again, packs the clone by "files" and installs that;
// - never for a dependency installed from a tarball or a registry: its dist/ comes prebuilt.
// Where dev dependencies are omitted (`npm install --omit=dev` in a checkout or an unpacked tarball)
// it skips instead of failing. TypeScript alone proves nothing there: a peer dependency (valibot's)
// installs it even then, but not the @types packages the build needs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const entry = fileURLToPath(new URL('../dist/repositories/index.js', import.meta.url));
const require = createRequire(import.meta.url);

/** Whether a package is installed where this checkout resolves it (an "exports" map may hide package.json). */
function installed(name) {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch (error) {
    return error?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
}

const { devDependencies = {} } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
);
const toolchain = Object.keys(devDependencies).filter(
  (name) => name === 'typescript' || name.startsWith('@types/'),
);
const missing = toolchain.filter((name) => !installed(name));

if (missing.length > 0) {
  if (existsSync(entry)) {
    console.log(`strangler prepare: ${missing.join(', ')} not installed; keeping the prebuilt dist/.`);
  } else {
    console.warn(
      `strangler prepare: ${missing.join(', ')} not installed (dev dependencies omitted?), so dist/ is not ` +
        "built and `import 'strangler'` will not resolve. The CLI (bin/strangler.js) does not need it.",
    );
  }
  process.exit(0);
}

// `npm run build`, on a clean dist/ so that no output of a deleted source file ships.
rmSync(dist, { recursive: true, force: true });
const build = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (build.error) throw build.error;
process.exit(build.status ?? 1);
