// Grey placeholders shaped like the content that is loading, so the layout doesn't jump.
// Hidden from assistive tech: the region around them carries aria-busy instead.

export function SkeletonBlock({
  width = "100%",
  height = 16,
}: {
  width?: number | string;
  height?: number | string;
}) {
  return <span className="cxa-skeleton" aria-hidden="true" style={{ width, height }} />;
}

export function SkeletonRows({ count = 6, height = 32 }: { count?: number; height?: number }) {
  return (
    <div className="cxa-skeleton-rows" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        // Decreasing widths read as a ranked list rather than a grey slab.
        <SkeletonBlock key={i} height={height} width={`${100 - i * (60 / count)}%`} />
      ))}
    </div>
  );
}
