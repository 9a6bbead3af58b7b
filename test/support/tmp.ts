import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp dir per test; removed by `cleanup` unless RUNTRUTH_KEEP_TMP is set (to read it after a failure). */
export function tempDir(prefix = 'runtruth-test-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => void (process.env.RUNTRUTH_KEEP_TMP || fs.rmSync(dir, { recursive: true, force: true })) };
}
