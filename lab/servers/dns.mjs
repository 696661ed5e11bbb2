// A small DNS server for the lab's VPC resolver: answers A queries for the names in NAMES
// (name=address,…) with TTL 5, nothing for other types; MODE_FILE {"delay": "slow"} makes every
// answer wait 1–3 s (a slow resolver). Usage: node dns.mjs ADDR NAMES MODE_FILE
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { setTimeout } from 'node:timers';

const [addr, names, modeFile] = process.argv.slice(2);
const table = new Map(names.split(',').map((p) => p.split('=')));
const slow = () => {
  try {
    return JSON.parse(readFileSync(modeFile, 'utf8')).delay === 'slow';
  } catch {
    return false;
  }
};

function reply(q) {
  let i = 12;
  const labels = [];
  while (i < q.length && q[i] !== 0) {
    labels.push(q.subarray(i + 1, i + 1 + q[i]).toString());
    i += q[i] + 1;
  }
  const qEnd = i + 5;
  const type = q.readUInt16BE(i + 1);
  const address = type === 1 ? table.get(labels.join('.').toLowerCase()) : undefined;
  const head = Buffer.alloc(12);
  q.copy(head, 0, 0, 2);
  head.writeUInt16BE(table.has(labels.join('.').toLowerCase()) ? 0x8180 : 0x8183, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(address ? 1 : 0, 6);
  const question = q.subarray(12, qEnd);
  if (!address) return Buffer.concat([head, question]);
  const answer = Buffer.alloc(16);
  answer.writeUInt16BE(0xc00c, 0);
  answer.writeUInt16BE(1, 2);
  answer.writeUInt16BE(1, 4);
  answer.writeUInt32BE(5, 6);
  answer.writeUInt16BE(4, 10);
  address.split('.').forEach((b, k) => answer.writeUInt8(Number(b), 12 + k));
  return Buffer.concat([head, question, answer]);
}

const sock = createSocket('udp4');
sock.on('message', (q, peer) => {
  let out;
  try {
    out = reply(q);
  } catch {
    return;
  }
  const send = () => sock.send(out, peer.port, peer.address);
  if (slow()) setTimeout(send, 1000 + Math.random() * 2000);
  else send();
});
sock.bind(53, addr, () => console.log('ready'));
