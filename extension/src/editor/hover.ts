import * as vscode from 'vscode';
import type { ServiceView } from '../../../backend/protocol';
import { clockTime, plural, relativeTime, shortCommit } from '../../core/format';
import { contentHash } from '../../core/contentHash';
import { instanceHits, probeDisplay } from '../../core/probeDisplay';
import { evidenceDetail, kindLabel, probeSummary } from '../../core/probeKinds';
import type { RuntimeState, TrackedProbe } from '../../core/runtimeState';
import type { LineAnchors } from './anchors';
import { probesOnLine } from './documentProbes';

/** How many recent hits a hover lists; the panel has the rest. */
const HOVER_HITS = 8;
const HOVER_COMMANDS = ['runtruth.openPanel', 'runtruth.removeProbe', 'runtruth.services.focus', 'runtruth.approveProbe', 'runtruth.rejectProbe', 'runtruth.extendProbe'];

/** Hovering a probed line shows the probe, its status per instance, the hit count and the latest evidence in full. */
export class ProbeHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly state: RuntimeState,
    private readonly anchors: LineAnchors,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const probes = probesOnLine(document, position.line, this.state, this.anchors);
    if (!probes.length) return undefined;
    const markdown = new vscode.MarkdownString(undefined, true);
    markdown.isTrusted = { enabledCommands: HOVER_COMMANDS };
    markdown.supportHtml = false;
    probes.forEach((probe, i) => {
      if (i) markdown.appendMarkdown('\n\n---\n\n');
      this.describe(markdown, probe, document);
    });
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }

  private describe(md: vscode.MarkdownString, probe: TrackedProbe, document: vscode.TextDocument): void {
    const services = this.state.services();
    const display = probeDisplay(probe, services, this.state.evidence.count(probe.spec.id));
    const spec = probe.spec;
    const recentAll = this.state.evidence.forProbe(spec.id);
    md.appendMarkdown(`**Runtruth ${kindLabel(spec)}** ${code(spec.id)} — ${escape(display.label)} · **${plural(display.hits, 'hit')}**\n\n`);
    md.appendMarkdown(`${escape(probeSummary(spec))} · on ${code(spec.selector.service)} · ${probe.expired ? 'expired' : `expires ${relativeTime(spec.expiresAt)}`}\n\n`);
    for (const s of probe.statuses) {
      const commit = shortCommit(instanceCommit(services, s.instanceId));
      const hits = instanceHits(s, this.state.evidence);
      md.appendMarkdown(`- ${code(s.instanceId)}: ${s.state} · ${plural(hits, 'hit')}${commit ? ` · deployed commit ${code(commit)}` : ''}${s.reason ? ` — ${escape(s.reason)}` : ''}\n`);
    }
    if (probe.placement && probe.placement.contentHash !== contentHash(document.getText())) {
      md.appendMarkdown(`\n$(warning) This file changed since the probe was placed (sha256 ${probe.placement.contentHash.slice(0, 8)}…): the running code may not match what you see.\n`);
    }
    const recent = recentAll.slice(-HOVER_HITS).reverse();
    if (recent.length) {
      md.appendMarkdown(`\n**Latest ${plural(recent.length, 'hit')}**\n`);
      md.appendCodeblock(recent.map((e) => `${clockTime(e.at)}  ${e.kind === 'gap' ? '' : `${e.instance}  `}${evidenceDetail(e)}`).join('\n'), 'text');
    } else {
      md.appendMarkdown('\n_No hits yet: evidence appears when traffic reaches this line._\n');
    }
    const args = encodeURIComponent(JSON.stringify([spec.id]));
    const open = spec.kind === 'snapshot' ? '$(device-camera) Open snapshot in panel' : spec.kind === 'metric' ? '$(graph-line) Open chart in panel' : '$(pulse) Open in panel';
    const lifecycle = probe.proposed
      ? ` · [$(check) Approve](command:runtruth.approveProbe?${args}) · [$(close) Reject](command:runtruth.rejectProbe?${args})`
      : probe.expired
        ? ''
        : ` · [$(history) Extend TTL](command:runtruth.extendProbe?${args})`;
    md.appendMarkdown(`\n[${open}](command:runtruth.openPanel?${args})${lifecycle} · [$(trash) Remove](command:runtruth.removeProbe?${args}) · [$(server) Deployed commits](command:runtruth.services.focus)`);
  }
}

function instanceCommit(services: readonly ServiceView[], instanceId: string): string | undefined {
  for (const s of services) for (const i of s.instances) if (i.instanceId === instanceId) return i.commit;
  return undefined;
}

/** Inline code for network text: backticks cannot be escaped inside a code span, so they are dropped. */
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** Markdown-escapes text that comes from the network (templates, reasons, ids). */
const escape = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
