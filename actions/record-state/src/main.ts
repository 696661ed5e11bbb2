import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { awsClients } from '../../../lib/aws/clients.js';
import { recordStateAction } from './record-state.js';

await recordStateAction(core, {
  env: process.env,
  now: () => new Date(),
  aws: awsClients,
  octokit: (token) => getOctokit(token),
});
