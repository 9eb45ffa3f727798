export { connectLive, type LiveConnection, type LiveOptions } from './connect-live.ts';
export { LiveOverview, localDay, type ApplyResult } from './live-overview.ts';
export { ConversationVersions } from './conversation-versions.ts';
