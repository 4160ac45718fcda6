/**
 * Request-body validation with Discord's limits, refusing with 50035 and an `errors` tree whose
 * paths match the API's (`embeds.0.fields.3.value`). Lengths count code points after trimming,
 * as Discord does. Error `code` strings follow Discord's where known (BASE_TYPE_MAX_LENGTH,
 * BASE_TYPE_REQUIRED, MAX_EMBED_SIZE_EXCEEDED, …); the emulator checks the subset a bot uses.
 */
import { charLength, FormErrors, MessageFlag } from './protocol.js';
import type { AllowedMentions } from './world.js';

type Path = (string | number)[];
type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const CONTENT_MAX = 2000;
export const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, author: 256, total: 6000, embeds: 10 };

export interface MessageBody {
  content?: string;
  embeds?: Obj[];
  components?: Obj[];
  allowedMentions?: AllowedMentions;
  flags?: number;
  nonce?: string | number;
  enforceNonce?: boolean;
  tts?: boolean;
  reference?: string;
  attachments?: Obj[];
}

function str(fe: FormErrors, v: unknown, path: Path, max: number, required = false): string | undefined {
  if (v === undefined || v === null) {
    if (required) fe.required(path);
    return undefined;
  }
  if (typeof v !== 'string') {
    fe.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    return undefined;
  }
  const trimmed = v.trim();
  if (required && trimmed === '') fe.required(path);
  if (charLength(trimmed) > max) fe.maxLength(path, max);
  return trimmed;
}

function url(fe: FormErrors, v: unknown, path: Path, schemes = ['http', 'https']): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return void fe.add(path, 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    return void fe.add(path, 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    fe.add(path, 'URL_TYPE_INVALID_SCHEME', `Scheme "${scheme}" is not supported. Scheme must be one of (${schemes.map((s) => `'${s}'`).join(', ')}).`);
  }
  return v;
}

function media(fe: FormErrors, v: unknown, path: Path): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) return void fe.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
  const u = url(fe, v.url, [...path, 'url'], ['http', 'https', 'attachment']);
  if (u === undefined) fe.required([...path, 'url']);
  return { url: u, proxy_url: u };
}

/** Validates one embed; returns it as Discord stores it and the characters it counts toward 6 000. */
function embed(fe: FormErrors, raw: unknown, path: Path): { embed: Obj; size: number } {
  if (!isObj(raw)) {
    fe.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return { embed: {}, size: 0 };
  }
  const out: Obj = { type: 'rich' };
  let size = 0;
  const count = (s: string | undefined) => {
    if (s) size += charLength(s);
    return s;
  };
  const title = count(str(fe, raw.title, [...path, 'title'], EMBED_LIMITS.title));
  if (title) out.title = title;
  const description = count(str(fe, raw.description, [...path, 'description'], EMBED_LIMITS.description));
  if (description) out.description = description;
  const link = url(fe, raw.url, [...path, 'url']);
  if (link) out.url = link;
  if (raw.timestamp !== undefined && raw.timestamp !== null) {
    const t = typeof raw.timestamp === 'string' || typeof raw.timestamp === 'number' ? new Date(raw.timestamp) : new Date(Number.NaN);
    if (Number.isNaN(t.getTime())) fe.add([...path, 'timestamp'], 'DATE_TIME_TYPE_PARSE', `Could not interpret "${String(raw.timestamp)}" as a date or datetime.`);
    else out.timestamp = t.toISOString().replace(/Z$/, '+00:00');
  }
  if (raw.color !== undefined && raw.color !== null) {
    if (typeof raw.color !== 'number' || !Number.isInteger(raw.color)) fe.add([...path, 'color'], 'NUMBER_TYPE_COERCE', `Value "${String(raw.color)}" is not int.`);
    else if (raw.color < 0 || raw.color > 0xffffff) fe.add([...path, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
    else out.color = raw.color;
  }
  if (raw.footer !== undefined && raw.footer !== null) {
    const f = isObj(raw.footer) ? raw.footer : {};
    const text = count(str(fe, f.text, [...path, 'footer', 'text'], EMBED_LIMITS.footer, true));
    const icon = url(fe, f.icon_url, [...path, 'footer', 'icon_url'], ['http', 'https', 'attachment']);
    out.footer = { text, ...(icon ? { icon_url: icon, proxy_icon_url: icon } : {}) };
  }
  if (raw.author !== undefined && raw.author !== null) {
    const a = isObj(raw.author) ? raw.author : {};
    const name = count(str(fe, a.name, [...path, 'author', 'name'], EMBED_LIMITS.author, true));
    const aurl = url(fe, a.url, [...path, 'author', 'url']);
    const icon = url(fe, a.icon_url, [...path, 'author', 'icon_url'], ['http', 'https', 'attachment']);
    out.author = { name, ...(aurl ? { url: aurl } : {}), ...(icon ? { icon_url: icon, proxy_icon_url: icon } : {}) };
  }
  const image = media(fe, raw.image, [...path, 'image']);
  if (image) out.image = image;
  const thumbnail = media(fe, raw.thumbnail, [...path, 'thumbnail']);
  if (thumbnail) out.thumbnail = thumbnail;
  if (raw.fields !== undefined && raw.fields !== null) {
    if (!Array.isArray(raw.fields)) fe.add([...path, 'fields'], 'BASE_TYPE_LIST', 'Must be a list.');
    else {
      if (raw.fields.length > EMBED_LIMITS.fields) fe.maxLength([...path, 'fields'], EMBED_LIMITS.fields);
      out.fields = raw.fields.map((field: unknown, i) => {
        const fp = [...path, 'fields', i];
        const f = isObj(field) ? field : {};
        const name = count(str(fe, f.name, [...fp, 'name'], EMBED_LIMITS.fieldName, true));
        const value = count(str(fe, f.value, [...fp, 'value'], EMBED_LIMITS.fieldValue, true));
        return { name, value, inline: f.inline === true };
      });
    }
  }
  return { embed: out, size };
}

export function embeds(fe: FormErrors, raw: unknown, path: Path = ['embeds']): Obj[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    fe.add(path, 'BASE_TYPE_LIST', 'Must be a list.');
    return undefined;
  }
  if (raw.length > EMBED_LIMITS.embeds) fe.maxLength(path, EMBED_LIMITS.embeds);
  let total = 0;
  const out = raw.map((e: unknown, i) => {
    const r = embed(fe, e, [...path, i]);
    total += r.size;
    return r.embed;
  });
  if (total > EMBED_LIMITS.total) fe.add(path, 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${EMBED_LIMITS.total}`);
  return out;
}

/** Components of a message: action rows of buttons and selects (components v2 are passed through). */
export function components(fe: FormErrors, raw: unknown, path: Path, v2: boolean): Obj[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    fe.add(path, 'BASE_TYPE_LIST', 'Must be a list.');
    return undefined;
  }
  let nextId = 1;
  const seen = new Set<string>();
  const withId = (c: Obj): Obj => ({ ...c, id: typeof c.id === 'number' ? c.id : nextId++ });
  if (v2) return raw.map((c: unknown) => (isObj(c) ? withId(c) : {}));
  if (raw.length > 5) fe.maxLength(path, 5);
  return raw.map((row: unknown, i) => {
    const rp = [...path, i];
    if (!isObj(row) || row.type !== 1) {
      fe.add([...rp, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1}.');
      return {};
    }
    const children = Array.isArray(row.components) ? row.components : [];
    if (children.length === 0) fe.add([...rp, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    if (children.length > 5) fe.add([...rp, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    const rowOut = withId(row);
    rowOut.components = children.map((child: unknown, j) => {
      const cp = [...rp, 'components', j];
      if (!isObj(child)) return {};
      const out = withId(child);
      if (child.type === 2) {
        const style = child.style;
        if (typeof style !== 'number' || style < 1 || style > 6) fe.add([...cp, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
        str(fe, child.label, [...cp, 'label'], 80);
        if (style === 5) {
          if (child.url === undefined) fe.required([...cp, 'url']);
          url(fe, child.url, [...cp, 'url'], ['http', 'https', 'discord']);
          if (child.custom_id !== undefined) fe.add([...cp, 'custom_id'], 'COMPONENT_LINK_BUTTON_CUSTOM_ID', 'A link button cannot have a custom_id.');
        } else if (style !== 6) {
          const id = str(fe, child.custom_id, [...cp, 'custom_id'], 100, true);
          if (child.url !== undefined) fe.add([...cp, 'url'], 'COMPONENT_BUTTON_URL', 'Only link buttons can have a url.');
          if (id) {
            if (seen.has(id)) fe.add([...cp, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
            seen.add(id);
          }
        }
        if (child.label === undefined && child.emoji === undefined) fe.add([...cp], 'BUTTON_COMPONENT_LABEL_OR_EMOJI', 'A button must have a label or an emoji.');
      } else if ([3, 5, 6, 7, 8].includes(child.type as number)) {
        str(fe, child.custom_id, [...cp, 'custom_id'], 100, true);
        if (children.length > 1) fe.add([...rp, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
      } else {
        fe.add([...cp, 'type'], 'UNION_TYPE_CHOICES', `Value of field "type" must be one of (2, 3, 5, 6, 7, 8).`);
      }
      return out;
    });
    return rowOut;
  });
}

function allowedMentions(fe: FormErrors, raw: unknown): AllowedMentions | undefined {
  if (raw === undefined || raw === null) return undefined;
  const path = ['allowed_mentions'];
  if (!isObj(raw)) return void fe.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
  const out: AllowedMentions = {};
  if (raw.parse !== undefined) {
    const parse = Array.isArray(raw.parse) ? raw.parse : [];
    parse.forEach((p: unknown, i) => {
      if (p !== 'users' && p !== 'roles' && p !== 'everyone') fe.add([...path, 'parse', i], 'BASE_TYPE_CHOICES', "Value must be one of {'everyone', 'roles', 'users'}.");
    });
    out.parse = parse.filter((p): p is string => typeof p === 'string');
  }
  if (Array.isArray(raw.users)) out.users = raw.users.map(String);
  if (Array.isArray(raw.roles)) out.roles = raw.roles.map(String);
  if (out.parse?.includes('users') && out.users?.length) fe.add(path, 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["users"] and users: [ids] are mutually exclusive.');
  if (out.parse?.includes('roles') && out.roles?.length) fe.add(path, 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["roles"] and roles: [ids] are mutually exclusive.');
  if (typeof raw.replied_user === 'boolean') out.replied_user = raw.replied_user;
  return out;
}

/**
 * A create/edit message body. `allowedFlags` differs: channel messages may set SUPPRESS_EMBEDS,
 * SUPPRESS_NOTIFICATIONS and IS_COMPONENTS_V2; interaction responses may also set EPHEMERAL.
 */
export function messageBody(raw: unknown, o: { allowedFlags: number; path?: Path }): MessageBody {
  const fe = new FormErrors();
  const path = o.path ?? [];
  if (!isObj(raw)) {
    fe.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    fe.throwIfAny();
  }
  const body = raw as Obj;
  const out: MessageBody = {};
  if (body.flags !== undefined && body.flags !== null) {
    if (typeof body.flags !== 'number' || (body.flags & ~o.allowedFlags) !== 0) fe.add([...path, 'flags'], 'MESSAGE_FLAGS_INVALID', 'Invalid flags for this message.');
    else out.flags = body.flags;
  }
  const v2 = ((out.flags ?? 0) & MessageFlag.IS_COMPONENTS_V2) !== 0;
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') fe.add([...path, 'content'], 'BASE_TYPE_STRING', 'Must be a string.');
    else {
      if (charLength(body.content) > CONTENT_MAX) fe.maxLength([...path, 'content'], CONTENT_MAX);
      out.content = body.content;
    }
  }
  out.embeds = embeds(fe, body.embeds, [...path, 'embeds']);
  out.components = components(fe, body.components, [...path, 'components'], v2);
  if (v2 && (out.content || out.embeds?.length)) fe.add([...path, 'content'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', 'The \'content\' and \'embeds\' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2');
  out.allowedMentions = allowedMentions(fe, body.allowed_mentions);
  if (body.nonce !== undefined && body.nonce !== null) {
    if (typeof body.nonce === 'string') {
      if (charLength(body.nonce) > 25) fe.maxLength([...path, 'nonce'], 25);
      out.nonce = body.nonce;
    } else if (typeof body.nonce === 'number' && Number.isInteger(body.nonce)) out.nonce = body.nonce;
    else fe.add([...path, 'nonce'], 'BASE_TYPE_STRING', 'Must be a string or an integer.');
  }
  if (body.enforce_nonce === true) out.enforceNonce = true;
  if (body.tts === true) out.tts = true;
  if (isObj(body.message_reference) && typeof body.message_reference.message_id === 'string') out.reference = body.message_reference.message_id;
  fe.throwIfAny();
  return out;
}

export function isEmptyMessage(b: MessageBody): boolean {
  return !b.content && !b.embeds?.length && !b.components?.length && !b.attachments?.length;
}

/** A modal (interaction callback type 9): action rows of one text input, labels, or text displays. */
export function modal(raw: unknown): Obj {
  const fe = new FormErrors();
  const path: Path = ['data'];
  if (!isObj(raw)) {
    fe.required(path);
    fe.throwIfAny();
  }
  const m = raw as Obj;
  str(fe, m.custom_id, [...path, 'custom_id'], 100, true);
  str(fe, m.title, [...path, 'title'], 45, true);
  const list = Array.isArray(m.components) ? m.components : [];
  if (list.length < 1 || list.length > 5) fe.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
  let nextId = 1;
  const withId = (c: Obj): Obj => ({ ...c, id: typeof c.id === 'number' ? c.id : nextId++ });
  const textInput = (c: unknown, p: Path, inLabel: boolean): Obj => {
    if (!isObj(c)) return {};
    if (c.type === 4) {
      str(fe, c.custom_id, [...p, 'custom_id'], 100, true);
      if (!inLabel) str(fe, c.label, [...p, 'label'], 45, true);
      if (c.style !== 1 && c.style !== 2) fe.add([...p, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
      if (typeof c.max_length === 'number' && (c.max_length < 1 || c.max_length > 4000)) fe.add([...p, 'max_length'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 4000.');
      str(fe, c.placeholder, [...p, 'placeholder'], 100);
    } else if (c.type !== 10) {
      // Selects, file uploads, checkboxes: the emulator checks only their custom_id.
      str(fe, c.custom_id, [...p, 'custom_id'], 100, true);
    }
    return withId(c);
  };
  const components = list.map((c: unknown, i) => {
    const p = [...path, 'components', i];
    if (!isObj(c)) return {};
    if (c.type === 1) {
      const row = withId(c);
      const children = Array.isArray(c.components) ? c.components : [];
      if (children.length !== 1) fe.add([...p, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 1 in length.');
      row.components = children.map((child: unknown, j) => textInput(child, [...p, 'components', j], false));
      return row;
    }
    if (c.type === 18) {
      const label = withId(c);
      str(fe, c.label, [...p, 'label'], 45, true);
      str(fe, c.description, [...p, 'description'], 100);
      label.component = textInput(c.component, [...p, 'component'], true);
      return label;
    }
    if (c.type === 10) return withId(c);
    fe.add([...p, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 10, 18).');
    return c;
  });
  fe.throwIfAny();
  return { ...m, components };
}

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** One application command (PUT bulk overwrite / POST), as the API checks names and options. */
export function command(fe: FormErrors, raw: unknown, path: Path): Obj {
  if (!isObj(raw)) {
    fe.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return {};
  }
  const type = typeof raw.type === 'number' ? raw.type : 1;
  const name = typeof raw.name === 'string' ? raw.name : '';
  if (!NAME.test(name)) fe.add([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  else if (type === 1 && name !== name.toLowerCase()) fe.add([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  if (type === 1) str(fe, raw.description, [...path, 'description'], 100, true);
  const options = Array.isArray(raw.options) ? raw.options : [];
  if (options.length > 25) fe.maxLength([...path, 'options'], 25);
  let optionalSeen = false;
  options.forEach((o: unknown, i) => {
    const op = [...path, 'options', i];
    if (!isObj(o)) return;
    if (typeof o.name !== 'string' || !NAME.test(o.name) || o.name !== o.name.toLowerCase()) fe.add([...op, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    str(fe, o.description, [...op, 'description'], 100, true);
    if (o.required === true && optionalSeen) fe.add([...op, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    if (o.required !== true && o.type !== 1 && o.type !== 2) optionalSeen = true;
    if (Array.isArray(o.choices) && o.choices.length > 25) fe.maxLength([...op, 'choices'], 25);
  });
  return {
    type,
    name,
    name_localizations: raw.name_localizations ?? null,
    description: type === 1 ? String(raw.description ?? '') : '',
    description_localizations: raw.description_localizations ?? null,
    ...(options.length ? { options } : {}),
    default_member_permissions: raw.default_member_permissions ?? null,
    nsfw: raw.nsfw === true,
    contexts: raw.contexts ?? null,
    integration_types: raw.integration_types ?? [0],
  };
}
