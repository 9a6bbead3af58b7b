/** The variables `--require runtruth/agent/register` needs before it starts anything. */
const REQUIRED_ENV = ['RUNTRUTH_RELAY', 'RUNTRUTH_AGENT_KEY', 'RUNTRUTH_SERVICE'];

/** What to tell an operator who left some of them unset, or undefined when all are set. Checked without zod. */
export function missingEnvProblem(env: NodeJS.ProcessEnv): string | undefined {
  const missing = REQUIRED_ENV.filter((name) => !env[name]?.trim());
  return missing.length ? `set ${missing.join(', ')} to start the agent` : undefined;
}
