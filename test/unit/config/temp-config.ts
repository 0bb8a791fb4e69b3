// Test helper: writes a config text into a fresh temp folder (removed at process exit).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const dirs: string[] = [];
process.once('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export async function writeTemp(text: string, options: { copySuite?: string } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-soak-config-'));
  dirs.push(dir);
  const file = join(dir, 'mesh-soak.yaml');
  writeFileSync(file, text);
  if (options.copySuite) cpSync(options.copySuite, join(dir, basename(options.copySuite)), { recursive: true });
  return file;
}
