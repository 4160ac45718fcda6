import type { GraphEmulator } from '../emulators/graph.js';

/** The environment that makes Ontact's Facebook channel live against the Graph emulator. */
export function facebookEnv(graph: GraphEmulator, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken,
    FACEBOOK_APP_SECRET: graph.appSecret,
    FACEBOOK_PAGE_ID: graph.pageId,
    FACEBOOK_GRAPH_URL: graph.origin,
    // A live channel refuses to start with the shipped placeholder number.
    ONTACT_CENTER_PHONE: '063-290-0000',
    ...extra,
  };
}
