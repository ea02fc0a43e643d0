import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const src = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('the bot imports no fal or webhook-app code, and no emulator outside its tests', () => {
  const forbidden = /from '(@avatar\/(fal|fal-emulator|webhooks|telegram-emulator)|@fal-ai\/[^']*)'/;
  const offenders = sources(src).filter((file) => forbidden.test(readFileSync(file, 'utf8')));
  assert.equal(offenders.map((file) => relative(src, file)), []);
});

test('no parse_mode and no raw InlineKeyboard anywhere in the bot: entities and registered buttons only', () => {
  const offenders = sources(src).filter((file) => /parse_mode:|new InlineKeyboard|InlineKeyboard\.text/.test(readFileSync(file, 'utf8')));
  assert.equal(offenders.map((file) => relative(src, file)), []);
});

test.run();
