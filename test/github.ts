// The fake GitHub API lives in lab/ (the lab's audit trail uses it); tests import it from here.
export * from '../lab/github.js';
