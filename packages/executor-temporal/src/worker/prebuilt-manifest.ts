/**
 * The prebuilt workflow bundle's manifest: written by codegen next to the bundle, read by workers
 * to decide whether the bundle still matches the code. Both sides use this file, so its shape and
 * its file names are defined once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The manifest's file name, in the generated folder. */
export const PREBUILT_MANIFEST_FILE = 'workflow-bundle.json';

/** `generated/workflow-bundle.json` in the folder of `file` or a folder above it. */
export function findManifest(file: string): string | undefined {
  for (let directory = path.dirname(file), depth = 0; depth < 8; directory = path.dirname(directory), depth += 1) {
    const candidate = path.join(directory, 'generated', PREBUILT_MANIFEST_FILE);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(directory) === directory) break;
  }
  return undefined;
}

/** The bundle's file name for a content hash (hex): `workflow-bundle.<first 16 digits>.js`. */
export function prebuiltBundleFileName(sha256: string): string {
  return `workflow-bundle.${sha256.slice(0, 16)}.js`;
}

/** Matches the file name of any prebuilt bundle, to remove stale ones. */
export const PREBUILT_BUNDLE_FILE_PATTERN = /^workflow-bundle\.[0-9a-f]+\.js$/;

/** What codegen writes into {@link PREBUILT_MANIFEST_FILE}. Paths are relative to the manifest's folder. */
export interface PrebuiltBundleManifest {
  $comment?: string;
  /** The bundle's file name. */
  bundle: string;
  /** SHA-256 of the bundle's code, hex. */
  sha256: string;
  /** Every local file the workflows reach, with its SHA-256: a change to any makes the bundle stale. */
  sources: Record<string, string>;
  /** The framework's package versions it was built with. */
  packages?: Record<string, string>;
  /** The workflow modules it was built from. */
  workflowFiles?: string[];
  /** The tasks its workflows call, and where each is defined. */
  activities?: Array<{ name: string; source: string }>;
}
