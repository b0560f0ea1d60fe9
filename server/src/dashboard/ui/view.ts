// What every page of the dashboard is: an element, and a refresh that reads the REST API and redraws it.
import type { DashboardApi } from './api.js';

export interface ViewContext {
  readonly api: DashboardApi;
  /** Shows a failure of an action the operator started (a refresh's failures go to the status line). */
  readonly fail: (error: unknown) => void;
  /** Opens another page, e.g. the jobs page at one job. */
  readonly navigate: (page: PageName, selection?: string) => void;
}

export type PageName = 'devices' | 'jobs' | 'campaigns' | 'tokens';

export interface View {
  readonly element: HTMLElement;
  /** Reads what the page shows and redraws it; polled every few seconds while the page is open and visible. */
  refresh(): Promise<void>;
  /** Selects an item (a job id, a campaign id) when the page is opened from another. */
  select?(id: string): void;
}
