import * as vscode from 'vscode';
import { parseDuration, type ProbeLimits } from '../core/limits';

/** Typed reads of the `runtruth.*` settings (declared in package.json `contributes.configuration`). */
export interface Settings {
  relay: string;
  defaultService: string;
  defaultLabels: Record<string, string>;
  defaultLimits: ProbeLimits;
  logpointOutput: 'outputChannel' | 'none';
  inlineEnabled: boolean;
  inlineMaxLength: number;
  refreshSeconds: number;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('runtruth');
  const maxHits = c.get<number>('probe.defaultMaxHits', 0);
  return {
    relay: c.get<string>('relay', 'ws://127.0.0.1:7070').trim(),
    defaultService: c.get<string>('defaultService', '').trim(),
    defaultLabels: c.get<Record<string, string>>('defaultLabels', {}),
    defaultLimits: { ttlSeconds: parseDuration(c.get<string>('probe.defaultTtl', '1h')) ?? 3600, ...(maxHits > 0 ? { maxHits } : {}) },
    logpointOutput: c.get<'outputChannel' | 'none'>('output.logpoints', 'outputChannel'),
    inlineEnabled: c.get<boolean>('inline.enabled', true),
    inlineMaxLength: c.get<number>('inline.maxLength', 80),
    refreshSeconds: c.get<number>('refreshSeconds', 5),
  };
}

export function openSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', '@ext:runtruth.runtruth');
}
