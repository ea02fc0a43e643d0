import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The browser script is plain JavaScript served as it is; its JSDoc types are checked here, with
 * the DOM library and against the API's types, by its own tsconfig (the workspace's has no DOM).
 */
test('the page script type-checks against the DOM and the API types', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const project = fileURLToPath(new URL('../src/client/tsconfig.json', import.meta.url));
  const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  assert.is(result.status, 0, `tsc -p src/client/tsconfig.json:\n${result.stdout}${result.stderr}`);
});

test.run();
