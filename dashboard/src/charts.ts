// ECharts, only the parts the panels use, and charts that exist only once scrolled into view.

import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, ParallelComponent, TitleComponent, TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { paletteFrom, themeChartOption, type ChartPalette } from './lib/chartTheme';
import { currentTheme, onThemeChange } from './theme';

echarts.use([LineChart, BarChart, HeatmapChart, ParallelChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent,
  VisualMapComponent, ParallelComponent, TitleComponent, MarkLineComponent, MarkAreaComponent, CanvasRenderer]);

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

let palette: ChartPalette | null = null;
onThemeChange(() => {
  palette = null;
});

/** The charts' colours in the current theme, from styles.css's variables. */
export function chartPalette(): ChartPalette {
  if (!palette) {
    const style = getComputedStyle(document.documentElement);
    palette = paletteFrom((v) => style.getPropertyValue(v));
  }
  return palette;
}

/**
 * A chart in `el`, created the first time `el` is scrolled near, kept after. `render` gives the
 * option; `onVisible` lets the owner load data for it. The option is drawn in the current theme's
 * colours, and drawn again when the theme changes.
 */
export class LazyChart {
  chart: echarts.ECharts | null = null;
  visible = false;
  private option: Record<string, unknown> | null = null;
  private unwatch: () => void;
  private readonly unwatchTheme: () => void;

  constructor(readonly el: HTMLElement, private readonly onVisible?: () => void) {
    this.unwatchTheme = onThemeChange(() => {
      if (this.chart && this.option) this.draw(this.option);
    });
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
    if (this.option) this.draw(this.option);
  }

  private draw(option: Record<string, unknown>): void {
    this.chart?.setOption(themeChartOption(option, chartPalette()), { notMerge: true, lazyUpdate: true });
  }

  /** Sets the option now if the chart exists, or when it is created. */
  set(option: Record<string, unknown>): void {
    this.option = option;
    if (this.chart) this.draw(option);
  }

  showLoading(on: boolean): void {
    if (!this.chart) return;
    if (!on) {
      this.chart.hideLoading();
      return;
    }
    const maskColor = currentTheme() === 'dark' ? 'rgba(0,0,0,0.35)' : 'rgba(255,255,255,0.5)';
    this.chart.showLoading('default', { text: '', color: '#5470c6', maskColor, spinnerRadius: 8, lineWidth: 2 });
  }

  dispose(): void {
    this.unwatch();
    this.unwatchTheme();
    resizer?.unobserve(this.el);
    this.chart?.dispose();
    this.chart = null;
  }
}
