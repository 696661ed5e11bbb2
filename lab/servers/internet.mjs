// The lab's "internet" host, run inside its namespace:
//   whoami  http://ADDR/       answers with the caller's source address (what a checkip sees)
//   close   tcp ADDR:CLOSE     accepts and closes at once (new-connection rate)
//   echo    tcp ADDR:CLOSE+1   echoes what it gets (long-lived connections)
//   IMDSv2  http://169.254.169.254/  per-caller instance metadata from a JSON file the lab
//           rewrites: { "<caller address>": { "mac": "..", "cidrs": ["10.20.0.0/16"], "v1"?: true,
//           "ipv4s"?: ["<primary>", "<secondary>"] } }
// Usage: node internet.mjs ADDR CLOSE_PORT IMDS_FILE
import { createServer } from 'node:http';
import { createServer as tcpServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [addr, closePort, imdsFile] = process.argv.slice(2);
const peer = (req) => (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');

createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(`${peer(req)}\n`);
}).listen(80, addr);

tcpServer((s) => s.end()).listen(Number(closePort), addr);
tcpServer((s) => {
  s.on('error', () => s.destroy());
  s.pipe(s);
}).listen(Number(closePort) + 1, addr);

const tokens = new Set();
createServer((req, res) => {
  const send = (code, body) => {
    res.statusCode = code;
    res.end(body);
  };
  if (req.method === 'PUT' && req.url === '/latest/api/token') {
    if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return send(400, 'ttl missing');
    const t = randomUUID();
    tokens.add(t);
    return send(200, t);
  }
  let instance;
  try {
    instance = JSON.parse(readFileSync(imdsFile, 'utf8'))[peer(req)];
  } catch (e) {
    // Answer what a real IMDS answers when it cannot: a 5xx the scripts' curl retries.
    return send(503, `metadata table unreadable: ${e.message}`);
  }
  // "v1": true plays an instance launched without HttpTokens=required.
  const v1 = instance?.v1 === true;
  if (!v1 && !tokens.has(req.headers['x-aws-ec2-metadata-token']))
    return send(401, 'token required');
  if (!instance) return send(404, 'unknown instance');
  if (req.url === '/latest/meta-data/') return send(200, 'mac\nnetwork/\n');
  const base = '/latest/meta-data/';
  const path = (req.url ?? '').startsWith(base) ? req.url.slice(base.length) : '';
  if (path === 'mac') return send(200, instance.mac);
  if (path === `network/interfaces/macs/${instance.mac}/vpc-ipv4-cidr-blocks`)
    return send(200, instance.cidrs.join('\n'));
  // "ipv4s": the primary interface's addresses, primary first (the handoff lab moves one).
  if (path === `network/interfaces/macs/${instance.mac}/local-ipv4s` && instance.ipv4s)
    return send(200, instance.ipv4s.join('\n'));
  return send(404, 'not found');
}).listen(80, '169.254.169.254');

process.on('SIGTERM', () => process.exit(0));
console.log('ready');
