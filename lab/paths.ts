// The files of the checkout the lab runs: the image's scripts, its own servers, the bundles it
// starts as their runtimes would. The same from the sources and from the CLI bundle; found on
// first use, so the CLI's other commands run from anywhere.
import { join } from 'node:path';
import { checkoutRoot } from '../lib/checkout.js';

let root: string | undefined;
const inCheckout = (...parts: string[]) => join((root ??= checkoutRoot(import.meta.url)), ...parts);

export const scriptPath = (name: string) => inCheckout('imagebuilder/scripts', name);
export const serverPath = (name: string) => inCheckout('lab/servers', name);
export const fixturePath = (name: string) => inCheckout('lab/fixtures', name);
export const checkerDriver = () => inCheckout('checker/driver.mjs');
export const recordStateBundle = () => inCheckout('actions/record-state/dist/index.js');
