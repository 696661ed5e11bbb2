import * as core from '@actions/core';
import * as github from '@actions/github';
import { fileURLToPath } from 'node:url';
import { deployAction } from './deploy.js';

// checker/dist of the natfleet checkout this action runs from. Plain string work on purpose:
// ncc rewrites `new URL(…, import.meta.url)` into a bundled asset.
const here = fileURLToPath(import.meta.url);
const root = here.slice(0, here.lastIndexOf('/actions/deploy/'));

await deployAction(core, github, `${root}/checker/dist`);
