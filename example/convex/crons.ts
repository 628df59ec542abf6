import { cronJobs } from "convex/server";
import { registerDefaultAnalyticsCrons } from "convex-analytics";
import { internal } from "./_generated/api.js";

const crons = cronJobs();

// Sweep every minute, compaction every 15 minutes, retention daily, presence cleanup every
// 5 minutes; pass options to change the intervals, e.g. { compactionMinutes: 60 }.
registerDefaultAnalyticsCrons(crons, internal.analytics.analyticsMaintenance);

export default crons;
