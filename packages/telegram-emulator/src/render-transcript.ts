import type { CallbackAnswer } from './callback-queries.js';
import type { ButtonView, ChatEntry, ChatMessage, EditEntry, FileView } from './transcript.js';

export interface RenderOptions {
  /** How bot lines are labelled (default "Bot"). */
  botName?: string;
}

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const count = (n: number, noun: string) => (n === 0 ? undefined : `${n} ${noun}${n === 1 ? '' : 's'}`);

function fileLabel(message: ChatMessage): string | undefined {
  if (message.photo) return `[photo ${message.photo.width}×${message.photo.height}]`;
  if (message.document) return `[document ${documentName(message.document)}]`;
  if (message.items) {
    const photos = message.items.filter((item) => item.photo).length;
    const documents = message.items.length - photos;
    const parts = [count(photos, 'photo'), count(documents, 'document')].filter((part) => part !== undefined);
    return `[album: ${parts.join(', ')}]`;
  }
  return undefined;
}

const price = (currency: string, amount: number) => (currency === 'XTR' ? `⭐️${amount}` : `${amount} ${currency}`);

/** Invoices show their title and price (the description follows as the text); payments their amount. */
function paymentLabel(message: ChatMessage): string | undefined {
  if (message.invoice) return `[invoice: ${message.invoice.title}, ${price(message.invoice.currency, message.invoice.totalAmount)}]`;
  if (message.payment === undefined) return undefined;
  const verb = message.kind === 'refund' ? 'refunded' : 'paid';
  return `[${verb} ${price(message.payment.currency, message.payment.totalAmount)}]`;
}

const documentName = (document: FileView) => `${document.fileName ?? 'file'}, ${kilobytes(document.size)}`;

/** Buttons of a row are separated by spaces, rows by " | ". */
const renderButtons = (rows: ButtonView[][]) => rows.map((row) => row.map((b) => `[${b.text}]`).join(' ')).join(' | ');

function renderMessage(message: ChatMessage, botName: string): string {
  const name = message.from === 'bot' ? botName : message.senderName;
  const state = message.deleted ? ' (deleted)' : message.edited ? ` (edited ×${message.editCount})` : '';
  const text = message.text ?? message.invoice?.description;
  const body = [fileLabel(message), paymentLabel(message), text, renderButtons(message.buttons)].filter(
    (part) => part !== undefined && part !== '',
  );
  // Continuation lines of a multi-line text are indented under the speaker.
  return `${name}${state}: ${body.join(' ').replace(/\n/g, '\n  ')}`;
}

function renderEdit(edit: EditEntry, times: number, botName: string): string {
  const body = [edit.text, renderButtons(edit.buttons)].filter((part) => part !== undefined && part !== '');
  return `${botName} ✎${times > 1 ? ` ×${times}` : ''} message ${edit.messageId}: ${body.join(' ').replace(/\n/g, '\n  ')}`;
}

function renderAnswer(answer: CallbackAnswer | undefined): string {
  if (answer === undefined) return '(no answer)';
  if (answer.text === undefined || answer.text === '') return answer.url ? `(opens ${answer.url})` : '(answered)';
  return answer.showAlert ? `alert "${answer.text}"` : `"${answer.text}"`;
}

/**
 * A chat as readable lines, e.g. `Alice: /start`, `Bot: Welcome [New avatar] [My avatars]`,
 * `Bot (edited ×3): 7/20 photos`, `Alice taps [Start training] → "Training started"`,
 * `Bot: [invoice: 100 credits, ⭐️50] Credits for avatars [Pay ⭐️50]`, `Alice: [paid ⭐️50]`.
 * Answers are shown on their tap; repeated chat actions are counted on one line.
 */
export function renderTranscript(entries: readonly ChatEntry[], options: RenderOptions = {}): string {
  const botName = options.botName ?? 'Bot';
  const lines: string[] = [];
  let previousAction: { action: string; count: number } | undefined;
  let previousEdit: { messageId: number; count: number } | undefined;
  for (const entry of entries) {
    if (entry.kind === 'edit') {
      // A run of edits of one message (a progress counter) shows its first and its last edit.
      if (previousEdit?.messageId === entry.messageId) {
        previousEdit.count++;
        const last = renderEdit(entry, previousEdit.count - 1, botName);
        if (previousEdit.count === 2) lines.push(last);
        else lines[lines.length - 1] = last;
      } else {
        previousEdit = { messageId: entry.messageId, count: 1 };
        lines.push(renderEdit(entry, 1, botName));
      }
      continue;
    }
    if (entry.kind !== 'callback_answer') previousEdit = undefined;
    if (entry.kind === 'chat_action') {
      if (previousAction?.action === entry.action) {
        previousAction.count++;
        lines[lines.length - 1] = `${botName} · ${entry.action} ×${previousAction.count}`;
      } else {
        previousAction = { action: entry.action, count: 1 };
        lines.push(`${botName} · ${entry.action}`);
      }
      continue;
    }
    if (entry.kind === 'callback_answer') continue;
    previousAction = undefined;
    if (entry.kind === 'tap') lines.push(`${entry.senderName} taps [${entry.buttonText}] → ${renderAnswer(entry.answer)}`);
    else lines.push(renderMessage(entry, botName));
  }
  return lines.join('\n');
}
