/**
 * Finds the workflow bundle codegen built ahead for a set of workflow modules, and checks that it
 * still matches them. Without webpack or the Temporal SDK, so that a worker can decide early
 * whether it has to bundle at all. Node only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@mcp-agent/core';
import { installedPackageVersion } from '@mcp-agent/core/engine';
import { findManifest, type PrebuiltBundleManifest } from './prebuilt-manifest.js';

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The prebuilt bundle codegen left for these workflow files (`generated/workflow-bundle.json` in
 * their folder or above), when it was built from exactly these files, every local file they reach
 * is unchanged, the framework's versions are the same, and the bundle is intact.
 */
export function findPrebuiltBundle(
  workflowsPaths: readonly string[],
  logger?: Logger,
  /** The manifest, when the caller has found it already. */
  manifestPath: string | undefined = workflowsPaths[0] === undefined ? undefined : findManifest(workflowsPaths[0]),
): { codePath: string; activities: Array<{ name: string; source: string }> } | undefined {
  if (manifestPath === undefined) return undefined;
  const directory = path.dirname(manifestPath);
  let manifest: PrebuiltBundleManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PrebuiltBundleManifest;
  } catch (error) {
    logger?.warn('prebuilt workflow bundle manifest unreadable; bundling at start-up', { manifestPath, error: String(error) });
    return undefined;
  }
  const stale = (reason: string, data: Record<string, unknown> = {}): undefined => {
    logger?.warn(`prebuilt workflow bundle not used (${reason}); bundling at start-up; run pnpm codegen`, { manifestPath, ...data });
    return undefined;
  };
  const given = [...new Set(workflowsPaths.map((file) => path.resolve(file)))].sort();
  const built = [...new Set((manifest.workflowFiles ?? []).map((relative) => path.resolve(directory, relative)))].sort();
  if (given.join('\n') !== built.join('\n')) return stale('built for other workflow files', { given, built });
  const changed = Object.entries(manifest.sources ?? {})
    .filter(([relative, hash]) => {
      const file = path.resolve(directory, relative);
      return !existsSync(file) || sha256(readFileSync(file)) !== hash;
    })
    .map(([relative]) => relative);
  if (changed.length > 0) return stale('sources changed', { changed });
  for (const [name, version] of Object.entries(manifest.packages ?? {})) {
    const installed = installedPackageVersion(name, directory);
    if (installed !== version) return stale(`${name} is ${installed ?? 'not installed'}, the bundle has ${version}`);
  }
  const codePath = path.resolve(directory, manifest.bundle ?? '');
  if (!existsSync(codePath) || sha256(readFileSync(codePath)) !== manifest.sha256) return stale('the bundle file is missing or altered', { codePath });
  return { codePath, activities: manifest.activities ?? [] };
}
