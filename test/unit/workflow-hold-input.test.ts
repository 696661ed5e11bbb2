// The workflow action's hold input: read through the one inputs module, held by the actor who
// started the run, refused for anything but true/false.
import { describe, expect, it } from '@jest/globals';
import { settingsFrom } from '../../actions/workflow/src/workflow.js';
import { fakeCore } from '../fake-core.js';

const base = { environment: 'prod', workflow: 'failover', reason: 'AZ outage' };
const settings = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  settingsFrom(fakeCore({ ...base, ...inputs }).core as never, env);

describe('the workflow action: hold', () => {
  it('holds by the actor who started the run when hold is true', () => {
    expect(settings({ hold: 'true' }, { GITHUB_ACTOR: 'octo' }).holdBy).toBe(
      'octo (GitHub Actions)',
    );
    expect(settings({ hold: 'true' }).holdBy).toBe('unknown (GitHub Actions)');
  });

  it('places no hold when hold is false or not given', () => {
    expect(settings({ hold: 'false' }, { GITHUB_ACTOR: 'octo' }).holdBy).toBeUndefined();
    expect(settings({}, { GITHUB_ACTOR: 'octo' }).holdBy).toBeUndefined();
  });

  it('names the input and what it expects for anything else', () => {
    expect(() => settings({ hold: 'yes' })).toThrow(
      'input hold: expected false or true, got "yes"',
    );
  });
});
