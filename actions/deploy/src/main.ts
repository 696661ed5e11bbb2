import * as core from '@actions/core';
import * as github from '@actions/github';
import { deployAction } from './deploy.js';

await deployAction(core, github, new URL('../../../checker/dist', import.meta.url).pathname);
