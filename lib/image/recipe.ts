// Facts about the NAT image the stacks and workflows share.
import { createHash } from 'node:crypto';
import type { Architecture } from '../config/schema.js';

/** The value the AMI parameter holds until the first image is built (see docs/image.md). */
export const AMI_PLACEHOLDER = 'none';

/** Amazon Linux 2023's public parameter: Image Builder resolves it at every build. */
export const baseImageParameter = (arch: Architecture) =>
  `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;

/**
 * The root volume, the same in the image recipe and the launch template: Amazon Linux 2023's
 * 8 GiB, gp3, encrypted. Giving the size keeps launches independent of how the AMI's own
 * mapping reads.
 */
export const ROOT_VOLUME = {
  DeviceName: '/dev/xvda',
  Ebs: { VolumeSize: 8, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
} as const;

/** The AWS-managed component that reboots the test instance before test-nat runs. */
export const REBOOT_TEST_COMPONENT = 'reboot-test-linux';

/** Image Builder versions are immutable, so a changed document needs a new version: take it
 * from the content (major.minor.patch, each below 2^30). */
export function contentVersion(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  const n = parseInt(h.digest('hex').slice(0, 7), 16);
  return `1.0.${n}`;
}
