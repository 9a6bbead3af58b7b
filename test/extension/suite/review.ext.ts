import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { renderReviewMarkdown } from '../../../extension/core/review/markdown';
import { ReviewReport } from '../../../extension/core/review/schema';
import type { OpenedHunk } from '../../../extension/src/review/diffView';
import type { ReviewItemView } from '../../../extension/src/review/register';
import { startReviewWorld, type ReviewWorld } from '../../review/world';
import { fixture, runtruth, until } from './helpers';

/**
 * Runtime-aware PR review in the real extension host: its own relay, the pricing service at its deployed
 * commit with the agent and live traffic, a PR branch in a real git repository; the command runs the review,
 * the Review view lists the hunks, a hunk opens as a decorated diff, the report is saved as Markdown.
 */
describe('PR review against live behaviour in the extension host', function () {
  this.timeout(180_000);
  let world: ReviewWorld;
  let report: ReviewReport;

  before(async function () {
    this.timeout(60_000);
    const dir = path.join(process.env.RUNTRUTH_TEST_RUN_DIR!, 'review');
    fs.mkdirSync(dir, { recursive: true });
    world = await startReviewWorld(dir);
    await vscode.workspace.getConfiguration('runtruth').update('relay', world.relay.url, vscode.ConfigurationTarget.Global);
    assert.equal(await vscode.commands.executeCommand('runtruth.signIn', world.adminToken), true);
    const api = await runtruth();
    await until('connected to the review relay', () => api.connectionState().status === 'connected' && api.connectionState().relay === world.relay.url, 20_000);
  });

  after(async function () {
    this.timeout(30_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('runtruth').update('relay', fixture().relayUrl, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('runtruth.signIn', fixture().adminToken);
    await world?.close();
  });

  it('reviews the branch from the command; the Review view lists each hunk with its live hit rate and findings', async () => {
    const result = await vscode.commands.executeCommand<ReviewReport>('runtruth.reviewBranch', { service: 'pricing', repo: world.repo.dir, head: world.repo.branch, windowSeconds: 10, approveLowRisk: true });
    assert.ok(result, 'the review finished');
    report = ReviewReport.parse(result);
    assert.equal(report.base, world.repo.deployed, 'the base is the commit the instances report');
    const items = (await vscode.commands.executeCommand<ReviewItemView[]>('runtruth.reviewItems'))!;
    assert.deepEqual(items.map((i) => i.label), ['src/coupons.js:6 parseCoupon()', 'src/pricing.js:7 priceOrder()', 'src/pricing.js:9 (deleted) priceOrder()', 'src/pricing.js:10 priceOrder()', 'src/pricing.js:19 refund()']);
    assert.match(items[0]!.description!, /^modified · [\d,.]+ hits\/min$/);
    assert.ok(items[0]!.children.some((c) => /^throws in \d+% of calls$/.test(c)), items[0]!.children.join(' | '));
    assert.match(items[1]!.description!, /^modified · [\d,.]+ hits\/min · ⚠ 1$/);
    assert.match(items[2]!.description!, /^deleted · [\d,.]+ hits\/min · ⚠ 1$/);
    assert.match(items[3]!.description!, /^added · [\d,.]+ hits\/min · ⚠ 2$/);
    assert.equal(items[4]!.description, 'modified · 0 hits/min', 'the cold hunk: measured, no hits, no warning');
    assert.ok(items[1]!.children.some((c) => /^amount: not a number in \d+%$/.test(c)), items[1]!.children.join(' | '));
    assert.ok(items[2]!.children.some((c) => /^deleted code runs [\d,.]+\/min$/.test(c)), items[2]!.children.join(' | '));
    const added = report.hunks[3]!;
    assert.ok(items[3]!.children.includes(`line 13 (changed line): ${added.perMinute!.toLocaleString('en-US')} hits/min, ${added.counters[0]!.hits} hits`), items[3]!.children.join(' | '));
    const { probes } = await world.admin.request('probe.list', { service: 'pricing' });
    assert.deepEqual(probes.filter((p) => p.state === 'live' || p.state === 'proposed'), [], 'the review removed its probes');
  });

  it('opens a hunk as a diff of the deployed file against the branch, with the live numbers on its lines', async () => {
    const opened = (await vscode.commands.executeCommand<OpenedHunk>('runtruth.openReviewHunk', 'src/pricing.js#1'))!;
    assert.ok(opened, 'the diff opened');
    const left = vscode.Uri.parse(opened.left);
    assert.equal(left.scheme, 'runtruth-deployed');
    const deployedText = execFileSync('git', ['show', `${world.repo.deployed}:src/pricing.js`], { cwd: world.repo.dir, encoding: 'utf8' });
    assert.equal((await vscode.workspace.openTextDocument(left)).getText(), deployedText);
    const headText = (await vscode.workspace.openTextDocument(vscode.Uri.parse(opened.right))).getText();
    assert.ok(headText.includes('let total = amount * 1.1;'), 'the right side is the branch');
    await until('both sides visible', () => [opened.left, opened.right].every((u) => vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === u)), 5000);
    const deployed = opened.decorations.find((d) => d.side === 'deployed')!;
    assert.equal(deployed.line, 7);
    assert.match(deployed.text, /◀ runtruth: [\d,.]+ hits\/min$/);
    const head = opened.decorations.find((d) => d.side === 'head')!;
    assert.equal(head.line, 7);
    assert.match(head.text, /[\d,.]+ hits\/min · ⚠ amount: not a number in \d+%/);
  });

  it('saves the review as Markdown to paste into the PR', async () => {
    const target = vscode.Uri.file(path.join(process.env.RUNTRUTH_TEST_RUN_DIR!, 'review', 'review.md'));
    const saved = await vscode.commands.executeCommand<vscode.Uri>('runtruth.saveReviewMarkdown', target);
    assert.equal(saved?.fsPath, target.fsPath);
    const text = fs.readFileSync(target.fsPath, 'utf8');
    assert.equal(text, renderReviewMarkdown(report));
    for (const h of report.hunks) assert.ok(text.includes(`### ${h.id}`), h.id);
  });
});
