// ECharts, only the parts the panels use, and charts that exist only once scrolled into view.

import * as echarts from 'echarts/core';
import { BarChart, LineChart, ParallelChart } from 'echarts/charts';
import {
  DataZoomComponent, GridComponent, LegendComponent, ParallelComponent, TitleComponent, TooltipComponent, VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, ParallelChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent,
  VisualMapComponent, ParallelComponent, TitleComponent, CanvasRenderer]);

export { echarts };

type Visibility = (visible: boolean) => void;
const watchers = new WeakMap<Element, Visibility>();
const observer = typeof IntersectionObserver !== 'undefined'
  ? new IntersectionObserver((entries) => {
    for (const e of entries) watchers.get(e.target)?.(e.isIntersecting);
  }, { rootMargin: '300px 0px' })
  : null;

/** Calls back when the element comes near the viewport and when it leaves. */
export function watchVisibility(el: Element, fn: Visibility): () => void {
  watchers.set(el, fn);
  if (observer) observer.observe(el);
  else fn(true);
  return () => {
    observer?.unobserve(el);
    watchers.delete(el);
  };
}

const resizer = typeof ResizeObserver !== 'undefined'
  ? new ResizeObserver((entries) => {
    for (const e of entries) echarts.getInstanceByDom(e.target as HTMLElement)?.resize();
  })
  : null;

/**
 * A chart in `el`, created the first time `el` is scrolled near, kept after. `render` gives the
 * option; `onVisible` lets the owner load data for it.
 */
export class LazyChart {
  chart: echarts.ECharts | null = null;
  visible = false;
  private option: Record<string, unknown> | null = null;
  private unwatch: () => void;

  constructor(readonly el: HTMLElement, private readonly onVisible?: () => void) {
    this.unwatch = watchVisibility(el, (v) => {
      this.visible = v;
      if (!v) return;
      this.ensure();
      this.onVisible?.();
    });
  }

  private ensure(): void {
    if (this.chart || !this.el.isConnected) return;
    this.chart = echarts.init(this.el, undefined, { renderer: 'canvas' });
    resizer?.observe(this.el);
    if (this.option) this.chart.setOption(this.option, { notMerge: true, lazyUpdate: true });
  }

  /** Sets the option now if the chart exists, or when it is created. */
  set(option: Record<string, unknown>): void {
    this.option = option;
    if (this.chart) this.chart.setOption(option, { notMerge: true, lazyUpdate: true });
  }

  showLoading(on: boolean): void {
    if (!this.chart) return;
    if (on) this.chart.showLoading('default', { text: '', color: '#5470c6', maskColor: 'rgba(255,255,255,0.5)', spinnerRadius: 8, lineWidth: 2 });
    else this.chart.hideLoading();
  }

  dispose(): void {
    this.unwatch();
    resizer?.unobserve(this.el);
    this.chart?.dispose();
    this.chart = null;
  }
}
