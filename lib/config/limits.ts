// Plain limits and patterns of natfleet.yml, kept apart from the schema so that code that
// must stay small (the checker Lambda) can use them without the schema library.
export const ENVIRONMENT_NAME = '^[a-z][a-z0-9-]{0,15}$';
export const AVAILABILITY_ZONE = '^[a-z]{2}(-[a-z]+)+-\\d[a-z]$';

export interface IntLimit {
  min: number;
  max: number;
  default: number;
}

export const CHECKER_LIMITS = {
  intervalSeconds: { min: 1, max: 30, default: 1 },
  timeoutSeconds: { min: 1, max: 30, default: 1 },
  unhealthyThreshold: { min: 1, max: 100, default: 3 },
  healthyMinutes: { min: 1, max: 1440, default: 10 },
} as const satisfies Record<string, IntLimit>;

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** A URL that carries user:password@ would put a credential into templates, logs and metrics. */
export function hasUserinfo(s: string): boolean {
  try {
    const u = new URL(s);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

/** The URL with its userinfo replaced, for messages: the credential itself is never shown. */
export function withoutUserinfo(s: string): string {
  try {
    const u = new URL(s);
    if (!u.username && !u.password) return s;
    u.username = '***';
    u.password = '';
    return u.toString();
  } catch {
    return s.replace(/\/\/[^/@]*@/, '//***@');
  }
}
