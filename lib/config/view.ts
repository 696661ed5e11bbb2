// What every cross-field rule reads: one environment of the raw document, read defensively
// (rules still report when other fields are structurally wrong).
import type { Problem } from './problems.js';

export type Obj = Record<string, unknown>;
export type Path = (string | number)[];

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One environment of the raw document, its zones and its place. */
export interface EnvironmentView {
  env: Obj;
  base: Path;
  zones: { z: Obj; path: Path }[];
  /** The region, when it is itself valid (rules compare only valid values). */
  region: string | undefined;
}

export type Rule = (v: EnvironmentView) => Problem[];
