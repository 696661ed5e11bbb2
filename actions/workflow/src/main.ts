import * as core from '@actions/core';
import { workflowAction } from './workflow.js';

await workflowAction(core);
