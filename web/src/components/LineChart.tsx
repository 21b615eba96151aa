// Metric series with uPlot: a small canvas chart made for time series (ADR 0016).
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  points?: boolean; // dots only (per-trial scores), else a line
}

export function LineChart({
  title,
  x,
  xLabel,
  series,
  height = 220,
}: {
  title: string;
  x: number[];
  xLabel: string;
  series: Series[];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || x.length === 0) return;
    const opts: uPlot.Options = {
      title,
      width: Math.max(el.clientWidth, 280),
      height,
      scales: { x: { time: false } },
      axes: [{ label: xLabel }, {}],
      series: [
        { label: xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.points ? 0 : 2,
          points: { show: true, size: s.points ? 7 : 4, fill: s.color },
          paths: s.points ? () => null : undefined,
        })),
      ],
    };
    const plot = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [title, x, xLabel, series, height]);
  return <div ref={box} className="chart" role="img" aria-label={`${title} chart, ${x.length} points`} />;
}
