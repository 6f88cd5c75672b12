import { useEffect, useRef, useState } from 'react';
import type { HistogramAnswer } from '../api';
import { formatAxisTime, formatCount, formatDuration, formatTime } from '../format';

const HEIGHT = 150;
const MARGIN = { top: 10, right: 12, bottom: 24, left: 48 };

function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(320, Math.floor(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** Events over time; clicking a bar narrows the time range to it. */
export function Histogram({ data, onSelect }: { data: HistogramAnswer; onSelect?: (since: number, until: number) => void }) {
  const [ref, width] = useWidth();
  const buckets = data.buckets.map((bucket) => ({ start: Date.parse(bucket.start), count: bucket.count }));
  const max = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const barWidth = buckets.length > 0 ? plotWidth / buckets.length : plotWidth;
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  const span = to - from;
  const peak = buckets.reduce((best, bucket) => (bucket.count > best.count ? bucket : best), { start: from, count: 0 });
  // Labels with a date need about twice the room of times alone.
  const labelWidth = span <= 86_400_000 ? 70 : 130;
  const labelEvery = Math.max(1, Math.ceil(buckets.length / Math.max(2, Math.floor(plotWidth / labelWidth))));
  const caption =
    buckets.length === 0
      ? 'No events in this range.'
      : `${formatCount(data.total)} events from ${formatTime(from)} to ${formatTime(to)}, one bar per ${formatDuration(data.bucketMs)}; busiest: ${formatCount(peak.count)} at ${formatTime(peak.start)}.`;
  return (
    <figure className="histogram" ref={ref}>
      <svg width={width} height={HEIGHT} role="img" aria-label={caption}>
        {[0, 0.5, 1].map((fraction) => {
          const y = MARGIN.top + plotHeight * (1 - fraction);
          return (
            <g key={fraction} className="grid">
              <line x1={MARGIN.left} x2={width - MARGIN.right} y1={y} y2={y} />
              <text x={MARGIN.left - 6} y={y + 4} textAnchor="end">
                {formatCount(Math.round(max * fraction))}
              </text>
            </g>
          );
        })}
        {buckets.map((bucket, index) => {
          const barHeight = (bucket.count / max) * plotHeight;
          const x = MARGIN.left + index * barWidth;
          return (
            <g key={bucket.start} className="bar" onClick={() => onSelect?.(bucket.start, bucket.start + data.bucketMs)}>
              <rect className="hit" x={x} y={MARGIN.top} width={barWidth} height={plotHeight} />
              <rect className="fill" x={x + Math.min(1, barWidth * 0.1)} y={MARGIN.top + plotHeight - barHeight} width={Math.max(1, barWidth - Math.min(2, barWidth * 0.2))} height={barHeight} />
              <title>{`${formatTime(bucket.start)}: ${formatCount(bucket.count)} events${onSelect ? ' (click to zoom in)' : ''}`}</title>
              {index % labelEvery === 0 && (
                <text className="axis" x={x} y={HEIGHT - 6}>
                  {formatAxisTime(bucket.start, span)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
