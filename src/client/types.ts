// Public types of convex-analytics (contract §3 and §4). They are defined in the component, the
// bottom layer, so that the component never imports the client; the client re-exports them.
export * from "../component/lib/types.js";
