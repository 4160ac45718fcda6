import { z } from 'zod';

// Kept in step with TOPICS and AUDIENCES in src/triage/rules.ts; config cannot import triage (triage reads config).
const TOPIC_NAMES = ['job_search', 'hiring', 'training', 'event', 'benefits', 'startup', 'complaint', 'other'] as const;
const AUDIENCE_NAMES = ['youth', 'midlife', 'women', 'foreign', 'disabled'] as const;
const positiveInt = z.int().positive();

/** A first-response time in business time: `2h` (business hours) or `1d` (working days of one business window each). */
const businessDuration = z.string().regex(/^\d+(\.\d+)?[hd]$/, 'a business duration such as 2h or 1d');

const counselorSchema = z.strictObject({
  /** What staff type (`--as kim.minji`) and what the audit log records. */
  id: z.string().regex(/^[a-z][a-z0-9._-]{1,40}$/, 'a lower-case id such as kim.minji'),
  name: z.string().min(1),
  lead: z.boolean().default(false),
  onDuty: z.boolean().default(true),
});

const teamSchema = z.strictObject({
  name: z.string().min(1),
  topics: z.array(z.enum(TOPIC_NAMES)).default([]),
  audiences: z.array(z.enum(AUDIENCE_NAMES)).default([]),
  counselors: z.array(counselorSchema).default([]),
});

/** `inquiries` in the configuration: conversations, deadlines, acknowledgement, retention and teams. */
export const inquiriesConfigSchema = z
  .strictObject({
    /** A message from the same author on the same channel within this many hours joins their open conversation. */
    conversationWindowHours: z.number().positive().default(24),
    businessHours: z
      .strictObject({ startHour: z.int().min(0).max(23).default(9), endHour: z.int().min(1).max(24).default(18) })
      .refine((w) => w.startHour < w.endHour, 'startHour before endHour')
      .prefault({}),
    /** First-response deadline per priority. */
    deadlines: z
      .strictObject({
        urgent: businessDuration.default('2h'),
        high: businessDuration.default('1d'),
        normal: businessDuration.default('2d'),
        low: businessDuration.default('5d'),
      })
      .prefault({}),
    /** The assignee is reminded when this share of the deadline has passed; the team lead is alerted at 100 %. */
    reminderAt: z.number().gt(0).lt(1).default(0.75),
    /** Send the citizen an automatic "received" reply, once per conversation. */
    acknowledge: z.boolean().default(true),
    /** Topics answered privately even when asked in a public comment (a public note says so). */
    privateTopics: z.array(z.enum(TOPIC_NAMES)).default(['benefits', 'complaint']),
    /** Ask the channel to hide a public comment that shows personal data. */
    hidePublicPersonalData: z.boolean().default(true),
    retention: z
      .strictObject({
        /** After this many days an inquiry's text, names and notes are deleted; counts for reports remain. */
        inquiryDays: positiveInt.default(3 * 365),
        /** Encrypted originals are dropped sooner. */
        originalDays: positiveInt.default(90),
      })
      .prefault({}),
    teams: z.array(teamSchema).default([]),
  })
  .superRefine((value, ctx) => {
    const teams = new Set<string>();
    const counselors = new Set<string>();
    const topics = new Map<string, string>();
    value.teams.forEach((team, t) => {
      if (teams.has(team.name)) ctx.addIssue({ code: 'custom', path: ['teams', t, 'name'], message: `a team name used once (${team.name} is listed twice)`, input: team.name });
      teams.add(team.name);
      team.topics.forEach((topic, i) => {
        const owner = topics.get(topic);
        if (owner !== undefined) ctx.addIssue({ code: 'custom', path: ['teams', t, 'topics', i], message: `a topic owned by one team (${owner} already owns ${topic})`, input: topic });
        else topics.set(topic, team.name);
      });
      team.counselors.forEach((c, i) => {
        if (counselors.has(c.id)) ctx.addIssue({ code: 'custom', path: ['teams', t, 'counselors', i, 'id'], message: `a counselor id used once (${c.id} is listed twice)`, input: c.id });
        counselors.add(c.id);
      });
    });
    if (value.retention.originalDays > value.retention.inquiryDays) {
      ctx.addIssue({ code: 'custom', path: ['retention', 'originalDays'], message: 'at most retention.inquiryDays', input: value.retention.originalDays });
    }
  });

export type InquiriesConfig = z.infer<typeof inquiriesConfigSchema>;
