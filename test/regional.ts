// The example's prod with its commented regional option taken: gateway.mode regional, no subnet.
import { parseConfig } from '../lib/config/load.js';
import type { Environment } from '../lib/config/schema.js';
import { EXAMPLE, exampleText } from './helpers.js';

export function regionalExampleText(natGatewayId?: string): string {
  const text = exampleText();
  const block = /^ {4}gateway:\n {6}mode: shared.*\n {6}subnet: .*\n/m;
  if (!block.test(text)) throw new Error('examples/natfleet.yml: prod’s gateway block moved');
  const adopt = natGatewayId ? `      natGatewayId: ${natGatewayId}\n` : '';
  return text.replace(block, `    gateway:\n      mode: regional\n${adopt}`);
}

export const regionalProd = (natGatewayId?: string): Environment =>
  parseConfig(regionalExampleText(natGatewayId), EXAMPLE).environments.prod!;
