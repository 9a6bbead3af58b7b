import { randomBytes } from 'node:crypto';
import os from 'node:os';

/** An instance's id unless configured: `${hostname}-${pid}-${4 random hex}`. */
export function defaultInstanceId(): string {
  return `${os.hostname().slice(0, 100)}-${process.pid}-${randomBytes(2).toString('hex')}`;
}
