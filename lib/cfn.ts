// CloudFormation template shapes and the few helpers every stack builder uses.
import type { StackKind, Tag } from './names.js';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
  DeletionPolicy?: 'Retain' | 'Delete' | 'Snapshot';
  UpdateReplacePolicy?: 'Retain' | 'Delete' | 'Snapshot';
  Condition?: string;
  Metadata?: Record<string, Json>;
}

export interface Parameter {
  Type: string;
  Description: string;
  AllowedPattern?: string;
}

export interface Template {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters?: Record<string, Parameter>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Description: string; Value: Json; Export?: { Name: Json } }>;
}

/**
 * A parameter whose value another stack's resource holds, read by deploy when it reaches this
 * stack: the resource's physical id, or for an Elastic IP its allocation id.
 */
export interface StackInput {
  stack: StackKind;
  logicalId: string;
  value: 'id' | 'allocation-id';
  /** Stands in for the value in a plan made before the other stack exists. */
  placeholder: string;
}

/** One stack ready to deploy: its template and the values of its parameters. */
export interface RenderedStack {
  kind: StackKind;
  name: string;
  template: Template;
  parameters: Record<string, string>;
  /** Parameters filled from other stacks' resources at deploy time. */
  inputs?: Record<string, StackInput>;
}

/** The trust policy of a role that one principal may assume with `action`, under `condition`. */
export function trustPolicy(principal: Json, action: string, condition?: Json): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: principal,
        Action: action,
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

/** The trust policy of a role that only `service` (e.g. ec2.amazonaws.com) may assume. */
export const assumeRolePolicy = (service: string, condition?: Json): Json =>
  trustPolicy({ Service: service }, 'sts:AssumeRole', condition);

export const ref = (name: string): Json => ({ Ref: name });
export const getAtt = (resource: string, attr: string): Json => ({
  'Fn::GetAtt': [resource, attr],
});
export const tagList = (tags: Tag[]): Json => tags.map((t) => ({ Key: t.Key, Value: t.Value }));

/** eu-west-1a → EuWest1a: a zone as part of a logical id or output name. */
export function zoneKey(zone: string): string {
  return zone
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

/** The parameter file format of `aws cloudformation create-change-set --parameters file://…`. */
export function parameterFile(params: Record<string, string>) {
  return Object.entries(params).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

export function resourceCounts(t: Template): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of Object.values(t.Resources)) out[r.Type] = (out[r.Type] ?? 0) + 1;
  return out;
}
