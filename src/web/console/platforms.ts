/**
 * A rendered payload as its platform shows it, for the console's look-alike previews: a Facebook
 * Page post with its link card, a Discord message with its embed and buttons, a YouTube video's
 * title and description. Text is what people read: Discord's markdown escapes and the zero-width
 * spaces that break mentions are taken out, as in `ontact render`.
 */

export interface FacebookView {
  kind: 'facebook';
  message: string;
  link: { url: string; host: string } | null;
}

export interface DiscordEmbedView {
  title: string;
  url: string | null;
  description: string;
  fields: { name: string; value: string; inline: boolean }[];
  footer: string;
  /** The embed's colour as a named tone (open, closed, cancelled): the page's CSP allows no inline style. */
  tone: 'open' | 'closed' | 'cancelled' | 'other';
}

export interface DiscordView {
  kind: 'discord';
  content: string;
  embeds: DiscordEmbedView[];
  buttons: { label: string; url: string }[];
}

export interface YouTubeView {
  kind: 'youtube';
  title: string;
  description: string;
}

export interface OtherView {
  kind: 'other';
  text: string;
}

export type PlatformView = FacebookView | DiscordView | YouTubeView | OtherView;

const invisibleOut = (text: string) => text.replace(/\u200B/g, '');
const discordShown = (text: string) => invisibleOut(text.replace(/\\([\s\S])/g, '$1'));
const str = (value: unknown) => (typeof value === 'string' ? value : '');

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const TONES: Record<number, DiscordEmbedView['tone']> = { 0x2e7d32: 'open', 0x757575: 'closed', 0xc62828: 'cancelled' };

/** The view of any stored or fresh payload; an unknown shape is shown as its JSON. */
export function previewView(payload: unknown): PlatformView {
  const p = (payload ?? {}) as Record<string, unknown>;
  switch (p.channel) {
    case 'facebook':
      return { kind: 'facebook', message: invisibleOut(str(p.message)), link: str(p.link) ? { url: str(p.link), host: hostOf(str(p.link)) } : null };
    case 'youtube':
      return { kind: 'youtube', title: str(p.title), description: str(p.description) };
    case 'discord': {
      const embeds = Array.isArray(p.embeds) ? (p.embeds as Record<string, unknown>[]) : [];
      const rows = Array.isArray(p.components) ? (p.components as { components?: { label?: string; url?: string }[] }[]) : [];
      return {
        kind: 'discord',
        content: discordShown(str(p.content)),
        embeds: embeds.map((e) => ({
          title: discordShown(str(e.title)),
          url: str(e.url) || null,
          description: discordShown(str(e.description)),
          fields: (Array.isArray(e.fields) ? (e.fields as Record<string, unknown>[]) : []).map((f) => ({ name: discordShown(str(f.name)), value: discordShown(str(f.value)), inline: f.inline === true })),
          footer: discordShown(str((e.footer as { text?: unknown } | undefined)?.text)),
          tone: TONES[Number(e.color)] ?? 'other',
        })),
        buttons: rows.flatMap((row) => row.components ?? []).filter((b) => typeof b.url === 'string').map((b) => ({ label: str(b.label), url: str(b.url) })),
      };
    }
    default:
      return { kind: 'other', text: JSON.stringify(payload, null, 2) };
  }
}
