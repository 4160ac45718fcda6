import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGraphClient } from '../../../src/channels/facebook/graph-client.js';
import { parseWebhook, sweptCommentEvent, verifyHandshake, verifySignature } from '../../../src/channels/facebook/webhook.js';
import { inboundEventSchema } from '../../../src/inquiries/inbound.js';
import { commentChangePayload, messagePayload, signWebhookBody, startGraphEmulator, type GraphEmulator } from '../../emulators/graph.js';

const PAGE = '104857600123456';
const SECRET = 'app-secret-for-webhooks';

describe('verifySignature', () => {
  const body = Buffer.from(JSON.stringify({ object: 'page', entry: [{ id: PAGE, time: 1, changes: [] }] }), 'utf8');

  it('accepts the HMAC-SHA256 of the raw body made with the app secret', () => {
    expect(verifySignature(body, signWebhookBody(body, SECRET), SECRET)).toBe(true);
    expect(verifySignature(body, signWebhookBody(body, SECRET).toUpperCase().replace('SHA256=', 'sha256='), SECRET)).toBe(true);
  });

  it('rejects a forged, missing or malformed signature', () => {
    expect(verifySignature(body, `sha256=${'0'.repeat(64)}`, SECRET)).toBe(false);
    expect(verifySignature(body, undefined, SECRET)).toBe(false);
    expect(verifySignature(body, '', SECRET)).toBe(false);
    expect(verifySignature(body, signWebhookBody(body, SECRET).slice('sha256='.length), SECRET)).toBe(false);
    expect(verifySignature(body, signWebhookBody(body, SECRET).slice(0, -2), SECRET)).toBe(false);
    expect(verifySignature(body, `sha1=${'a'.repeat(40)}`, SECRET)).toBe(false);
    expect(verifySignature(body, `sha256=${'zz'.repeat(32)}`, SECRET)).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifySignature(body, signWebhookBody(body, 'some-other-app-secret'), SECRET)).toBe(false);
  });

  it('rejects a body altered by one byte', () => {
    const signature = signWebhookBody(body, SECRET);
    const altered = Buffer.from(body);
    altered[10] = (altered[10] ?? 0) ^ 0x01;
    expect(verifySignature(altered, signature, SECRET)).toBe(false);
  });

  it('never accepts anything when no app secret is configured', () => {
    expect(verifySignature(body, signWebhookBody(body, ''), '')).toBe(false);
  });
});

describe('verifyHandshake', () => {
  it('echoes the challenge for a subscription with our verify token', () => {
    expect(verifyHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'vt-123', 'hub.challenge': '1158201444' }, 'vt-123')).toBe('1158201444');
  });

  it('answers null for a wrong token, another mode, a missing challenge or no configured token', () => {
    expect(verifyHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'vt-124', 'hub.challenge': 'c' }, 'vt-123')).toBeNull();
    expect(verifyHandshake({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'vt-123', 'hub.challenge': 'c' }, 'vt-123')).toBeNull();
    expect(verifyHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'vt-123' }, 'vt-123')).toBeNull();
    expect(verifyHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': ['vt-123'], 'hub.challenge': 'c' }, 'vt-123')).toBeNull();
    expect(verifyHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': 'c' }, '')).toBeNull();
  });
});

describe('parseWebhook', () => {
  const at = new Date('2026-11-05T01:23:45Z');
  const post = `${PAGE}_501`;
  const citizen = { id: '7001', name: '박지훈' };

  it('turns a new comment into a facebook_comment event threaded on itself', () => {
    const body = commentChangePayload(PAGE, { commentId: '501_9', postId: post, from: citizen, message: '신청 방법이 궁금합니다', createdTime: at, verb: 'add' });
    const { events, ignored } = parseWebhook(body, PAGE);
    expect(ignored).toEqual([]);
    expect(events).toEqual([
      {
        channel: 'facebook_comment',
        platformId: '501_9',
        threadRef: '501_9',
        authorId: '7001',
        authorName: '박지훈',
        text: '신청 방법이 궁금합니다',
        attachments: [],
        at,
        inReplyToPostRef: post,
        edit: null,
        private: false,
      },
    ]);
  });

  it('threads a reply to a comment on the comment it answers', () => {
    const body = commentChangePayload(PAGE, { commentId: '501_12', postId: post, parentId: '501_9', from: citizen, message: '저도요', createdTime: at, verb: 'add' });
    expect(parseWebhook(body, PAGE).events[0]).toMatchObject({ platformId: '501_12', threadRef: '501_9', inReplyToPostRef: post });
  });

  it('marks edited and removed comments', () => {
    const edited = commentChangePayload(PAGE, { commentId: '501_9', postId: post, from: citizen, message: '수정한 질문', createdTime: at, verb: 'edited' });
    const removed = commentChangePayload(PAGE, { commentId: '501_9', postId: post, from: citizen, createdTime: at, verb: 'remove' });
    expect(parseWebhook(edited, PAGE).events[0]).toMatchObject({ edit: 'edited', text: '수정한 질문' });
    expect(parseWebhook(removed, PAGE).events[0]).toMatchObject({ edit: 'removed', text: '', platformId: '501_9' });
  });

  it('ignores the Page\'s own comments and says why', () => {
    const body = commentChangePayload(PAGE, { commentId: '501_10', postId: post, from: { id: PAGE, name: '센터' }, message: '답변드립니다', createdTime: at, verb: 'add' });
    const { events, ignored } = parseWebhook(body, PAGE);
    expect(events).toEqual([]);
    expect(ignored[0]?.reason).toMatch(/Page's own comment/);
  });

  it('normalises decomposed Hangul to NFC', () => {
    const nfd = '문의'.normalize('NFD');
    const body = commentChangePayload(PAGE, { commentId: '501_11', postId: post, from: citizen, message: nfd, createdTime: at, verb: 'add' });
    expect(parseWebhook(body, PAGE).events[0]?.text).toBe('문의');
  });

  it('turns a Messenger message into a facebook_message event with its attachments noted', () => {
    const body = messagePayload(PAGE, {
      psid: '24000001',
      mid: 'm_abc',
      at,
      text: '이력서 첨부합니다',
      attachments: [{ type: 'file', url: 'https://cdn.example/resume.pdf' }, { type: 'location', title: '완주군청' }],
    });
    const { events, ignored } = parseWebhook(body, PAGE);
    expect(ignored).toEqual([]);
    expect(events).toEqual([
      {
        channel: 'facebook_message',
        platformId: 'm_abc',
        threadRef: '24000001',
        authorId: '24000001',
        authorName: null,
        text: '이력서 첨부합니다',
        attachments: [
          { type: 'file', url: 'https://cdn.example/resume.pdf', name: null },
          { type: 'location', url: null, name: '완주군청' },
        ],
        at,
        inReplyToPostRef: null,
        edit: null,
        private: false,
      },
    ]);
  });

  it('ignores echoes of the Page\'s own messages and events that are not messages', () => {
    const echo = messagePayload(PAGE, { psid: '24000001', mid: 'm_echo', at, text: '답변', echo: true });
    expect(parseWebhook(echo, PAGE)).toMatchObject({ events: [], ignored: [{ reason: expect.stringMatching(/echo/) }] });
    const read = { object: 'page', entry: [{ id: PAGE, time: 1, messaging: [{ sender: { id: '1' }, recipient: { id: PAGE }, timestamp: 1, read: { watermark: 1 } }] }] };
    expect(parseWebhook(read, PAGE).ignored[0]?.reason).toMatch(/"read" event/);
  });

  it('reports a malformed entry and keeps the valid one beside it', () => {
    const good = commentChangePayload(PAGE, { commentId: '501_20', postId: post, from: citizen, message: '정상', createdTime: at, verb: 'add' });
    const body = {
      object: 'page',
      entry: [
        { id: PAGE, time: 1, changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', post_id: post, from: citizen, created_time: 1 } }] },
        ...good.entry,
        'not an entry',
      ],
    };
    const { events, ignored } = parseWebhook(body, PAGE);
    expect(events.map((e) => e.platformId)).toEqual(['501_20']);
    expect(ignored).toHaveLength(2);
    expect(ignored[0]?.reason).toMatch(/^entry\[0\]\.changes\[0\]: malformed comment .*comment_id/);
    expect(ignored[1]?.reason).toMatch(/^entry\[2\]: malformed/);
  });

  it('reports what is not for it: other objects, other Pages, other fields and feed items', () => {
    expect(parseWebhook({ object: 'instagram', entry: [] }, PAGE).ignored[0]?.reason).toMatch(/instagram/);
    expect(parseWebhook('garbage', PAGE).ignored[0]?.reason).toMatch(/not a webhook delivery/);
    const other = commentChangePayload('999', { commentId: '1_2', postId: '999_1', from: citizen, message: 'x', createdTime: at, verb: 'add' });
    expect(parseWebhook(other, PAGE).ignored[0]?.reason).toMatch(/Page 999/);
    const reaction = { object: 'page', entry: [{ id: PAGE, time: 1, changes: [{ field: 'feed', value: { item: 'reaction', verb: 'add', post_id: post, reaction_type: 'like' } }, { field: 'ratings', value: {} }] }] };
    const { events, ignored } = parseWebhook(reaction, PAGE);
    expect(events).toEqual([]);
    expect(ignored.map((i) => i.reason)).toEqual([expect.stringMatching(/"reaction" is not a comment/), expect.stringMatching(/field "ratings"/)]);
  });

  it('every event fits the intake contract', () => {
    const bodies = [
      commentChangePayload(PAGE, { commentId: '501_30', postId: post, from: citizen, message: '😀'.repeat(50), createdTime: at, verb: 'add' }),
      messagePayload(PAGE, { psid: '5', mid: 'm_only_attachment', at, attachments: [{ type: 'image', url: 'https://cdn.example/a.jpg' }] }),
    ];
    for (const body of bodies) for (const event of parseWebhook(body, PAGE).events) expect(inboundEventSchema.safeParse(event).success).toBe(true);
  });
});

describe('over HTTP, from the emulator', () => {
  let graph: GraphEmulator;
  let receiver: Server;
  let url: string;
  let stored: unknown[];

  beforeEach(async () => {
    graph = await startGraphEmulator({ pageId: PAGE });
    stored = [];
    // The web role's contract in miniature: signature first, over the raw bytes, then parse.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const header = req.headers['x-hub-signature-256'];
        if (!verifySignature(raw, typeof header === 'string' ? header : undefined, graph.appSecret)) {
          res.writeHead(401).end('bad signature');
          return;
        }
        stored.push(...parseWebhook(JSON.parse(raw.toString('utf8')) as unknown, PAGE).events);
        res.writeHead(200).end('EVENT_RECEIVED');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/facebook`;
  });

  afterEach(async () => {
    await graph.close();
    await new Promise<void>((resolve, reject) => receiver.close((e) => (e ? reject(e) : resolve())));
  });

  it('accepts a correctly signed delivery and refuses forged, missing, other-secret and altered ones', async () => {
    const post = graph.addPagePost('공고');
    const comment = graph.addUserComment(post.id, { fromId: '7001', fromName: '박지훈', message: '문의드립니다' });
    const payload = graph.commentWebhook(comment, 'add');

    expect((await graph.deliverWebhook(url, payload, { signature: `sha256=${'ab'.repeat(32)}` })).status).toBe(401);
    expect((await graph.deliverWebhook(url, payload, { signature: null })).status).toBe(401);
    expect((await graph.deliverWebhook(url, payload, { secret: 'another-app-secret' })).status).toBe(401);
    expect((await graph.deliverWebhook(url, payload, { tamper: true })).status).toBe(401);
    expect(stored).toEqual([]);

    expect(await graph.deliverWebhook(url, payload)).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
    expect(stored).toEqual([expect.objectContaining({ channel: 'facebook_comment', platformId: comment.id, text: '문의드립니다' })]);
  });

  it('a message webhook from the emulator opens the window for an answer', async () => {
    const { payload, mid } = graph.receiveUserMessage('24000009', { text: '교육 일정 알려주세요' });
    expect((await graph.deliverWebhook(url, payload)).status).toBe(200);
    expect(stored).toEqual([expect.objectContaining({ channel: 'facebook_message', platformId: mid, threadRef: '24000009' })]);
  });

  it('a swept comment becomes the same event as its webhook, so the intake dedupes them', async () => {
    const post = graph.addPagePost('공고');
    const top = graph.addUserComment(post.id, { fromId: '7001', fromName: '박지훈', message: '질문' });
    const reply = graph.addUserComment(post.id, { fromId: '7002', fromName: '최수진', message: '답글 질문', parentId: top.id });
    const client = createGraphClient({ baseUrl: graph.origin, version: 'v23.0', accessToken: graph.accessToken, appSecret: graph.appSecret });
    const swept = (await client.recentComments(post.id)).map((c) => sweptCommentEvent(c, post.id, PAGE));
    const hooked = [reply, top].map((c) => parseWebhook(graph.commentWebhook(c, 'add'), PAGE).events[0]);
    expect(swept.map((e) => [e?.platformId, e?.threadRef, e?.authorId, e?.text, e?.inReplyToPostRef])).toEqual(
      hooked.map((e) => [e?.platformId, e?.threadRef, e?.authorId, e?.text, e?.inReplyToPostRef]),
    );
    await client.replyToComment(top.id, '센터 답변');
    const afterReply = (await client.recentComments(post.id)).map((c) => sweptCommentEvent(c, post.id, PAGE));
    expect(afterReply.filter((e) => e !== null)).toHaveLength(2);
  });
});
