/** What run.ts hands the end-to-end tests (they run in the same process, after setup). */
export const E2E_ENV = {
  vscodeDir: 'RUNTRUTH_E2E_VSCODE_DIR',
  chromium: 'RUNTRUTH_E2E_CHROMIUM',
  vsix: 'RUNTRUTH_E2E_VSIX',
  runDir: 'RUNTRUTH_E2E_RUN_DIR',
} as const;

export function e2eEnv(): Record<keyof typeof E2E_ENV, string> {
  const out = {} as Record<keyof typeof E2E_ENV, string>;
  for (const [key, name] of Object.entries(E2E_ENV) as [keyof typeof E2E_ENV, string][]) {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the end-to-end tests through dist/test/extension/run.js`);
    out[key] = value;
  }
  return out;
}
