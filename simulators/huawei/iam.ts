import { randomBytes } from 'node:crypto';
import type { AuthFailure } from './auth';
import { HuaweiApiError, type HuaweiApiServer, type TokenVerifier } from './server';

/** An IAM user that can obtain tokens by password. */
export interface SimulatorIamUser {
  domainName: string;
  userName: string;
  password: string;
  /** Projects the user may scope a token to. */
  projects: string[];
}

interface IssuedToken {
  projectId: string;
  userName: string;
  expiresAt: number;
}

export const IAM_TOKENS_ROUTE = 'iam.tokens';

const isObject = (value: unknown): value is Record<string, any> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** IAM's time format: ISO 8601 with microseconds. */
const iamTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * IAM `POST /v3/auth/tokens` (password method, project scope) and the token
 * check API Gateway applies to X-Auth-Token. Tokens live `tokenLifetimeMs`
 * (24 h like the real ones by default); `expireAll` revokes every token at
 * once, as a password change would, to test renewal mid-run.
 */
export class IamSimulator implements TokenVerifier {
  private readonly tokens = new Map<string, IssuedToken>();
  /** How many tokens were issued, for assertions. */
  issued = 0;

  constructor(
    readonly users: SimulatorIamUser[],
    private readonly options: { tokenLifetimeMs?: number } = {},
  ) {}

  install(server: HuaweiApiServer): void {
    server.tokens = this;
    server.register({
      name: IAM_TOKENS_ROUTE,
      method: 'POST',
      pattern: /^\/v3\/auth\/tokens$/,
      authenticated: false,
      handler: ({ body, now }) => this.issue(body, now),
    });
  }

  /** Revoke every token issued so far. */
  expireAll(): void {
    for (const token of this.tokens.values()) token.expiresAt = 0;
  }

  verifyToken(token: string, now: number): { projectId: string; userName: string } | AuthFailure {
    const issued = this.tokens.get(token);
    if (!issued) return { status: 401, code: 'APIGW.0301', message: 'Incorrect IAM authentication information: decrypt token fail' };
    if (now >= issued.expiresAt) {
      return { status: 401, code: 'APIGW.0301', message: `Incorrect IAM authentication information: token expires, expires_at: ${iamTime(issued.expiresAt)}` };
    }
    return { projectId: issued.projectId, userName: issued.userName };
  }

  private issue(body: unknown, now: number) {
    const identity = isObject(body) && isObject(body.auth) ? body.auth.identity : undefined;
    const user = isObject(identity) && isObject(identity.password) ? identity.password.user : undefined;
    const projectId = isObject(body) && isObject(body.auth) && isObject(body.auth.scope) ? body.auth.scope.project?.id : undefined;
    if (
      !isObject(identity) ||
      !Array.isArray(identity.methods) ||
      !identity.methods.includes('password') ||
      !isObject(user) ||
      typeof user.name !== 'string' ||
      typeof user.password !== 'string' ||
      !isObject(user.domain) ||
      typeof user.domain.name !== 'string'
    ) {
      throw new HuaweiApiError(400, 'IAM.0005', 'Request body is invalid: auth.identity.password.user {domain.name, name, password} is required.');
    }
    const match = this.users.find((u) => u.domainName === user.domain.name && u.userName === user.name && u.password === user.password);
    if (!match) throw new HuaweiApiError(401, 'IAM.0101', 'The username or password is wrong.');
    if (typeof projectId !== 'string' || !match.projects.includes(projectId)) {
      throw new HuaweiApiError(401, 'IAM.0103', `The user has no access to project ${String(projectId)}.`);
    }
    const token = `MIIZ${randomBytes(48).toString('base64url')}`;
    const expiresAt = now + (this.options.tokenLifetimeMs ?? 24 * 3_600_000);
    this.tokens.set(token, { projectId, userName: match.userName, expiresAt });
    this.issued++;
    return {
      status: 201,
      headers: { 'X-Subject-Token': token },
      body: {
        token: {
          methods: ['password'],
          expires_at: iamTime(expiresAt),
          issued_at: iamTime(now),
          project: { id: projectId, name: 'cn-north-4' },
          user: { name: match.userName, domain: { name: match.domainName } },
        },
      },
    };
  }
}
