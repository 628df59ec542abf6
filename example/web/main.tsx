// The example page against a real deployment: `npx convex dev` in example/, then Vite with
// VITE_CONVEX_URL set and ?site=<siteId> in the address (README, "Run the example").
import { ConvexProvider, ConvexReactClient } from "convex/react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";

const url = (import.meta as unknown as { env: Record<string, string | undefined> }).env.VITE_CONVEX_URL;
if (!url) throw new Error("Set VITE_CONVEX_URL to your deployment's URL (npx convex dev prints it)");
const siteId = new URLSearchParams(location.search).get("site") ?? "";
createRoot(document.getElementById("root")!).render(
  <ConvexProvider client={new ConvexReactClient(url)}>
    <App siteId={siteId} />
  </ConvexProvider>,
);
