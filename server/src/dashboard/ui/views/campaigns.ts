// Campaigns: state and job counts of each, and the selected one's report with its charts. The report is the
// coordinator's own self-contained HTML report (GET /api/campaigns/:id/report?format=html), shown in a sandboxed
// frame: it runs its chart.js charts but cannot reach this page, its storage or the API key.
import type { CampaignSummaryDto } from '../../../api/dto/index.js';
import { el, replaceChildren, table, type Column } from '../dom.js';
import { formatRelative, shortId } from '../format.js';
import type { View, ViewContext } from '../view.js';

export function campaignsView(context: ViewContext): View {
  const list = el('div');
  const report = el('div', { className: 'detail' });
  const element = el('section', { attrs: { 'data-page': 'campaigns' } }, el('h2', {}, 'Campaigns'), list, report);
  let download: string | undefined;

  const columns: Column<CampaignSummaryDto>[] = [
    {
      header: 'Campaign',
      cell: (campaign) =>
        el('a', { attrs: { href: '#campaigns', title: campaign.id }, on: { click: (event) => open(event, campaign) } }, campaign.name || shortId(campaign.id)),
    },
    { header: 'State', cell: (campaign) => el('span', { className: `state state-${campaign.state}` }, campaign.state) },
    { header: 'Measure', cell: (campaign) => campaign.measure },
    { header: 'Cells', cell: (campaign) => String(campaign.cellCount), numeric: true },
    {
      header: 'Jobs done / total',
      cell: (campaign) => `${campaign.counts.succeeded + campaign.counts.failed + campaign.counts.cancelled} / ${campaign.counts.total}`,
      numeric: true,
    },
    { header: 'Started', cell: (campaign) => formatRelative(campaign.createdAt) },
  ];

  function open(event: Event, campaign: CampaignSummaryDto): void {
    event.preventDefault();
    void showReport(campaign).catch(context.fail);
  }

  async function showReport(campaign: CampaignSummaryDto): Promise<void> {
    const html = await context.api.campaignReportHtml(campaign.id);
    if (download !== undefined) URL.revokeObjectURL(download);
    download = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    const frame = el('iframe', { className: 'report', attrs: { sandbox: 'allow-scripts', title: `report of ${campaign.name}` } });
    frame.srcdoc = html;
    replaceChildren(
      report,
      el('h3', {}, `Report: ${campaign.name}`),
      el(
        'p',
        { className: 'summary' },
        el('a', { attrs: { href: download, download: `campaign-${shortId(campaign.id)}.html` } }, 'Download the HTML report'),
        ' · ',
        el('a', { attrs: { href: '#campaigns' }, on: { click: (event) => open(event, campaign) } }, 'Reload the report'),
      ),
      frame,
    );
  }

  return {
    element,
    async refresh() {
      const campaigns = (await context.api.listCampaigns()).reverse();
      replaceChildren(list, table(columns, campaigns, (campaign) => campaign.id, 'No campaigns yet: start one with `sparsefleet campaign run`.'));
    },
  };
}
