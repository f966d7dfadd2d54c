/** Paths of generated files; no ts-morph here, so the cache and the bundle can use them cheaply. */
import path from 'node:path';

/** `from`-relative path with forward slashes, as generated files and manifests spell it. */
export function relativePath(from: string, file: string): string {
  return path.relative(from, file).split(path.sep).join('/');
}

/** Where the sandbox copy of a workflow file goes: its path under the sources' folder, mirrored in `outDir`. */
export function sandboxPath(file: string, root: string, outDir: string): string {
  const sources = path.join(root, 'src');
  const base = file.startsWith(`${sources}${path.sep}`) ? sources : root;
  return path.join(outDir, path.relative(base, file).replace(/\.tsx?$/, '.sandbox.ts'));
}
