export {
  dashboardPlugin,
  sessionKeyFromRequest,
  type DashboardKeys,
  type DashboardOptions,
} from './plugin.js';
export {
  createSessionStore,
  type Session,
  type SessionStore,
  type SessionStoreOptions,
} from './sessions.js';
export { cookieValue, sessionCookie } from './cookies.js';
