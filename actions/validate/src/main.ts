import * as core from '@actions/core';
import { validateAction } from './validate.js';

await validateAction(core);
