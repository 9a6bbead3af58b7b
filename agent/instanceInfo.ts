import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InstanceInfo } from '../backend/protocol/messages';
import type { AgentWorkerData } from './channel';
import type { AgentConfig } from './config';
import { detectCommit } from './gitCommit';

/** Who this agent is, for the hello. Computed once: none of it changes while the process runs. */
export function buildInstanceInfo(config: AgentConfig, host: AgentWorkerData['host']): InstanceInfo {
  const commit = config.commit ?? detectCommit(host.cwd);
  return {
    service: config.service,
    labels: config.labels,
    instanceId: config.instanceId,
    host: os.hostname().slice(0, 256),
    pid: process.pid,
    runtime: { name: 'node', version: process.version },
    ...(commit ? { commit } : {}),
    startedAt: host.startedAt,
    agentVersion: agentVersion(),
    mode: config.mode,
  };
}

/** This package's version, from the package.json above the compiled agent (dist/agent/ → ../../). */
export function agentVersion(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'runtruth' && pkg.version) return pkg.version.slice(0, 64);
    } catch {
      // keep walking up
    }
  }
  return '0.0.0-unknown';
}
