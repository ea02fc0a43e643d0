import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputFile, InputMediaBuilder, type Bot } from 'grammy';
import type { Message } from 'grammy/types';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeNonImage, makeTestImage, startTelegramEmulator, type EmulatedUser, type TelegramEmulator } from '../src/index.js';
import { apiError, createBot } from './support.js';

const test = suite('photos, albums and files');

let tg: TelegramEmulator;
let bot: Bot;
let alice: EmulatedUser;
let imageServer: Server;
let imageRoot: string;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const image = (seed: number, width = 640, height = 480) => makeTestImage({ width, height, seed });
const servedImage = image(99, 800, 600);

test.before(async () => {
  tg = await startTelegramEmulator();
  bot = createBot(tg);
  alice = tg.user({ firstName: 'Alice' });
  await alice.sendCommand('/start');
  imageServer = createServer((request, response) => {
    if (request.url === '/avatar.png') response.writeHead(200, { 'content-type': 'image/png' }).end(servedImage);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
  imageRoot = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}`;
});

test.after(async () => {
  imageServer.closeAllConnections();
  await new Promise((resolve) => imageServer.close(resolve));
  await tg.close();
});

test('an album arrives as one update per photo sharing a media_group_id, with no count', async () => {
  const sent = await alice.sendAlbum([image(1), image(2), image(3, 1200, 900)]);
  const updates = await bot.api.getUpdates({ offset: -sent.length, timeout: 0 });
  const messages = updates.map((u) => u.message);
  assert.is(messages.length, 3);
  const groupIds = new Set(messages.map((m) => m?.media_group_id));
  assert.is(groupIds.size, 1);
  assert.ok([...groupIds][0]);
  assert.equal(messages.map((m) => m?.photo?.at(-1)?.width), [640, 640, 1200]);
  assert.is(alice.transcript().at(-1)?.kind, 'album');
});

test('a photo arrives in several sizes and the largest downloads with the exact bytes', async () => {
  const bytes = image(7, 1600, 1200);
  const message = await alice.sendPhoto(bytes, { caption: 'me' });
  const sizes = message.photo ?? [];
  assert.equal(sizes.map((s) => [s.width, s.height]), [[90, 68], [320, 240], [800, 600], [1280, 960], [1600, 1200]]);
  const largest = sizes.at(-1);
  assert.ok(largest);
  const file = await bot.api.getFile(largest.file_id);
  assert.is(file.file_size, bytes.length);
  const response = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.file_path}`);
  assert.is(response.status, 200);
  assert.is(sha256(new Uint8Array(await response.arrayBuffer())), sha256(bytes));
});

test('a resent file keeps its file_unique_id; a new upload of the same bytes gets a new one', async () => {
  const bytes = image(8);
  const first = await alice.sendPhoto(bytes);
  const resent = await alice.sendPhoto(bytes, { sameFileAs: first });
  const uploadedAgain = await alice.sendPhoto(bytes);
  const uniqueId = (m: typeof first) => m.photo?.at(-1)?.file_unique_id;
  assert.is(uniqueId(resent), uniqueId(first));
  assert.is.not(uniqueId(uploadedAgain), uniqueId(first));
  assert.is.not(resent.photo?.at(-1)?.file_id, first.photo?.at(-1)?.file_id);
});

test('bots cannot download files over 20 MB', async () => {
  const message = await alice.sendDocument(new Uint8Array(21 * 1024 * 1024), { fileName: 'huge.png' });
  const error = await apiError(bot.api.getFile(message.document?.file_id ?? ''));
  assert.equal([error.error_code, error.description], [400, 'Bad Request: file is too big']);
  const small = await alice.sendDocument(makeNonImage(), { fileName: 'notes.pdf' });
  assert.is(small.document?.mime_type, 'application/pdf');
  const file = await bot.api.getFile(small.document?.file_id ?? '');
  assert.match(file.file_path ?? '', /\.pdf$/);
});

test('sendMediaGroup uploads its photos as multipart attach:// parts', async () => {
  const first = image(11);
  const second = image(12, 512, 512);
  const messages: Message[] = await bot.api.sendMediaGroup(alice.id, [
    InputMediaBuilder.photo(new InputFile(first), { caption: 'Your avatar, take 1' }),
    InputMediaBuilder.photo(new InputFile(second)),
  ]);
  assert.is(messages.length, 2);
  assert.is(new Set(messages.map((m) => m.media_group_id)).size, 1);
  assert.equal(messages.map((m) => m.photo?.at(-1)?.width), [640, 512]);
  assert.is(sha256(tg.fileBytes(messages[1]?.photo?.at(-1)?.file_id ?? '')), sha256(second));
  const album = alice.lastBotMessage();
  assert.is(album?.kind, 'album');
  assert.is(album?.text, 'Your avatar, take 1');
  assert.is(album?.items?.length, 2);
});

test('sendMediaGroup needs 2 to 10 items', async () => {
  const one = await apiError(bot.api.sendMediaGroup(alice.id, [InputMediaBuilder.photo(new InputFile(image(13)))]));
  assert.match(one.description, /^Bad Request: too few media/);
  const photos = Array.from({ length: 11 }, (_, i) => InputMediaBuilder.photo(new InputFile(image(20 + i, 64, 64))));
  const eleven = await apiError(bot.api.sendMediaGroup(alice.id, photos));
  assert.match(eleven.description, /^Bad Request: too many media/);
});

test('sendPhoto by URL is fetched by Telegram; a URL that fails is rejected', async () => {
  const message = await bot.api.sendPhoto(alice.id, `${imageRoot}/avatar.png`);
  assert.equal([message.photo?.at(-1)?.width, message.photo?.at(-1)?.height], [800, 600]);
  assert.is(sha256(tg.fileBytes(message.photo?.at(-1)?.file_id ?? '')), sha256(servedImage));
  const missing = await apiError(bot.api.sendPhoto(alice.id, `${imageRoot}/missing.png`));
  assert.is(missing.description, 'Bad Request: wrong file identifier/HTTP URL specified');
});

test('sendPhoto accepts a known file_id and rejects unknown ids and non-images', async () => {
  const fromUser = await alice.sendPhoto(image(30));
  const largest = fromUser.photo?.at(-1);
  const resent = await bot.api.sendPhoto(alice.id, largest?.file_id ?? '');
  assert.is(resent.photo?.at(-1)?.file_unique_id, largest?.file_unique_id);
  const unknown = await apiError(bot.api.sendPhoto(alice.id, 'AgACAgIAAxkBAAIunknown'));
  assert.is(unknown.description, 'Bad Request: wrong file identifier/HTTP URL specified');
  const notImage = await apiError(bot.api.sendPhoto(alice.id, new InputFile(makeNonImage(), 'doc.pdf')));
  assert.is(notImage.description, 'Bad Request: IMAGE_PROCESS_FAILED');
});

test('sendDocument uploads keep their file name', async () => {
  const bytes = makeNonImage();
  const message = await bot.api.sendDocument(alice.id, new InputFile(bytes, 'report.pdf'), { caption: 'Your report' });
  assert.is(message.document?.file_name, 'report.pdf');
  assert.is(sha256(tg.fileBytes(message.document?.file_id ?? '')), sha256(bytes));
  assert.is(alice.lastBotMessage()?.document?.fileName, 'report.pdf');
});

test('a photo caption can be edited, its text cannot', async () => {
  const sent = await bot.api.sendPhoto(alice.id, new InputFile(image(40)), { caption: 'Take 1' });
  await bot.api.editMessageCaption(alice.id, sent.message_id, { caption: 'Take 2' });
  assert.is(alice.lastBotMessage()?.text, 'Take 2');
  const noText = await apiError(bot.api.editMessageText(alice.id, sent.message_id, 'Take 3'));
  assert.is(noText.description, 'Bad Request: there is no text in the message to edit');
});

test('photos with absurd proportions are rejected', async () => {
  const strip = await apiError(bot.api.sendPhoto(alice.id, new InputFile(image(41, 100, 2500))));
  assert.is(strip.description, 'Bad Request: PHOTO_INVALID_DIMENSIONS');
});

test.run();
