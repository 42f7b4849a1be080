/**
 * Prometheus's own rule engine for the tests: `promtool` (Debian package `prometheus`) checks a rules file
 * and runs rule unit tests (`promtool test rules`), so the alerts are evaluated, not only parsed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { aptInstallCommand } from '../text';

export const PROMTOOL = '/usr/bin/promtool';
export const PROMTOOL_PACKAGES = ['prometheus'] as const;

/** The promtool files the tests need, and which are missing. */
export function missingPromtoolFiles(): string[] {
  return [PROMTOOL].filter((f) => !fs.existsSync(f));
}

/** Runs promtool; its exit code and what it printed. */
export function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  if (missingPromtoolFiles().length > 0) {
    throw new Error(`promtool is not installed; install it with:\n  ${aptInstallCommand(PROMTOOL_PACKAGES)}`);
  }
  const r = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
