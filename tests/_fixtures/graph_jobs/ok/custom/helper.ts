export function scale(x: number): number {
  return x * 2;
}
