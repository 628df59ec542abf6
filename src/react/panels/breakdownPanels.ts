// Which breakdowns the dashboard shows, grouped into panels with tabs, as in Plausible.
import type { Dimension } from "../../client/types.js";
import { formatCountry } from "../model/format.js";

export type BreakdownTab = {
  dimension: Exclude<Dimension, "event">;
  /** The tab's label; also names the key column. */
  label: string;
  keyLabel: string;
  formatKey?: (key: string) => string;
};

export type BreakdownPanelConfig = { id: string; title: string; tabs: BreakdownTab[] };

export const BREAKDOWN_PANELS: BreakdownPanelConfig[] = [
  {
    id: "pages",
    title: "Pages",
    tabs: [
      { dimension: "page", label: "Top pages", keyLabel: "Page" },
      { dimension: "entryPage", label: "Entry pages", keyLabel: "Entry page" },
      { dimension: "exitPage", label: "Exit pages", keyLabel: "Exit page" },
    ],
  },
  {
    id: "sources",
    title: "Sources",
    tabs: [
      { dimension: "source", label: "Sources", keyLabel: "Source" },
      { dimension: "utmSource", label: "UTM source", keyLabel: "UTM source" },
      { dimension: "utmMedium", label: "Medium", keyLabel: "UTM medium" },
      { dimension: "utmCampaign", label: "Campaign", keyLabel: "UTM campaign" },
    ],
  },
  {
    id: "countries",
    title: "Countries",
    tabs: [
      { dimension: "country", label: "Countries", keyLabel: "Country", formatKey: formatCountry },
    ],
  },
  {
    id: "devices",
    title: "Devices",
    tabs: [
      { dimension: "device", label: "Devices", keyLabel: "Device" },
      { dimension: "browser", label: "Browsers", keyLabel: "Browser" },
      { dimension: "os", label: "OS", keyLabel: "Operating system" },
    ],
  },
];

/** Rows shown at first, and after "Show more" (the server's maximum). */
export const BREAKDOWN_LIMIT = 10;
export const BREAKDOWN_LIMIT_EXPANDED = 100;
