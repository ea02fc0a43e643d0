import type { Bot } from 'grammy';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTelegramEmulator, type EmulatedUser, type TelegramEmulator } from '../src/index.js';
import { apiError, createBot, rawCall } from './support.js';

const test = suite('parse modes turn markup into text and entities as Telegram does');

let tg: TelegramEmulator;
let bot: Bot;
let alice: EmulatedUser;

test.before(async () => {
  tg = await startTelegramEmulator();
  bot = createBot(tg);
  alice = tg.user({ firstName: 'Alice' });
  await alice.sendText('hi');
});

test.after(async () => {
  await tg.close();
});

const send = (text: string, parseMode: 'HTML' | 'MarkdownV2' | 'Markdown') =>
  bot.api.sendMessage(alice.id, text, { parse_mode: parseMode });

test('HTML: nested tags, links, code blocks with a language, references', async () => {
  const message = await send(
    '<b>Avatar <i>Lena</i></b> &amp; <a href="https://example.com/a?b=1&amp;c=2">link</a>\n<pre><code class="language-ts">x &lt; 1</code></pre>',
    'HTML',
  );
  assert.is(message.text, 'Avatar Lena & link\nx < 1');
  assert.equal(message.entities, [
    { type: 'bold', offset: 0, length: 11 },
    { type: 'italic', offset: 7, length: 4 },
    { type: 'text_link', offset: 14, length: 4, url: 'https://example.com/a?b=1&c=2' },
    { type: 'pre', offset: 19, length: 5, language: 'ts' },
  ]);
});

test('HTML: mismatched and unclosed tags are errors with byte offsets', async () => {
  const mismatched = await apiError(send('Привет <b>x</i>', 'HTML'));
  assert.is(mismatched.description, 'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 17, expected "</b>", found "</i>"');
  const unclosed = await apiError(send('<b>x', 'HTML'));
  assert.is(unclosed.description, "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b");
});

test('MarkdownV2: entities, escapes and links', async () => {
  const message = await send('*Lena* is __ready__ \\- [open](https://example.com/x\\)y)', 'MarkdownV2');
  assert.is(message.text, 'Lena is ready - open');
  assert.equal(message.entities, [
    { type: 'bold', offset: 0, length: 4 },
    { type: 'underline', offset: 8, length: 5 },
    { type: 'text_link', offset: 16, length: 4, url: 'https://example.com/x)y' },
  ]);
});

test('legacy Markdown: unclosed entities fail, escaped markers do not', async () => {
  const error = await apiError(send('Cyber_Alex', 'Markdown'));
  assert.is(error.description, "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 5");
  const escaped = await send('Cyber\\_Alex is *ready*', 'Markdown');
  assert.is(escaped.text, 'Cyber_Alex is ready');
  assert.equal(escaped.entities, [{ type: 'bold', offset: 14, length: 5 }]);
});

test('unknown parse modes are rejected', async () => {
  const response = await rawCall(tg, 'sendMessage', { chat_id: alice.id, text: 'x', parse_mode: 'BBCode' });
  assert.equal([response.status, response.body.description], [400, 'Bad Request: unsupported parse_mode']);
});

test.run();
