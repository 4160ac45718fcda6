/**
 * The gateway over a `ws` server: HELLO, IDENTIFY (token, intents, privileged intents), READY and
 * GUILD_CREATE, heartbeats, sequence numbers per session, RESUME with replay of everything after
 * the client's seq, op 7 / op 9, close codes, and zlib-stream transport compression or identify
 * payload compression when asked for. Sessions outlive their sockets, so dispatches produced
 * while a client is disconnected wait in the session for its RESUME.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ApplicationFlag, GatewayClose, GatewayOp, Intent, KNOWN_INTENTS } from './protocol.js';
import type { ConnectionRecord, DispatchRecord } from './types.js';
import type { Dispatch, World } from './world.js';

interface Session {
  id: string;
  seq: number;
  intents: number;
  buffer: { s: number; t: string; d: unknown }[];
  conn: Conn | null;
  invalid: boolean;
  disconnectedAt: Date | null;
}

interface Conn {
  record: ConnectionRecord;
  ws: WebSocket;
  session: Session | null;
  deflate: zlib.Deflate | null;
  deflated: Buffer[];
  sendChain: Promise<void>;
  payloadCompress: boolean;
  closingByEmulator: boolean;
  /** A zombie: this connection's heartbeats go unanswered. */
  zombie: boolean;
}

export interface GatewayOptions {
  token(): string;
  heartbeatIntervalMs: number;
  resumeGatewayUrl: string;
  resumeWindowMs: number;
}

const BUFFER_LIMIT = 10_000;

export class Gateway {
  readonly history: ConnectionRecord[] = [];
  readonly dispatchLog: DispatchRecord[] = [];
  acks = true;
  private startsLeft = 1000;
  private readonly sessions = new Map<string, Session>();
  private readonly conns = new Set<Conn>();
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(
    private readonly world: World,
    private readonly o: GatewayOptions,
  ) {
    world.emit = (d) => this.dispatch(d);
  }

  sessionStartRemaining(): number {
    return this.startsLeft;
  }

  openCount(): number {
    return this.conns.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const compress = url.searchParams.get('compress');
    if (!url.pathname.startsWith('/gateway') || (compress !== null && compress !== 'zlib-stream')) {
      // zstd-stream is Discord's too, but no Node client asks for it; the emulator refuses it plainly.
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, url));
  }

  private open(ws: WebSocket, url: URL): void {
    const compress = url.searchParams.get('compress') === 'zlib-stream' ? 'zlib-stream' : null;
    const record: ConnectionRecord = {
      id: this.history.length + 1,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      compress,
      openedAt: this.world.now(),
      handshake: null,
      handshakes: [],
      sessionId: null,
      intents: null,
      identify: null,
      resumeSeq: null,
      resumeRefused: false,
      heartbeats: 0,
      closeCode: null,
      closedBy: null,
    };
    this.history.push(record);
    const conn: Conn = { record, ws, session: null, deflate: null, deflated: [], sendChain: Promise.resolve(), payloadCompress: false, closingByEmulator: false, zombie: false };
    if (compress) {
      conn.deflate = zlib.createDeflate();
      conn.deflate.on('data', (chunk: Buffer) => conn.deflated.push(chunk));
    }
    this.conns.add(conn);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(conn, data, isBinary));
    ws.on('close', (code: number) => this.onClose(conn, code));
    ws.on('error', () => undefined);
    if (url.searchParams.get('v') !== '10') return this.closeWith(conn, 4012);
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json') return this.closeWith(conn, 4002);
    this.send(conn, { op: GatewayOp.HELLO, d: { heartbeat_interval: this.o.heartbeatIntervalMs, _trace: ['["emulator-gateway",{"micros":0}]'] }, s: null, t: null });
  }

  private send(conn: Conn, payload: { op: number; d: unknown; s: number | null; t: string | null }): void {
    const json = JSON.stringify(payload);
    const { ws, deflate } = conn;
    if (deflate) {
      // One zlib context per connection, each message ending in a Z_SYNC_FLUSH (00 00 ff ff).
      conn.sendChain = conn.sendChain.then(
        () =>
          new Promise<void>((resolve) => {
            deflate.write(json);
            deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
              const out = Buffer.concat(conn.deflated);
              conn.deflated = [];
              if (ws.readyState === WebSocket.OPEN) ws.send(out, { binary: true });
              resolve();
            });
          }),
      );
      return;
    }
    if (ws.readyState !== WebSocket.OPEN) return;
    if (conn.payloadCompress && payload.op === GatewayOp.DISPATCH) ws.send(zlib.deflateSync(json), { binary: true });
    else ws.send(json);
  }

  /** Recorded at once: the client may act on the close before the closing handshake ends here. */
  private markClosed(conn: Conn, code: number): void {
    conn.closingByEmulator = true;
    if (conn.record.closedBy === null) Object.assign(conn.record, { closeCode: code, closedBy: 'emulator' });
  }

  private closeWith(conn: Conn, code: number): void {
    this.markClosed(conn, code);
    if (conn.session && !(GatewayClose[code]?.resumable ?? false)) this.endSession(conn.session);
    this.detach(conn);
    if (conn.ws.readyState === WebSocket.OPEN || conn.ws.readyState === WebSocket.CONNECTING) conn.ws.close(code, GatewayClose[code]?.reason ?? '');
  }

  private detach(conn: Conn): void {
    const s = conn.session;
    if (s && s.conn === conn) {
      s.conn = null;
      s.disconnectedAt = this.world.now();
    }
  }

  private endSession(s: Session): void {
    s.invalid = true;
    this.sessions.delete(s.id);
  }

  private onClose(conn: Conn, code: number): void {
    if (conn.record.closedBy === null) Object.assign(conn.record, { closeCode: code, closedBy: conn.closingByEmulator ? 'emulator' : 'client' });
    this.conns.delete(conn);
    conn.deflate?.close();
    // Closing with 1000 or 1001 ends the session; any other close keeps it resumable (gateway docs).
    if (!conn.closingByEmulator && conn.session && (code === 1000 || code === 1001)) this.endSession(conn.session);
    this.detach(conn);
  }

  private onMessage(conn: Conn, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary) throw new Error('binary');
      payload = JSON.parse(data.toString()) as { op?: unknown; d?: unknown };
    } catch {
      return this.closeWith(conn, 4002);
    }
    const op = payload.op;
    if (op === GatewayOp.HEARTBEAT) {
      conn.record.heartbeats += 1;
      if (this.acks && !conn.zombie) this.send(conn, { op: GatewayOp.HEARTBEAT_ACK, d: null, s: null, t: null });
      return;
    }
    if (op === GatewayOp.IDENTIFY) return this.identify(conn, payload.d);
    if (op === GatewayOp.RESUME) return this.resume(conn, payload.d);
    const known = [GatewayOp.PRESENCE_UPDATE, GatewayOp.VOICE_STATE_UPDATE, GatewayOp.REQUEST_GUILD_MEMBERS, GatewayOp.REQUEST_SOUNDBOARD_SOUNDS] as number[];
    if (!known.includes(op as number)) return this.closeWith(conn, 4001);
    if (!conn.session) return this.closeWith(conn, 4003);
  }

  private tokenOk(raw: unknown): boolean {
    return typeof raw === 'string' && raw.replace(/^Bot\s+/i, '') === this.o.token();
  }

  private identify(conn: Conn, raw: unknown): void {
    if (conn.session) return this.closeWith(conn, 4005);
    const d = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (!this.tokenOk(d.token)) return this.closeWith(conn, 4004);
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~KNOWN_INTENTS) !== 0) return this.closeWith(conn, 4013);
    const w = this.world;
    const privileged: [number, boolean][] = [
      [Intent.MESSAGE_CONTENT, w.grantMessageContent],
      [Intent.GUILD_MEMBERS, w.grantGuildMembers],
      [Intent.GUILD_PRESENCES, w.grantPresences],
    ];
    if (privileged.some(([bit, granted]) => (intents & bit) !== 0 && !granted)) return this.closeWith(conn, 4014);
    const shard = d.shard;
    if (shard !== undefined && (!Array.isArray(shard) || shard[1] !== 1 || shard[0] !== 0)) return this.closeWith(conn, 4010);
    this.startsLeft = Math.max(0, this.startsLeft - 1);
    conn.payloadCompress = d.compress === true && !conn.deflate;
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, intents, buffer: [], conn, invalid: false, disconnectedAt: null };
    this.sessions.set(session.id, session);
    conn.session = session;
    Object.assign(conn.record, { handshake: 'identify', sessionId: session.id, intents, identify: { ...d, token: '[redacted]' } });
    conn.record.handshakes.push({ kind: 'identify', refused: false });
    const flags =
      (w.grantMessageContent ? ApplicationFlag.GATEWAY_MESSAGE_CONTENT_LIMITED : 0) |
      (w.grantGuildMembers ? ApplicationFlag.GATEWAY_GUILD_MEMBERS_LIMITED : 0) |
      (w.grantPresences ? ApplicationFlag.GATEWAY_PRESENCE_LIMITED : 0) |
      ApplicationFlag.APPLICATION_COMMAND_BADGE;
    this.toSession(session, 'READY', {
      v: 10,
      user: { ...w.apiUser(w.ids.users.bot), verified: true, mfa_enabled: true, email: null },
      user_settings: {},
      guilds: [{ id: w.ids.guild, unavailable: true }],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.o.resumeGatewayUrl,
      ...(shard !== undefined ? { shard: [0, 1] } : {}),
      application: { id: w.applicationId, flags },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['south-korea', 'japan', 'hongkong'],
      auth: {},
      _trace: ['["emulator-gateway",{"micros":0}]'],
    });
    if (intents & Intent.GUILDS) this.toSession(session, 'GUILD_CREATE', this.guildCreate());
  }

  private guildCreate(): Record<string, unknown> {
    const w = this.world;
    return {
      ...w.apiGuild(),
      joined_at: new Date(Date.UTC(2025, 2, 1)).toISOString(),
      large: false,
      unavailable: false,
      member_count: w.members.size,
      voice_states: [],
      members: [w.apiMember(w.ids.users.bot)],
      channels: w.guildChannels().map((c) => w.apiChannel(c)),
      threads: w.activeThreads().map((c) => w.apiChannel(c)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [...w.events.values()].filter((e) => !e.deleted && (e.status === 1 || e.status === 2)).map((e) => w.apiEvent(e, false)),
      soundboard_sounds: [],
      embedded_activities: [],
      activity_instances: [],
    };
  }

  private resume(conn: Conn, raw: unknown): void {
    if (conn.session) return this.closeWith(conn, 4005);
    const d = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (!this.tokenOk(d.token)) return this.closeWith(conn, 4004);
    conn.record.handshake = 'resume';
    conn.record.resumeSeq = typeof d.seq === 'number' ? d.seq : null;
    conn.record.resumeRefused = false;
    const handshake = { kind: 'resume' as const, refused: false };
    conn.record.handshakes.push(handshake);
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    conn.record.sessionId = session?.id ?? (typeof d.session_id === 'string' ? d.session_id : null);
    const expired = session?.disconnectedAt ? this.world.now().getTime() - session.disconnectedAt.getTime() > this.o.resumeWindowMs : false;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    const oldest = session?.buffer[0]?.s ?? 1;
    if (!session || session.invalid || expired || seq + 1 < oldest) {
      if (session && expired) this.endSession(session);
      conn.record.resumeRefused = true;
      handshake.refused = true;
      // Discord answers an unknown or expired session with op 9, d false: identify anew.
      this.send(conn, { op: GatewayOp.INVALID_SESSION, d: false, s: null, t: null });
      return;
    }
    if (seq > session.seq) return this.closeWith(conn, 4007);
    if (session.conn && session.conn !== conn) {
      const old = session.conn;
      this.detach(old);
      this.markClosed(old, 1006);
      old.ws.terminate();
    }
    session.conn = conn;
    session.disconnectedAt = null;
    conn.session = session;
    conn.record.intents = session.intents;
    for (const entry of session.buffer) if (entry.s > seq) this.send(conn, { op: GatewayOp.DISPATCH, ...entry });
    this.toSession(session, 'RESUMED', { _trace: ['["emulator-gateway",{"micros":0}]'] });
  }

  private toSession(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const entry = { s: session.seq, t, d };
    session.buffer.push(entry);
    if (session.buffer.length > BUFFER_LIMIT) session.buffer.shift();
    this.dispatchLog.push({ sessionId: session.id, s: entry.s, t, d, buffered: session.conn === null });
    if (session.conn) this.send(session.conn, { op: GatewayOp.DISPATCH, ...entry });
  }

  dispatch(dispatch: Dispatch): void {
    for (const session of this.sessions.values()) {
      if (session.invalid) continue;
      if (dispatch.intent !== null && (session.intents & dispatch.intent) === 0) continue;
      this.toSession(session, dispatch.t, dispatch.payload((session.intents & Intent.MESSAGE_CONTENT) !== 0));
    }
  }

  /** Abruptly (no code: the socket is destroyed) or with a close code; the sessions wait for RESUME unless the code ends them. */
  drop(code?: number): void {
    for (const conn of [...this.conns]) {
      if (code === undefined) {
        this.markClosed(conn, 1006);
        this.detach(conn);
        conn.ws.terminate();
      } else {
        if (conn.session && (code === 1000 || code === 1001)) this.endSession(conn.session);
        this.closeWith(conn, code);
      }
    }
  }

  /** The open connections stop answering heartbeats; connections opened later are healthy. */
  zombify(): void {
    for (const conn of this.conns) conn.zombie = true;
  }

  reconnect(): void {
    for (const conn of this.conns) this.send(conn, { op: GatewayOp.RECONNECT, d: null, s: null, t: null });
  }

  invalidate(resumable: boolean): void {
    for (const conn of this.conns) {
      // The connection stays open without a session: the client resumes (d true) or identifies on it.
      if (conn.session) {
        if (!resumable) this.endSession(conn.session);
        this.detach(conn);
        conn.session = null;
      }
      this.send(conn, { op: GatewayOp.INVALID_SESSION, d: resumable, s: null, t: null });
    }
  }

  requestHeartbeat(): void {
    for (const conn of this.conns) this.send(conn, { op: GatewayOp.HEARTBEAT, d: null, s: null, t: null });
  }

  async close(): Promise<void> {
    for (const conn of this.conns) {
      this.markClosed(conn, 1006);
      conn.ws.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
