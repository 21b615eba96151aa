// Long operations: the id an answer's Operation-Location names (the Operations page lists a tenant's operations).

export function operationIdFrom(location: string | null): string | undefined {
  const m = location?.match(/\/operations\/([^/?#]+)/);
  return m?.[1];
}
