import { aspectRatios, genders, trainers } from '@avatar/machine';
import { choiceCodec, countCodec, packageIdCodec, photoRefCodec, streamIdCodec, type Codec } from './codecs.js';

type ParamCodecs = Readonly<Record<string, Codec<unknown>>>;

export interface ActionDefinition<P extends ParamCodecs = ParamCodecs> {
  /** What callback_data starts with; unique across the registry. */
  readonly code: string;
  readonly params: P;
}

function action<const P extends ParamCodecs>(code: string, params: P): ActionDefinition<P> {
  return { code, params };
}

const avatar = streamIdCodec;

/**
 * Every inline button the bot can show. A keyboard can only be built from these (see keyboard.ts),
 * and the callback router needs a handler for each of them (see router.ts): a button without a
 * handler cannot be written.
 */
export const actions = {
  home: action('h', {}),
  newAvatar: action('n', {}),
  resumeCreation: action('rc', {}),
  listAvatars: action('l', { page: countCodec }),
  /** `draft` ties the answer to the avatar being created, so an old question's button is stale. */
  chooseGender: action('g', { draft: streamIdCodec, gender: choiceCodec(genders) }),
  chooseTrainer: action('t', { draft: streamIdCodec, trainer: choiceCodec(trainers) }),
  openAvatar: action('o', { avatar }),
  renameAvatar: action('r', { avatar }),
  chooseMain: action('m', { avatar }),
  cancelAvatar: action('c', { avatar }),
  confirmCancel: action('cc', { avatar }),
  deleteAvatar: action('d', { avatar }),
  confirmDelete: action('dd', { avatar }),
  addPhotos: action('pa', { avatar }),
  managePhotos: action('pm', { avatar }),
  removePhoto: action('pr', { avatar, photo: photoRefCodec }),
  /** `attempts` is how many attempts the avatar had when the button was drawn: an old button is stale. */
  startTraining: action('ts', { avatar, attempts: countCodec }),
  generate: action('ge', { avatar }),
  chooseAspect: action('ga', { generation: streamIdCodec, aspect: choiceCodec(aspectRatios) }),
  generateAgain: action('gr', { generation: streamIdCodec }),
  balance: action('b', {}),
  topUp: action('tu', {}),
  /** Sends the invoice for one package; what is paid is decided again when Telegram asks before charging. */
  buyPackage: action('tb', { package: packageIdCodec }),
} as const satisfies Record<string, ActionDefinition>;

export type Actions = typeof actions;
export type ActionName = keyof Actions;

export type ParamsOf<K extends ActionName> = {
  [P in keyof Actions[K]['params']]: Actions[K]['params'][P] extends Codec<infer T> ? T : never;
};

/** A decoded button press: which action, with which parameters. */
export type ActionCall<K extends ActionName = ActionName> = { [N in K]: { name: N; params: ParamsOf<N> } }[K];

/** Telegram's limit on callback_data, in UTF-8 bytes. */
export const maxCallbackDataBytes = 64;

export class CallbackDataError extends Error {
  override name = 'CallbackDataError';
}

const separator = ':';

const byCode = new Map<string, ActionName>();
for (const name of Object.keys(actions) as ActionName[]) {
  const { code } = actions[name];
  if (byCode.has(code) || code.includes(separator)) throw new CallbackDataError(`action code "${code}" is reused or malformed`);
  byCode.set(code, name);
}

function codecsOf(name: ActionName): [string, Codec<unknown>][] {
  return Object.entries(actions[name].params as ParamCodecs);
}

/** The callback_data of a button; throws when it would not fit in 64 bytes. */
export function encodeAction<K extends ActionName>(name: K, params: ParamsOf<K>): string {
  const values = params as Record<string, unknown>;
  const encoded = codecsOf(name).map(([key, codec]) => codec.encode(values[key]));
  const data = [actions[name].code, ...encoded].join(separator);
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes > maxCallbackDataBytes) {
    throw new CallbackDataError(`callback_data for ${name} is ${bytes} bytes; Telegram allows ${maxCallbackDataBytes}`);
  }
  return data;
}

/** The action a callback_data names, or undefined when it is not one this bot wrote. */
export function decodeAction(data: string): ActionCall | undefined {
  const [code = '', ...texts] = data.split(separator);
  const name = byCode.get(code);
  if (name === undefined) return undefined;
  const codecs = codecsOf(name);
  if (texts.length !== codecs.length) return undefined;
  const params: Record<string, unknown> = {};
  for (const [index, [key, codec]] of codecs.entries()) {
    const value = codec.decode(texts[index] ?? '');
    if (value === undefined) return undefined;
    params[key] = value;
  }
  return { name, params } as ActionCall;
}
