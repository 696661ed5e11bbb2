// Where natfleet's checkout is, from the sources or from a bundle in it (cli/dist, actions/*/dist):
// the first folder up from the running file that holds natfleet's package.json. Plain path work on
// purpose: the bundler rewrites `new URL(…, import.meta.url)` into a bundled asset, and folders of
// scripts (the image's, the lab's servers) are not assets.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const isCheckout = (dir: string) => {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'natfleet';
  } catch {
    return false;
  }
};

/** The checkout that holds `moduleUrl` (pass `import.meta.url`). */
export function checkoutRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 12; i++) {
    if (isCheckout(dir)) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(
    `natfleet's checkout was not found above ${fileURLToPath(moduleUrl)}: run it from a clone`,
  );
}
