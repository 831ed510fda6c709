/** The project without a Redis client: what tsc costs anyway (node types, this file). */
export async function main(): Promise<number> {
  const values: unknown[] = [];
  for (let i = 0; i < 50; i++) values.push(await Promise.resolve(i));
  return values.length;
}
