/** Reads a JWT's `exp` claim (seconds since the epoch) without verifying it; undefined when absent or malformed. */
export function jwtExpiry(token: string | null | undefined): number | undefined {
  if (!token) return undefined;
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** True when the token carries an `exp` that has passed. */
export function isJwtExpired(token: string | null | undefined, nowMs = Date.now()): boolean {
  const exp = jwtExpiry(token);
  return exp !== undefined && exp * 1000 <= nowMs;
}
