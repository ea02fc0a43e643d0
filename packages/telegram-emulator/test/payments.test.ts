import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GrammyError, InlineKeyboard, webhookCallback, type Bot } from 'grammy';
import type { LabeledPrice, Message, PreCheckoutQuery } from 'grammy/types';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderTranscript, startTelegramEmulator, type EmulatedUser, type TelegramEmulator } from '../src/index.js';
import { apiError, createBot, rawCall, startPolling, waitUntil } from './support.js';

const test = suite('payments in Telegram Stars');

/** Short, so that a late answer does not slow the suite down. */
const preCheckoutTimeoutMs = 400;
const credits: LabeledPrice[] = [{ label: '100 credits', amount: 50 }];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let tg: TelegramEmulator;
let bot: Bot;
let alice: EmulatedUser;
let stopPolling: (() => Promise<void>) | undefined;
const queries: PreCheckoutQuery[] = [];
/** Descriptions of the bot's answers to pre-checkout queries that failed. */
const answerFailures: string[] = [];
const payments: { updateId: number; message: Message }[] = [];

/** The invoice payload tells the test bot how to answer: `ok:…`, `decline:…`, `late:…` or `twice:…`. */
async function answer(query: PreCheckoutQuery): Promise<void> {
  const [mode] = query.invoice_payload.split(':');
  try {
    if (mode === 'decline') {
      await bot.api.answerPreCheckoutQuery(query.id, false, { error_message: 'Sold out, sorry' });
      return;
    }
    if (mode === 'late') await sleep(preCheckoutTimeoutMs + 300);
    await bot.api.answerPreCheckoutQuery(query.id, true);
    if (mode === 'twice') await bot.api.answerPreCheckoutQuery(query.id, true);
  } catch (error) {
    answerFailures.push(error instanceof GrammyError ? error.description : String(error));
  }
}

const sendCredits = (user: EmulatedUser, payload: string) => bot.api.sendInvoice(user.id, '100 credits', 'Credits for avatars', payload, 'XTR', credits);

test.before(async () => {
  tg = await startTelegramEmulator({ preCheckoutTimeoutMs, timeoutMs: 3000 });
  bot = createBot(tg);
  bot.on('pre_checkout_query', async (ctx) => {
    queries.push(ctx.preCheckoutQuery);
    await answer(ctx.preCheckoutQuery);
  });
  bot.on('message:successful_payment', async (ctx) => {
    payments.push({ updateId: ctx.update.update_id, message: ctx.message });
    await ctx.reply(`Credited ${ctx.message.successful_payment.total_amount} stars`);
  });
  alice = tg.user({ firstName: 'Alice' });
  await alice.sendCommand('/start');
  stopPolling = await startPolling(bot);
});

test.after(async () => {
  await stopPolling?.();
  await tg.close();
});

test('sendInvoice accepts Stars only: XTR, no provider token, one positive price, no tips', async () => {
  const send = (currency: string, prices: LabeledPrice[], other: Parameters<Bot['api']['sendInvoice']>[6] = {}) =>
    apiError(bot.api.sendInvoice(alice.id, '100 credits', 'Credits for avatars', 'ok:validation', currency, prices, other));
  const usd = await send('USD', credits);
  assert.equal([usd.error_code, usd.description], [400, 'Bad Request: PAYMENT_PROVIDER_INVALID']);
  assert.is((await send('USD', credits, { provider_token: '284685063:TEST:abc' })).description, 'Bad Request: CURRENCY_INVALID');
  assert.is((await send('XTR', credits, { provider_token: '284685063:TEST:abc' })).description, 'Bad Request: PAYMENT_PROVIDER_INVALID');
  const twoPrices = await send('XTR', [...credits, { label: 'bonus', amount: 10 }]);
  assert.is(twoPrices.description, 'Bad Request: STARS_INVOICE_INVALID');
  assert.is((await send('XTR', [])).description, 'Bad Request: STARS_INVOICE_INVALID');
  assert.is((await send('XTR', credits, { max_tip_amount: 10 })).description, 'Bad Request: STARS_INVOICE_INVALID');
  assert.is((await send('XTR', [{ label: 'free', amount: 0 }])).description, 'Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID');
  assert.is((await send('XTR', [{ label: 'half', amount: 1.5 }])).description, "Bad Request: can't parse LabeledPrice JSON object");

  const sent = await bot.api.sendInvoice(alice.id, '100 credits', 'Credits for avatars', 'ok:validation', 'XTR', credits, { provider_token: '' });
  assert.equal(sent.invoice, { title: '100 credits', description: 'Credits for avatars', start_parameter: '', currency: 'XTR', total_amount: 50 });
  const markup = (sent as Message).reply_markup;
  assert.equal(markup?.inline_keyboard, [[{ text: 'Pay ⭐️50', pay: true }]], 'the default Pay button');
});

test('title, description and payload lengths are checked; payload in bytes', async () => {
  const send = (title: string, description: string, payload: string) =>
    bot.api.sendInvoice(alice.id, title, description, payload, 'XTR', credits);
  assert.is((await apiError(send('x'.repeat(33), 'd', 'ok:p'))).description, 'Bad Request: INVOICE_TITLE_INVALID');
  assert.is((await apiError(send('', 'd', 'ok:p'))).description, 'Bad Request: INVOICE_TITLE_INVALID');
  assert.is((await apiError(send('t', 'd'.repeat(256), 'ok:p'))).description, 'Bad Request: INVOICE_DESCRIPTION_INVALID');
  // 65 Cyrillic letters are 130 bytes: too many, though only 65 characters.
  assert.is((await apiError(send('t', 'd', 'я'.repeat(65)))).description, 'Bad Request: INVOICE_PAYLOAD_INVALID');
  assert.is((await apiError(send('t', 'd', ''))).description, 'Bad Request: INVOICE_PAYLOAD_INVALID');
  const fits = await send('x'.repeat(32), 'd'.repeat(255), 'я'.repeat(64));
  assert.is(fits.invoice.title.length, 32);

  const missing = await rawCall(tg, 'sendInvoice', { chat_id: alice.id, title: 't', description: 'd', payload: 'p', prices: credits });
  assert.equal([missing.status, missing.body.description], [400, 'Bad Request: parameter "currency" is required']);
});

test('an invoice keyboard starts with its Pay button, and other messages have none', async () => {
  const payFirst = new InlineKeyboard().pay('Pay ⭐️50').row().text('Cancel', 'cancel');
  const sent = await bot.api.sendInvoice(alice.id, '100 credits', 'Credits', 'ok:markup', 'XTR', credits, { reply_markup: payFirst });
  assert.equal((sent as Message).reply_markup?.inline_keyboard[0], [{ text: 'Pay ⭐️50', pay: true }]);
  const payLast = new InlineKeyboard().text('Cancel', 'cancel').pay('Pay');
  const error = await apiError(bot.api.sendInvoice(alice.id, '100 credits', 'Credits', 'ok:markup', 'XTR', credits, { reply_markup: payLast }));
  assert.is(error.description, 'Bad Request: REPLY_MARKUP_BUY_EMPTY');
  const inMessage = await apiError(bot.api.sendMessage(alice.id, 'Buy?', { reply_markup: new InlineKeyboard().pay('Pay') }));
  assert.is(inMessage.description, 'Bad Request: BUTTON_TYPE_INVALID');
});

test('bots cannot send invoices to users who never started them or blocked them', async () => {
  const stranger = tg.user({ firstName: 'Stranger' });
  const first = await apiError(sendCredits(stranger, 'ok:stranger'));
  assert.equal([first.error_code, first.description], [403, "Forbidden: bot can't initiate conversation with a user"]);
  const dora = tg.user({ firstName: 'Dora' });
  await dora.sendCommand('/start');
  dora.blockBot();
  const blocked = await apiError(sendCredits(dora, 'ok:blocked'));
  assert.equal([blocked.error_code, blocked.description], [403, 'Forbidden: bot was blocked by the user']);
});

test('paying: pre_checkout_query, answered ok, then successful_payment reaches the bot', async () => {
  const invoice = await sendCredits(alice, 'ok:pack-100');
  const shown = await alice.waitForBotMessage((m) => m.kind === 'invoice');
  assert.equal(shown.invoice, { title: '100 credits', description: 'Credits for avatars', currency: 'XTR', totalAmount: 50, startParameter: '' });
  assert.equal(shown.buttons, [[{ text: 'Pay ⭐️50', pay: true }]]);

  const result = await alice.pay(shown);
  assert.is(result.status, 'paid');
  if (result.status !== 'paid') return;
  assert.is(result.totalAmount, 50);
  assert.match(result.telegramPaymentChargeId, /^stx[\w-]{20,}$/);

  const query = queries.at(-1);
  assert.equal(query && { ...query, id: undefined }, {
    id: undefined,
    from: alice.info,
    currency: 'XTR',
    total_amount: 50,
    invoice_payload: 'ok:pack-100',
  });
  await alice.waitForBotMessage((m) => m.text === 'Credited 50 stars');
  const paid = payments.at(-1)?.message.successful_payment;
  assert.equal(paid && { ...paid, provider_payment_charge_id: undefined }, {
    currency: 'XTR',
    total_amount: 50,
    invoice_payload: 'ok:pack-100',
    telegram_payment_charge_id: result.telegramPaymentChargeId,
    provider_payment_charge_id: undefined,
  });
  assert.type(paid?.provider_payment_charge_id, 'string');

  const charged = tg.starTransactions().filter((t) => t.telegramPaymentChargeId === result.telegramPaymentChargeId);
  assert.equal(charged.map((t) => [t.kind, t.userId, t.amount, t.invoicePayload]), [['payment', alice.id, 50, 'ok:pack-100']]);
  const lines = renderTranscript(alice.transcript()).split('\n').slice(-3);
  assert.equal(lines, ['Bot: [invoice: 100 credits, ⭐️50] Credits for avatars [Pay ⭐️50]', 'Alice: [paid ⭐️50]', 'Bot: Credited 50 stars']);
  try {
    await alice.pay(invoice);
    assert.unreachable('an invoice message is paid once');
  } catch (error) {
    assert.instance(error, Error);
    assert.match((error as Error).message, /paid already/);
  }
});

test('a declined pre-checkout charges nothing and sends no successful_payment', async () => {
  const before = { transactions: tg.starTransactions().length, payments: payments.length, balance: tg.starBalance() };
  const invoice = await sendCredits(alice, 'decline:pack-100');
  const result = await alice.pay(invoice);
  assert.equal(result, { status: 'declined', errorMessage: 'Sold out, sorry' });
  await sleep(50);
  assert.is(tg.starTransactions().length, before.transactions);
  assert.is(payments.length, before.payments);
  assert.is(tg.starBalance(), before.balance);
});

test('answerPreCheckoutQuery with ok=false needs an error_message', async () => {
  const error = await rawCall(tg, 'answerPreCheckoutQuery', { pre_checkout_query_id: '1', ok: false });
  assert.equal([error.status, error.body.description], [400, 'Bad Request: parameter "error_message" is required']);
});

test('an answer after the deadline is too old, and the payment times out', async () => {
  const before = { transactions: tg.starTransactions().length, failures: answerFailures.length };
  const invoice = await sendCredits(alice, 'late:pack-100');
  const started = Date.now();
  const result = await alice.pay(invoice);
  assert.equal(result, { status: 'timeout' });
  assert.ok(Date.now() - started >= preCheckoutTimeoutMs - 20, 'pay waits for the deadline');
  await waitUntil(() => answerFailures.length > before.failures, 2000, 'the late answer');
  assert.is(answerFailures.at(-1), 'Bad Request: query is too old and response timeout expired or query ID is invalid');
  assert.is(tg.starTransactions().length, before.transactions);
});

test('a pre-checkout query is answered once; the second answer fails', async () => {
  const before = answerFailures.length;
  const invoice = await sendCredits(alice, 'twice:pack-100');
  const result = await alice.pay(invoice);
  assert.is(result.status, 'paid', 'the first answer counts');
  await waitUntil(() => answerFailures.length > before, 2000, 'the second answer');
  assert.equal(answerFailures.slice(before), ['Bad Request: query is too old and response timeout expired or query ID is invalid']);
  const unknown = await apiError(bot.api.answerPreCheckoutQuery('123456', true));
  assert.is(unknown.description, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
});

test('deliverTwice: two updates with their own ids and the same charge id', async () => {
  const before = payments.length;
  const invoice = await sendCredits(alice, 'ok:duplicate');
  const result = await alice.pay(invoice, { deliverTwice: true });
  assert.is(result.status, 'paid');
  if (result.status !== 'paid') return;
  await waitUntil(() => payments.length === before + 2, 2000, 'two successful_payment updates');
  const [first, second] = payments.slice(before);
  assert.ok(first && second);
  assert.is.not(first.updateId, second.updateId);
  assert.is.not(first.message.message_id, second.message.message_id);
  assert.is(first.message.successful_payment?.telegram_payment_charge_id, result.telegramPaymentChargeId);
  assert.is(second.message.successful_payment?.telegram_payment_charge_id, result.telegramPaymentChargeId);
  const charged = tg.starTransactions().filter((t) => t.telegramPaymentChargeId === result.telegramPaymentChargeId);
  assert.is(charged.length, 1, 'charged once');
});

test('refundStarPayment refunds once; unknown charges are not found', async () => {
  const bob = tg.user({ firstName: 'Bob' });
  await bob.sendCommand('/start');
  const result = await bob.pay(await sendCredits(bob, 'ok:refund-me'));
  if (result.status !== 'paid') throw new Error(`expected a payment, got ${result.status}`);
  await bob.waitForBotMessage((m) => m.text === 'Credited 50 stars');
  const balance = tg.starBalance();
  assert.is((await bot.api.getMyStarBalance()).amount, balance);

  assert.is(await bot.api.refundStarPayment(bob.id, result.telegramPaymentChargeId), true);
  assert.is(tg.starBalance(), balance - 50);
  const again = await apiError(bot.api.refundStarPayment(bob.id, result.telegramPaymentChargeId));
  assert.equal([again.error_code, again.description], [400, 'Bad Request: CHARGE_ALREADY_REFUNDED']);
  const unknown = await apiError(bot.api.refundStarPayment(bob.id, 'stxNoSuchCharge'));
  assert.is(unknown.description, 'Bad Request: CHARGE_NOT_FOUND');
  const otherUser = await apiError(bot.api.refundStarPayment(alice.id, result.telegramPaymentChargeId));
  assert.is(otherUser.description, 'Bad Request: CHARGE_NOT_FOUND');

  const entries = tg.starTransactions().filter((t) => t.telegramPaymentChargeId === result.telegramPaymentChargeId);
  assert.equal(
    entries.map((t) => [t.kind, t.amount, t.kind === 'payment' && t.refunded]),
    [['payment', 50, true], ['refund', 50, false]],
  );
  assert.is(bob.lastBotMessage()?.kind, 'refund');
  assert.match(renderTranscript(bob.transcript()), /Bot: \[refunded ⭐️50\]$/);
});

test('getStarTransactions lists payments and refunds in Bot API shape, with offset and limit', async () => {
  const carol = tg.user({ firstName: 'Carol' });
  await carol.sendCommand('/start');
  const result = await carol.pay(await sendCredits(carol, 'ok:carol'));
  if (result.status !== 'paid') throw new Error(`expected a payment, got ${result.status}`);
  await bot.api.refundStarPayment(carol.id, result.telegramPaymentChargeId);

  const { transactions } = await bot.api.getStarTransactions();
  assert.is(transactions.length, tg.starTransactions().length);
  const carols = transactions.filter((t) => t.id === result.telegramPaymentChargeId);
  const partner = { type: 'user', transaction_type: 'invoice_payment', user: carol.info, invoice_payload: 'ok:carol' };
  assert.equal(
    carols.map(({ date: _date, ...t }) => t),
    [
      { id: result.telegramPaymentChargeId, amount: 50, source: partner },
      { id: result.telegramPaymentChargeId, amount: 50, receiver: partner },
    ],
  );
  assert.ok(carols.every((t) => Number.isInteger(t.date) && t.date > 1_600_000_000));

  const page = await bot.api.getStarTransactions({ offset: transactions.length - 2, limit: 1 });
  assert.equal(page.transactions, [transactions[transactions.length - 2]]);
});

test('createInvoiceLink gives a t.me/$ link that a user can pay, even before starting the bot', async () => {
  const link = await bot.api.createInvoiceLink('500 credits', 'Credits for avatars', 'ok:link', '', 'XTR', [{ label: '500 credits', amount: 200 }]);
  assert.match(link, /^https:\/\/t\.me\/\$[\w-]{10,}$/);
  const invalid = await apiError(bot.api.createInvoiceLink('t', 'd', 'ok:link', '', 'EUR', credits));
  assert.is(invalid.description, 'Bad Request: PAYMENT_PROVIDER_INVALID');

  const erin = tg.user({ firstName: 'Erin' });
  const result = await erin.pay(link);
  assert.is(result.status, 'paid');
  await erin.waitForBotMessage((m) => m.text === 'Credited 200 stars');
  const again = await erin.pay(link);
  assert.is(again.status, 'paid', 'a link can be paid again');
  try {
    await erin.pay('https://t.me/$nope');
    assert.unreachable('an unknown link');
  } catch (error) {
    assert.match((error as Error).message, /not an invoice link/);
  }
});

test.run();

const webhook = suite('Stars payments over a webhook');

let hookTg: TelegramEmulator;
let hookServer: Server;

webhook.before(async () => {
  hookTg = await startTelegramEmulator({ preCheckoutTimeoutMs: 2000 });
  const hookBot = createBot(hookTg);
  hookBot.on('pre_checkout_query', (ctx) => ctx.answerPreCheckoutQuery(true));
  hookBot.on('message:successful_payment', (ctx) => ctx.reply(`Thanks for ${ctx.message.successful_payment.invoice_payload}`));
  const handle = webhookCallback(hookBot, 'http');
  hookServer = createServer((request, response) => void handle(request, response).catch(() => response.writeHead(500).end()));
  await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
  await hookBot.api.setWebhook(`http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/`);
});

webhook.after(async () => {
  await hookTg.close();
  hookServer.closeAllConnections();
  await new Promise((resolve) => hookServer.close(resolve));
});

webhook('the pre-checkout query and the payment are delivered to the webhook', async () => {
  const frank = hookTg.user({ firstName: 'Frank' });
  await frank.sendCommand('/start');
  const api = createBot(hookTg).api;
  const invoice = await api.sendInvoice(frank.id, '100 credits', 'Credits', 'pack-100', 'XTR', credits);
  const result = await frank.pay(invoice);
  assert.is(result.status, 'paid');
  await frank.waitForBotMessage((m) => m.text === 'Thanks for pack-100');
  assert.is(hookTg.starBalance(), 50);
});

webhook.run();
