import * as admin from '../auth/admin.js';
import * as external from '../auth/external.js';
import * as identities from '../auth/identities.js';
import * as mfa from '../auth/mfa.js';
import { authSchemas } from '../auth/openapi.js';
import * as reauthenticate from '../auth/reauthenticate.js';
import * as recover from '../auth/recover.js';
import * as settings from '../auth/settings-route.js';
import * as signup from '../auth/signup.js';
import * as token from '../auth/token.js';
import * as user from '../auth/user.js';
import * as verify from '../auth/verify.js';
import { mergePaths } from './merge-paths.js';

// Each auth endpoint file documents its routes as `paths`, beside their handlers; here they become one paths object.
export const authPaths = mergePaths([signup, token, user, recover, verify, settings, admin, reauthenticate, mfa, identities, external].map((endpoint) => endpoint.paths));
export { authSchemas };
