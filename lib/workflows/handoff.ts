// The connection handoff of ReplaceInstances with a floating egress address (ADR 0140, 0141):
// before the switch the old instance's NAT entries are copied to the new one (SSM RunCommand:
// nat-handoff.sh receive on the new, send on the old), then the zone's routes switch, the
// floating address moves (AssignPrivateIpAddresses with AllowReassignment; its Elastic IP
// follows it, associated again to be sure), the move is awaited until the new ENI shows it, and
// a final delta is copied. A failure before the move rolls the zone back as ever; one after it
// first gives the address back to the old instance. Without `instance.egress: floating` the
// roll is unchanged.
import type { Environment } from '../config/schema.js';
import type { State, States } from './asl.js';
import { hasFirst, pass, pollAgain, pollStart, task } from './asl.js';
import { awaitCommand, sendCommand, type CommandSpec } from './command.js';
import { ifEip, ifPresent } from './common.js';
import { pathCheck, PATH_CHECK } from './path.js';

/** The states of ReplaceInstances' zone roll the handoff attaches to (replace.ts' ROLL). */
export interface RollNames {
  sourceDest: string;
  eip: string;
  moveEip: string;
  switch: string;
  retire: string;
  rollback: string;
}

/** Where the script is installed on the image (enable-nat.sh). */
export const HANDOFF_SCRIPT = '/usr/local/libexec/natfleet/nat-handoff.sh';
/** Seconds between polls of a command or of the address move, and how many. */
const POLL_SECONDS = 1;
const MAX_POLLS = 120;

export const HANDOFF = {
  address: 'HandoffAddress?',
  any: 'HandoffAny?',
  peers: 'HandoffPeers',
  running: 'HandoffRunning',
  old: 'HandoffOld?',
  pick: 'HandoffPick',
  receive: 'HandoffReceive',
  send: 'HandoffSend',
  copied: 'HandoffCopied',
  copyOk: 'HandoffCopyOk',
  noCopy: 'HandoffNoCopy',
  moved: 'HandoffMoved?',
  move: 'HandoffMove',
  shows: {
    start: 'HandoffShowsInit',
    count: 'HandoffShowsCount',
    patience: 'HandoffShowsPatience?',
    pause: 'HandoffShowsPause',
  },
  read: 'HandoffRead',
  there: 'HandoffThere',
  shown: 'HandoffShown?',
  notShown: 'HandoffNotShown',
  eip: 'HandoffEip?',
  associate: 'HandoffAssociate',
  final: 'HandoffFinal?',
  finalReceive: 'HandoffFinalReceive',
  finalSend: 'HandoffFinalSend',
  finalCopied: 'HandoffFinalCopied',
  adopt: 'HandoffAdopt',
  adopted: 'HandoffAdopted',
  adoptOk: 'HandoffAdoptOk',
  proved: 'HandoffProved?',
  giveBack: 'HandoffGiveBack?',
  giveBackMove: 'HandoffGiveBackMove',
  giveBackEip: 'HandoffGiveBackEip?',
  giveBackAssociate: 'HandoffGiveBackAssociate',
} as const;

/** nat-handoff.sh with `args` on the instance at `instance`: words that are JSONPaths ($.…)
 * are filled in at run time. */
function script(instance: string, args: string): CommandSpec {
  const words = args.split(' ');
  const paths = words.filter((w) => w.startsWith('$.'));
  const text = words.map((w) => (w.startsWith('$.') ? '{}' : w)).join(' ');
  return {
    instance,
    commands: {
      expression: `States.Array(States.Format('${HANDOFF_SCRIPT} ${text}', ${paths.join(', ')}))`,
    },
    comment: 'natfleet connection handoff',
    executionSeconds: 120,
    what: 'nat-handoff.sh',
    error: 'Handoff',
    pollSeconds: POLL_SECONDS,
    maxPolls: MAX_POLLS,
  };
}

const runScript = (instance: string, args: string, next: string, onError: string): State =>
  sendCommand(script(instance, args), next, onError);

/** Polls the handoff command on the new instance: on to `ok`, or a failure to `failed`. */
const awaitScript = (p: string, ok: string, failed: string): States =>
  awaitCommand(p, script('$.new.id', ''), ok, failed);

/** The zone's floating address, baked per zone (Choice on $.zone) into $.float.address. */
function addressOf(env: Environment, next: string): States {
  const out: States = {
    [HANDOFF.address]: {
      Type: 'Choice',
      Choices: env.zones.map((z, i) => ({
        Variable: '$.zone',
        StringEquals: z.availabilityZone,
        Next: `HandoffAddress${i}`,
      })),
      Default: `HandoffAddress0`,
    },
  };
  env.zones.forEach((z, i) => {
    out[`HandoffAddress${i}`] = {
      Type: 'Pass',
      Result: { address: z.floatingAddress ?? '' },
      ResultPath: '$.float',
      Next: next,
    };
  });
  return out;
}

/** The handoff's states for a zone roll. */
export function handoffStates(env: Environment, roll: RollNames): States {
  const giveBack = HANDOFF.giveBack;
  return {
    ...addressOf(env, HANDOFF.any),
    // No old instance at all (a zone's first): nothing to copy, and no list to look into (a
    // wildcard over an empty list is no value).
    [HANDOFF.any]: {
      Type: 'Choice',
      Choices: [hasFirst('$.old.r', HANDOFF.peers)],
      Default: HANDOFF.move,
    },
    // The old instance that carries the zone now (running), and the new one's address.
    [HANDOFF.peers]: pass(
      {
        'newIp.$': '$.new.enis[?(@.Attachment.DeviceIndex == 0)].PrivateIpAddress',
        'all.$': '$.old.r[*].Instances[*]',
      },
      '$.handoff',
      HANDOFF.running,
    ),
    // (A filter after a wildcard is not a path ASL takes: two steps; 16 is running's code, as
    // the validator takes a nested field compared with a number only.)
    [HANDOFF.running]: pass(
      {
        'newIp.$': '$.handoff.newIp',
        'running.$': '$.handoff.all[?(@.State.Code == 16)].InstanceId',
        'ips.$': '$.handoff.all[?(@.State.Code == 16)].PrivateIpAddress',
        'enis.$':
          '$.handoff.all[?(@.State.Code == 16)].NetworkInterfaces[?(@.Attachment.DeviceIndex == 0)].NetworkInterfaceId',
      },
      '$.handoff',
      HANDOFF.old,
    ),
    [HANDOFF.old]: {
      Type: 'Choice',
      Choices: [hasFirst('$.handoff.running', HANDOFF.pick)],
      Default: HANDOFF.move, // nothing to copy from: move, adopt, then switch
    },
    [HANDOFF.pick]: pass(
      {
        'id.$': 'States.ArrayGetItem($.handoff.running, 0)',
        'ip.$': 'States.ArrayGetItem($.handoff.ips, 0)',
        'eni.$': 'States.ArrayGetItem($.handoff.enis, 0)',
        'newIp.$': 'States.ArrayGetItem($.handoff.newIp, 0)',
      },
      '$.peer',
      HANDOFF.receive,
    ),
    // Copy: the receiver first (it listens, bounded), then the sender.
    [HANDOFF.receive]: runScript(
      '$.new.id',
      'receive $.float.address $.peer.ip',
      HANDOFF.send,
      HANDOFF.noCopy,
    ),
    [HANDOFF.send]: {
      ...runScript(
        '$.peer.id',
        'send $.float.address $.peer.newIp',
        `${HANDOFF.copied}Init`,
        HANDOFF.noCopy,
      ),
      ResultPath: '$.sent',
    },
    ...awaitScript(HANDOFF.copied, HANDOFF.copyOk, HANDOFF.noCopy),
    [HANDOFF.copyOk]: {
      Type: 'Pass',
      Result: true,
      ResultPath: '$.handoff.copied',
      Next: roll.switch,
    },
    // A copy that fails before the switch costs the state, not the replacement: the roll goes
    // on as today's (the address moves, the new instance adopts it, then the switch).
    [HANDOFF.noCopy]: pass({ 'why.$': '$.error.Cause' }, '$.handoff.skipped', HANDOFF.move),
    // replace.ts' Switch comes here: after a copy the address still has to move.
    [HANDOFF.moved]: ifPresent('$.handoff.adopted', roll.retire, HANDOFF.move),
    [HANDOFF.move]: task(
      'ec2',
      'assignPrivateIpAddresses',
      {
        'NetworkInterfaceId.$': '$.newEni.eni[0]',
        'PrivateIpAddresses.$': 'States.Array($.float.address)',
        AllowReassignment: true,
      },
      HANDOFF.shows.start,
      { onError: giveBack },
    ),
    ...pollStart(HANDOFF.shows, HANDOFF.read),
    [HANDOFF.read]: task(
      'ec2',
      'describeNetworkInterfaces',
      { 'NetworkInterfaceIds.$': 'States.Array($.newEni.eni[0])' },
      HANDOFF.there,
      {
        ResultSelector: {
          'ips.$': '$.NetworkInterfaces[0].PrivateIpAddresses[*].PrivateIpAddress',
        },
        ResultPath: '$.shows',
        onError: giveBack,
      },
    ),
    [HANDOFF.there]: pass(
      { 'there.$': 'States.ArrayContains($.shows.ips, $.float.address)' },
      '$.shows',
      HANDOFF.shown,
    ),
    [HANDOFF.shown]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.shows.there', BooleanEquals: true, Next: HANDOFF.eip }],
      Default: HANDOFF.shows.count,
    },
    ...pollAgain(HANDOFF.shows, MAX_POLLS, POLL_SECONDS, HANDOFF.read, HANDOFF.notShown),
    [HANDOFF.notShown]: pass(
      {
        Error: 'AddressNotMoved',
        'Cause.$': `States.Format('{} not on {} after ${MAX_POLLS * POLL_SECONDS} s', $.float.address, $.newEni.eni[0])`,
      },
      '$.error',
      giveBack,
    ),
    // The zone's Elastic IP is associated with the floating address, on its new ENI.
    [HANDOFF.eip]: ifEip(HANDOFF.associate, HANDOFF.final),
    [HANDOFF.associate]: task(
      'ec2',
      'associateAddress',
      {
        'AllocationId.$': '$.eip',
        'NetworkInterfaceId.$': '$.newEni.eni[0]',
        'PrivateIpAddress.$': '$.float.address',
        AllowReassociation: true,
      },
      HANDOFF.final,
      { onError: giveBack },
    ),
    // Final delta (or, with no old instance, only adopt the address once it shows).
    [HANDOFF.final]: ifPresent('$.handoff.copied', HANDOFF.finalReceive, HANDOFF.adopt),
    [HANDOFF.finalReceive]: runScript(
      '$.new.id',
      'receive $.float.address $.peer.ip final',
      HANDOFF.finalSend,
      giveBack,
    ),
    [HANDOFF.finalSend]: {
      ...runScript(
        '$.peer.id',
        'send $.float.address $.peer.newIp',
        `${HANDOFF.finalCopied}Init`,
        giveBack,
      ),
      ResultPath: '$.sent',
    },
    // The address is on the new instance: its path is proved before the old one retires.
    ...awaitScript(HANDOFF.finalCopied, PATH_CHECK.start, giveBack),
    [HANDOFF.adopt]: runScript(
      '$.new.id',
      'adopt $.float.address final',
      `${HANDOFF.adopted}Init`,
      giveBack,
    ),
    ...awaitScript(HANDOFF.adopted, HANDOFF.adoptOk, giveBack),
    [HANDOFF.adoptOk]: {
      Type: 'Pass',
      Result: true,
      ResultPath: '$.handoff.adopted',
      Next: PATH_CHECK.start, // nothing copied: the path is proved before the switch
    },
    // Floating egress: the instance can reach out only once it holds the address (ADR 0150).
    ...pathCheck(env, '$.new.id', HANDOFF.proved, giveBack),
    [HANDOFF.proved]: ifPresent('$.handoff.copied', roll.retire, roll.switch),
    // After the move failed half-way: the address back to the old instance (which still
    // carries its entries), then the zone's rollback to its gateway.
    [giveBack]: {
      Type: 'Choice',
      Choices: [hasFirst('$.handoff.running', HANDOFF.giveBackMove)],
      Default: roll.rollback,
    },
    [HANDOFF.giveBackMove]: {
      ...task(
        'ec2',
        'assignPrivateIpAddresses',
        {
          'NetworkInterfaceId.$': '$.peer.eni',
          'PrivateIpAddresses.$': 'States.Array($.float.address)',
          AllowReassignment: true,
        },
        HANDOFF.giveBackEip,
      ),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.giveBackError', Next: roll.rollback }],
    },
    [HANDOFF.giveBackEip]: ifEip(HANDOFF.giveBackAssociate, roll.rollback),
    [HANDOFF.giveBackAssociate]: {
      ...task(
        'ec2',
        'associateAddress',
        {
          'AllocationId.$': '$.eip',
          'NetworkInterfaceId.$': '$.peer.eni',
          'PrivateIpAddress.$': '$.float.address',
          AllowReassociation: true,
        },
        roll.rollback,
      ),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.giveBackError', Next: roll.rollback }],
    },
  };
}

/**
 * A zone roll's states with the handoff wired in when the environment's egress is floating:
 * source/dest check → copy → (the roll's own) route switch → address move → final delta →
 * retire; with nothing copied (no old instance, or the copy failed): address move → adopt →
 * switch → retire. The roll's own Elastic IP move is left out (the address carries it).
 * Otherwise the states as they are.
 */
export function withHandoff(env: Environment, states: States, roll: RollNames): States {
  if (env.instance.egress !== 'floating') return states;
  const out: States = { ...states, ...handoffStates(env, roll) };
  out[roll.sourceDest] = { ...out[roll.sourceDest]!, Next: HANDOFF.address };
  // The switch's success (its Failed? Choice's Default) goes on to the move.
  const verdict = `${roll.switch}Failed?`;
  if (!out[verdict]) throw new Error(`handoff: no state ${verdict} in the zone roll`);
  out[verdict] = { ...out[verdict], Default: HANDOFF.moved };
  delete out[roll.eip];
  delete out[roll.moveEip];
  return out;
}
