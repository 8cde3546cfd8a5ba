import type { Db, Tx } from './db.js';

export interface FactorRow {
  id: string;
  user_id: string;
  friendly_name: string | null;
  factor_type: 'totp' | 'phone' | 'webauthn';
  status: 'verified' | 'unverified';
  created_at: Date;
  updated_at: Date;
  secret: string | null;
  phone: string | null;
  last_challenged_at: Date | null;
}

/** models.Factor as JSON (the secret never leaves the server). */
export function factorJson(f: FactorRow) {
  return {
    id: f.id,
    created_at: f.created_at.toISOString(),
    updated_at: f.updated_at.toISOString(),
    status: f.status,
    ...(f.friendly_name ? { friendly_name: f.friendly_name } : {}),
    factor_type: f.factor_type,
    phone: f.phone ?? '',
    last_challenged_at: f.last_challenged_at ? f.last_challenged_at.toISOString() : null,
  };
}

export type FactorJson = ReturnType<typeof factorJson>;

/** The user's factors, oldest first, as GoTrue loads them with the user. */
export async function factorsOf(db: Db | Tx, userId: string): Promise<FactorJson[]> {
  const { rows } = await db.query<FactorRow>('select * from auth.mfa_factors where user_id = $1 order by created_at', [userId]);
  return rows.map(factorJson);
}
