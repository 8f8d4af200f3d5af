// Connect scopes and what each implies, as in
// https://developer.atlassian.com/cloud/confluence/scopes-for-connect-apps/
export const SCOPES = ['NONE', 'READ', 'WRITE', 'DELETE', 'SPACE_ADMIN', 'ADMIN', 'ACT_AS_USER', 'ACCESS_EMAIL_ADDRESSES'] as const;
export type Scope = (typeof SCOPES)[number];

const IMPLIED: Record<Scope, readonly Scope[]> = {
  NONE: [],
  READ: ['NONE'],
  WRITE: ['READ', 'NONE'],
  DELETE: ['WRITE', 'READ', 'NONE'],
  SPACE_ADMIN: ['DELETE', 'WRITE', 'READ', 'NONE'],
  ADMIN: ['SPACE_ADMIN', 'DELETE', 'WRITE', 'READ', 'NONE'],
  ACT_AS_USER: [],
  ACCESS_EMAIL_ADDRESSES: [],
};

export function isScope(name: string): name is Scope {
  return (SCOPES as readonly string[]).includes(name);
}

/** The declared scopes plus everything they imply (NONE is always granted). */
export function effectiveScopes(declared: readonly Scope[]): Set<Scope> {
  const granted = new Set<Scope>(['NONE']);
  for (const scope of declared) {
    granted.add(scope);
    for (const implied of IMPLIED[scope]) granted.add(implied);
  }
  return granted;
}
