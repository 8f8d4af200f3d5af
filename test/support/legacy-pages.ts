// Legacy AP.cookie values as older Keepsake versions wrote them, for migration and size tests.

/** A JSON array of `count` pages with ids from `firstId`, in the newer legacy format. */
export function legacyPageArray(count: number, firstId: number, titleLength = 40): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      id: String(firstId + i),
      title: `Page ${firstId + i} `.padEnd(titleLength, 'x'),
      at: Date.UTC(2024, 0, 1) + i * 1000,
    })),
  );
}
